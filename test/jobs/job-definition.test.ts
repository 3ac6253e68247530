import type { JobDefinition } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { ensureJobDefinition, pickReusable, sameContent } from '../../src/jobs/job-definition.js';
import { FakeBatch } from '../_helpers/fake-batch/fake-batch.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { plannedJob } from './_fixtures.js';

function echo(request = plannedJob().registerJobDefinition, revision = 1): JobDefinition {
  return {
    ...structuredClone(request),
    jobDefinitionName: request.jobDefinitionName,
    jobDefinitionArn: `arn:${revision}`,
    revision,
    status: 'ACTIVE',
    type: 'multinode',
  };
}

describe('sameContent', () => {
  it('ignores what Batch adds when it echoes a definition', () => {
    const request = plannedJob().registerJobDefinition;
    const described = echo(request);
    Object.assign(described, { containerOrchestrationType: 'ECS', parameters: {} });
    const container = described.nodeProperties!.nodeRangeProperties![0]!.container!;
    Object.assign(container, { volumes: [], mountPoints: [], ulimits: [], secrets: [], privileged: false });
    container.environment = [...(container.environment ?? [])].reverse();
    expect(sameContent(described, request)).toBe(true);
  });

  it('sees a changed value, an added setting and a different image', () => {
    const request = plannedJob().registerJobDefinition;
    const privileged = echo(request);
    privileged.nodeProperties!.nodeRangeProperties![0]!.container!.privileged = true;
    const image = echo(request);
    image.nodeProperties!.nodeRangeProperties![0]!.container!.image = 'other:2';
    const timeout = { ...echo(request), timeout: { attemptDurationSeconds: 60 } };
    for (const d of [privileged, image, timeout]) expect(sameContent(d, request)).toBe(false);
  });
});

describe('pickReusable', () => {
  it('takes the newest ACTIVE revision with the same content', () => {
    const request = plannedJob().registerJobDefinition;
    const edited = echo(request, 3);
    edited.nodeProperties!.numNodes = 9;
    const picked = pickReusable([echo(request, 1), echo(request, 2), edited], request);
    expect(picked?.revision).toBe(2);
  });
});

describe('ensureJobDefinition against the fake', () => {
  it('registers once and reuses afterwards; a hand-edited revision makes it register again', async () => {
    const batch = new FakeBatch({ clock: new FakeClock() });
    const request = plannedJob().registerJobDefinition;
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'registered', revision: 1 });
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'reused', revision: 1 });
    // someone registers revision 2 with other content under the same name
    const edited = structuredClone(request);
    edited.nodeProperties!.nodeRangeProperties![0]!.container!.privileged = true;
    await batch.registerJobDefinition(edited);
    // revision 1 still matches and is reused (the newest matching one)
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'reused', revision: 1 });
    expect(batch.calls.filter((c) => c.op === 'RegisterJobDefinition')).toHaveLength(2);
  });
});
