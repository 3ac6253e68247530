/**
 * Rules that relate several fields (main node below the node count, node ranges covering all
 * nodes, efa: auto with an instance type, ports). They read the value defensively, so they can run on the
 * parsed spec and also on the raw YAML of a file with other problems: all problems at once.
 */
import { AGENT_DEFAULTS } from '../contract/agent-env.js';
import { type NodeRange, parseRange, rangeProblems } from './ranges.js';
import type { Segment } from './source.js';

/** `efa: auto` without an instance type: the planner says the same when handed such a spec. */
export const EFA_AUTO_NEEDS_TYPE = 'auto needs instanceType; or give the number of EFA devices';

/** A broken rule and the path to blame. */
export interface RuleProblem {
  readonly path: readonly Segment[];
  readonly message: string;
}

type Loose = Record<string, unknown>;

const record = (v: unknown): Loose =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : {};
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Problems of the rules between fields; fields that are missing or of the wrong type are skipped. */
export function crossFieldProblems(value: unknown): RuleProblem[] {
  const spec = record(value);
  const problems: RuleProblem[] = [];
  // A node count that is itself wrong is reported by the schema; rules against it would only add noise.
  const count = int(spec.nodes);
  const nodes = count !== undefined && count >= 2 && count <= 1000 ? count : undefined;
  const mainNode = spec.mainNode === undefined ? 0 : int(spec.mainNode);
  if (nodes !== undefined && mainNode !== undefined && mainNode >= nodes) {
    problems.push({ path: ['mainNode'], message: `must be below nodes (${nodes})` });
  }
  const rendezvous = record(spec.rendezvous);
  const minNodes = int(rendezvous.minNodes);
  if (nodes !== undefined && minNodes !== undefined && minNodes > nodes) {
    problems.push({ path: ['rendezvous', 'minNodes'], message: `must be at most nodes (${nodes})` });
  }
  const rendezvousPort = rendezvous.port === undefined ? AGENT_DEFAULTS.rendezvousPort : int(rendezvous.port);
  const sshPort = record(spec.ssh).port === undefined ? AGENT_DEFAULTS.sshPort : int(record(spec.ssh).port);
  if (rendezvousPort !== undefined && rendezvousPort === sshPort) {
    problems.push({ path: ['rendezvous', 'port'], message: `must differ from ssh.port (${sshPort})` });
  }
  const instanceType = text(spec.instanceType);
  problems.push(...efaProblems(spec.efa, instanceType));
  if (Array.isArray(spec.nodeGroups)) problems.push(...groupProblems(spec.nodeGroups, instanceType, nodes));
  return problems;
}

/**
 * The EFA rule that needs no instance facts; the device count of the type is checked by the
 * planner (src/plan/efa.ts), which is given EC2's facts.
 */
function efaProblems(efa: unknown, instanceType: string | undefined): RuleProblem[] {
  return efa === 'auto' && instanceType === undefined
    ? [{ path: ['efa'], message: EFA_AUTO_NEEDS_TYPE }]
    : [];
}

function groupProblems(
  groups: readonly unknown[],
  instanceType: string | undefined,
  nodes: number | undefined,
) {
  const problems: RuleProblem[] = [];
  const ranges: NodeRange[] = [];
  groups.forEach((g, i) => {
    const group = record(g);
    const own = text(group.instanceType);
    if (own !== undefined && own !== instanceType) {
      problems.push({
        path: ['nodeGroups', i, 'instanceType'],
        message: `must equal the job instanceType (${instanceType ?? 'not set'}): Batch runs all nodes on one instance type`,
      });
    }
    const range = rangeOf(group.range);
    if (range) ranges.push(range);
  });
  // Coverage only means something when every range could be read.
  if (nodes !== undefined && ranges.length === groups.length && groups.length <= 5) {
    for (const p of rangeProblems(ranges, nodes)) {
      problems.push({ path: ['nodeGroups', p.index, 'range'], message: p.message });
    }
  }
  return problems;
}

function rangeOf(v: unknown): NodeRange | undefined {
  if (typeof v === 'string') return parseRange(v);
  const r = record(v);
  const from = int(r.from);
  const to = r.to === undefined ? undefined : int(r.to);
  if (from === undefined || (r.to !== undefined && to === undefined)) return undefined;
  return { from, to };
}
