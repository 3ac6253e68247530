import { describe, expect, it } from 'vitest';
import { withContentTag } from '../../src/jobs/job-definition.js';
import { formatPlan } from '../../src/jobs/print-plan.js';
import type { JobPlan } from '../../src/plan/index.js';

const plan: JobPlan = {
  jobDefinitionName: 'hello-0123456789',
  registerJobDefinition: { jobDefinitionName: 'hello-0123456789', type: 'multinode' },
  submitJob: { jobName: 'hello', jobQueue: 'q', jobDefinition: 'hello-0123456789' },
  numNodes: 4,
  unresolved: [],
};

/** What submit registers: the planned request with its content tag. */
const registered = withContentTag(plan.registerJobDefinition);

describe('formatPlan', () => {
  it('shows the content tag submit registers with', () => {
    expect(registered.tags?.['mnbatch:content']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('heads each request, says when the definition is registered, and counts the nodes', () => {
    const lines = formatPlan(plan, { json: false });

    expect(lines).toEqual([
      'RegisterJobDefinition (only when no ACTIVE revision of hello-0123456789 has this mnbatch:content tag)',
      JSON.stringify(registered, null, 2),
      '',
      'SubmitJob (4 nodes)',
      JSON.stringify(plan.submitJob, null, 2),
    ]);
  });

  it('with json prints one document holding exactly both requests', () => {
    const lines = formatPlan(plan, { json: true });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      registerJobDefinition: registered,
      submitJob: plan.submitJob,
    });
  });
});
