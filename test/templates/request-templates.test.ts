import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeEnvironmentTemplate, jobQueueTemplate } from '../../src/infra/request-templates.js';
import { assertValidRequest } from '../_helpers/aws-model.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;

describe('templates/*.json request templates', () => {
  it('compute-environment.json is a valid CreateComputeEnvironment request: managed EC2, no Spot', () => {
    const request = json('templates/compute-environment.json');
    assertValidRequest('batch', 'CreateComputeEnvironment', request);
    expect(request).toMatchObject({
      type: 'MANAGED',
      computeResources: { type: 'EC2', minvCpus: 0, placementGroup: 'mnbatch-NAME' },
    });
  });

  it('job-queue.json is a valid CreateJobQueue request for the stack queue name', () => {
    const request = json('templates/job-queue.json');
    assertValidRequest('batch', 'CreateJobQueue', request);
    expect(request).toMatchObject({ jobQueueName: 'mnbatch-NAME', state: 'ENABLED' });
  });

  it('are what infra up sends (committed files are current)', () => {
    expect(json('templates/compute-environment.json')).toEqual(computeEnvironmentTemplate());
    expect(json('templates/job-queue.json')).toEqual(jobQueueTemplate());
  });
});
