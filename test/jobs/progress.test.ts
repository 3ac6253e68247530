import { describe, expect, it } from 'vitest';
import type { JobView } from '../../src/jobs/job-view.js';
import { Progress } from '../../src/jobs/progress.js';
import { memoryOutput } from '../../src/ui/output.js';

const REDRAW = '\x1b[1A\x1b[2K';

function view(status: JobView['status'], nodeStatuses: JobView['status'][]): JobView {
  return {
    jobId: 'id',
    jobName: 'job',
    jobQueue: 'q',
    jobDefinition: 'd:1',
    status,
    numNodes: nodeStatuses.length,
    mainNode: 0,
    nodes: nodeStatuses.map((s, index) => ({ index, isMain: index === 0, status: s })),
    tags: {},
  };
}

describe('Progress on a terminal', () => {
  it('redraws the status line in place and keeps it below log lines', () => {
    const output = { ...memoryOutput(), isTty: true };
    const progress = new Progress(output);
    progress.update(view('RUNNING', ['RUNNING', 'STARTING']), 5_000);
    progress.update(view('RUNNING', ['RUNNING', 'RUNNING']), 65_000);
    progress.log(['hello', 'world']);
    expect(output.stdout).toEqual([
      'job RUNNING for 5s · nodes RUNNING 1 · STARTING 1',
      `${REDRAW}job RUNNING for 1m05s · nodes RUNNING 2`,
      `${REDRAW}hello`,
      'world',
      'job RUNNING for 1m05s · nodes RUNNING 2',
    ]);
  });
});

describe('Progress without a terminal', () => {
  it('prints a line only when something changed, and logs as they come', () => {
    const output = memoryOutput();
    const progress = new Progress(output);
    progress.update(view('RUNNABLE', ['RUNNABLE', 'RUNNABLE']), 1_000);
    progress.update(view('RUNNABLE', ['RUNNABLE', 'RUNNABLE']), 30_000);
    progress.log(['a line']);
    progress.update(view('RUNNING', ['RUNNING', 'RUNNABLE']), 0);
    expect(output.stderr).toEqual([
      'job RUNNABLE · nodes RUNNABLE 2',
      'job RUNNING · nodes RUNNING 1 · RUNNABLE 1',
    ]);
    expect(output.stdout).toEqual(['a line']);
  });

  it('shows nothing about the state when told not to', () => {
    const output = memoryOutput();
    new Progress(output, false).update(view('RUNNING', ['RUNNING']), 0);
    expect(output.stderr).toEqual([]);
  });
});
