/** How jobs look in the terminal: status lines, the end-of-job summary, the status table. Pure. */
import { describeExitCode } from '../contract/exit-codes.js';
import { LAUNCHER_EXIT } from './exit-codes.js';
import { type JobView, jobExitCode, type NodeView, nodeCounts } from './job-view.js';

/** "45s", "2m05s", "1h02m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The one progress line: "RUNNING for 2m05s · nodes RUNNING 3 · STARTING 1". */
export function progressLine(view: JobView, inStateMs: number): string {
  return `${view.jobName} ${view.status} for ${formatDuration(inStateMs)} · nodes ${nodeCounts(view)}`;
}

/** Changes only when something a user cares about changed (plain, non-TTY output prints on change). */
export function progressKey(view: JobView): string {
  return `${view.status}|${nodeCounts(view)}|${view.statusReason ?? ''}`;
}

/** The plain-output line printed when something changed. */
export function changeLine(view: JobView): string {
  const reason = view.statusReason && view.status !== 'RUNNING' ? ` (${view.statusReason})` : '';
  return `${view.jobName} ${view.status}${reason} · nodes ${nodeCounts(view)}`;
}

function exitWords(code: number | undefined): string {
  return code === undefined ? 'no exit code' : `exit ${code} (${describeExitCode(code)})`;
}

function nodeLine(n: NodeView): string {
  const reason = n.reason ? ` — ${n.reason}` : '';
  return `node ${n.index}${n.isMain ? ' (main)' : ''}: ${n.status}, ${exitWords(n.exitCode)}${reason}`;
}

/** Runs of this many or more alike nodes in a row are shown as one line (150 nodes, few lines). */
const GROUP_FROM = 4;

/**
 * One line per node, except that a run of GROUP_FROM or more consecutive nodes that ended alike
 * (same status, exit code and reason; never the main node) is one line: `nodes 1–148: …`. A node
 * that ended differently always has a line of its own, so problem nodes are named.
 */
export function nodeLines(nodes: readonly NodeView[]): string[] {
  const key = (n: NodeView) => `${n.status}|${n.exitCode}|${n.reason ?? ''}`;
  const out: string[] = [];
  for (let i = 0; i < nodes.length; ) {
    const first = nodes[i] as NodeView;
    let j = i + 1;
    if (!first.isMain)
      while (j < nodes.length && !(nodes[j] as NodeView).isMain && key(nodes[j] as NodeView) === key(first))
        j++;
    if (j - i >= GROUP_FROM) {
      const last = nodes[j - 1] as NodeView;
      const reason = first.reason ? ` — ${first.reason}` : '';
      out.push(`nodes ${first.index}–${last.index}: ${first.status}, ${exitWords(first.exitCode)}${reason}`);
      i = j;
    } else {
      out.push(nodeLine(first));
      i += 1;
    }
  }
  return out;
}

/** What `--wait` prints when the job ended: status, reason, the nodes, and what the launcher exits with. */
export function summaryLines(view: JobView): string[] {
  const code = jobExitCode(view);
  const lines = [
    `job ${view.jobName} (${view.jobId}) ${view.status}${view.statusReason ? `: ${view.statusReason}` : ''}`,
    ...nodeLines(view.nodes).map((l) => `  ${l}`),
  ];
  if (code === LAUNCHER_EXIT.failedWithoutExitCode) {
    lines.push(`the job failed without an exit code; mnbatch exits with ${code}`);
  }
  return lines;
}

/** The `status` command's text output. */
export function statusLines(view: JobView, now: number, consoleUrl?: string): string[] {
  const since = view.stoppedAt ?? view.startedAt ?? view.createdAt;
  const lines = [
    `job        ${view.jobName} (${view.jobId})`,
    `status     ${view.status}${view.statusReason ? ` — ${view.statusReason}` : ''}`,
    `queue      ${view.jobQueue}`,
    `definition ${view.jobDefinition}`,
    `nodes      ${view.numNodes} (main ${view.mainNode}): ${nodeCounts(view)}`,
  ];
  if (view.createdAt !== undefined) lines.push(`created    ${new Date(view.createdAt).toISOString()}`);
  if (since !== undefined && view.stoppedAt === undefined && view.startedAt !== undefined)
    lines.push(`running    ${formatDuration(now - since)}`);
  if (view.stoppedAt !== undefined) lines.push(`stopped    ${new Date(view.stoppedAt).toISOString()}`);
  if (consoleUrl) lines.push(`console    ${consoleUrl}`);
  lines.push('');
  lines.push('node  status     exit  reason / log stream');
  for (const n of view.nodes) {
    const label = `${n.index}${n.isMain ? '*' : ''}`.padEnd(5);
    const exit = (n.exitCode === undefined ? '-' : String(n.exitCode)).padEnd(5);
    const tail = [n.reason, n.logStreamName].filter(Boolean).join(' · ');
    lines.push(`${label} ${n.status.padEnd(10)} ${exit} ${tail}`.trimEnd());
  }
  return lines;
}

/** Link to the job in the AWS Batch console. */
export function consoleUrl(region: string, jobId: string): string {
  return `https://${region}.console.aws.amazon.com/batch/home?region=${region}#jobs/mnp-job/${encodeURIComponent(jobId)}`;
}
