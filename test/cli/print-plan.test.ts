import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/cli/print-plan.js';
import type { JobPlan } from '../../src/plan/index.js';

const plan: JobPlan = {
  jobDefinitionName: 'hello-0123456789',
  registerJobDefinition: { jobDefinitionName: 'hello-0123456789', type: 'multinode' },
  submitJob: { jobName: 'hello', jobQueue: 'q', jobDefinition: 'hello-0123456789' },
  numNodes: 4,
};

describe('formatPlan', () => {
  it('heads each request, says when the definition is registered, and counts the nodes', () => {
    const lines = formatPlan(plan, { json: false });

    expect(lines).toEqual([
      'RegisterJobDefinition (only when no ACTIVE hello-0123456789 exists)',
      JSON.stringify(plan.registerJobDefinition, null, 2),
      '',
      'SubmitJob (4 nodes)',
      JSON.stringify(plan.submitJob, null, 2),
    ]);
  });

  it('with json prints one document holding exactly both requests', () => {
    const lines = formatPlan(plan, { json: true });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      registerJobDefinition: plan.registerJobDefinition,
      submitJob: plan.submitJob,
    });
  });
});
