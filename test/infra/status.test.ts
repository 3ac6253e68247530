import { describe, expect, it } from 'vitest';
import { infraStatus } from '../../src/infra/status.js';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();

describe('infra status', () => {
  it('shows each resource of the stack with its id and state', async () => {
    const config = demoConfig(fake.state, { efs: 'create' });
    await infraUp(fake.services, config, {}, memoryOutput());
    const out = memoryOutput();

    const code = await infraStatus(fake.services, 'demo', out, config);

    expect(code).toBe(0);
    const text = out.stdout.join('\n');
    const sgId = [...fake.state.securityGroups.keys()][0];
    expect(text).toMatch(new RegExp(`security-group\\s+mnbatch-demo\\s+${sgId}\\s+available`));
    expect(text).toMatch(/file-system\s+mnbatch-demo\s+fs-\w+\s+available/);
    expect(text).toMatch(/mount-target\s+fs-\w+ in subnet-\w+\s+fsmt-\w+\s+available/);
    expect(text).toMatch(/compute-environment\s+mnbatch-demo\s+arn:aws:batch:\S+\s+VALID\/ENABLED/);
    expect(text).toMatch(/job-queue\s+mnbatch-demo\s+arn:aws:batch:\S+\s+VALID\/ENABLED/);
    expect(text).toMatch(/rendezvous-key\s+\/mnbatch\/demo\/rendezvous-key\s+arn:aws:ssm:\S+\s+SecureString/);
    expect(fake.state.mutations.filter((m) => !/^(Create|Authorize|PutParameter)/.test(m))).toEqual([]);
  });

  it('marks a resource with the stack name that is not the stack', async () => {
    fake.state.seedNetwork();
    fake.state.jobQueues.set('mnbatch-demo', {
      jobQueueName: 'mnbatch-demo',
      jobQueueArn: 'arn:aws:batch:us-east-1:123456789012:job-queue/mnbatch-demo',
      state: 'ENABLED',
      status: 'VALID',
      priority: 1,
      computeEnvironmentOrder: [],
    });
    const out = memoryOutput();
    await infraStatus(fake.services, 'demo', out);
    expect(out.stdout.join('\n')).toMatch(
      /job-queue\s+mnbatch-demo\s+\S+\s+VALID\/ENABLED\s+not ours: no stack tag/,
    );
  });

  it('exits 1 when the stack has no resources', async () => {
    fake.state.seedNetwork();
    const out = memoryOutput();
    expect(await infraStatus(fake.services, 'demo', out)).toBe(1);
    expect(out.stdout).toEqual(['stack demo: no resources in us-east-1']);
  });
});
