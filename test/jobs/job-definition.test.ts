import type { JobDefinition } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_TAG,
  ensureJobDefinition,
  jobDefinitionHash,
  pickReusable,
  withContentTag,
} from '../../src/jobs/job-definition.js';
import { planJobText } from '../../src/plan/index.js';
import { FakeBatch } from '../_helpers/fake-batch/fake-batch.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { jobYaml, plannedJob } from './_fixtures.js';

/** A revision as DescribeJobDefinitions returns it: what was registered plus Batch's own fields. */
function echo(request = withContentTag(plannedJob().registerJobDefinition), revision = 1): JobDefinition {
  return {
    ...structuredClone(request),
    jobDefinitionArn: `arn:${revision}`,
    revision,
    status: 'ACTIVE',
    type: 'multinode',
  };
}

describe('jobDefinitionHash', () => {
  it('is the same for every token of a local run: the per-run token is not part of the definition', () => {
    const local = (token: string) =>
      planJobText(jobYaml(), 'job.yaml', { rendezvous: { kind: 'token', token }, version: '0.1.0' }).plan;
    const a = local('one');
    const b = local('two');
    expect(JSON.stringify(a.registerJobDefinition)).not.toContain('one');
    expect(jobDefinitionHash(a.registerJobDefinition)).toBe(jobDefinitionHash(b.registerJobDefinition));
    expect(withContentTag(a.registerJobDefinition)).toEqual(withContentTag(b.registerJobDefinition));
  });

  it('leaves its own tag out, so the tagged request hashes to its tag', () => {
    const tagged = withContentTag(plannedJob().registerJobDefinition);
    expect(tagged.tags?.[CONTENT_TAG]).toMatch(/^[0-9a-f]{16}$/);
    expect(jobDefinitionHash(tagged)).toBe(tagged.tags?.[CONTENT_TAG]);
    expect(withContentTag(tagged)).toEqual(tagged);
  });

  it('does not depend on the order of keys, and changes with any value', () => {
    const request = plannedJob().registerJobDefinition;
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as typeof request;
    expect(jobDefinitionHash(reordered)).toBe(jobDefinitionHash(request));
    const more = plannedJob({ memory: '7GiB' }).registerJobDefinition;
    const renamed = { ...request, jobDefinitionName: 'other' };
    const retagged = { ...request, tags: { ...request.tags, team: 'b' } };
    for (const r of [more, renamed, retagged])
      expect(jobDefinitionHash(r)).not.toBe(jobDefinitionHash(request));
  });
});

describe('pickReusable', () => {
  it('takes the newest ACTIVE revision carrying the hash, whatever Batch echoes around it', () => {
    const tagged = withContentTag(plannedJob().registerJobDefinition);
    const hash = tagged.tags![CONTENT_TAG]!;
    // Batch fills in defaults the request never had: they do not matter
    const withDefaults = echo(tagged, 2);
    Object.assign(withDefaults, { containerOrchestrationType: 'ECS', parameters: {} });
    Object.assign(withDefaults.nodeProperties!.nodeRangeProperties![0]!.container!, {
      volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/' } }],
      ulimits: [],
      privileged: false,
    });
    const other = echo({ ...tagged, tags: { ...tagged.tags, [CONTENT_TAG]: '0000000000000000' } }, 3);
    const untagged = echo({ ...tagged, tags: { 'mnbatch:job': 'hello-mpi' } }, 4);
    const inactive = { ...echo(tagged, 5), status: 'INACTIVE' };
    const picked = pickReusable([echo(tagged, 1), withDefaults, other, untagged, inactive], hash);
    expect(picked?.revision).toBe(2);
  });

  it('compares the status without regard to case', () => {
    const tagged = withContentTag(plannedJob().registerJobDefinition);
    const revision = { ...echo(tagged, 7), status: 'active' };
    expect(pickReusable([revision], tagged.tags![CONTENT_TAG]!)?.revision).toBe(7);
  });
});

describe('ensureJobDefinition against the fake', () => {
  it('registers once with the content tag and reuses afterwards; other revisions are never reused', async () => {
    const batch = new FakeBatch({ clock: new FakeClock() });
    const request = plannedJob().registerJobDefinition;
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'registered', revision: 1 });
    const registered = batch.calls.filter((c) => c.op === 'RegisterJobDefinition');
    expect(registered[0]?.input).toEqual(withContentTag(request));
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'reused', revision: 1 });
    // someone registers revision 2 under the same name without the tag (console, older mnbatch)
    await batch.registerJobDefinition({ ...request, tags: { 'mnbatch:job': 'hello-mpi' } });
    // revision 1 still carries the hash and is reused
    expect(await ensureJobDefinition(batch, request)).toMatchObject({ kind: 'reused', revision: 1 });
    expect(batch.calls.filter((c) => c.op === 'RegisterJobDefinition')).toHaveLength(2);
  });
});
