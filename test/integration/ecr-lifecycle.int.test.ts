/**
 * The lifecycle policy of `build.keepImages` against moto's ECR: a repository without one reads
 * as undefined (LifecyclePolicyNotFoundException), the policy mnbatch puts is accepted, and what
 * ECR hands back compares equal to it, so the next push puts nothing.
 */
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecrApi } from '../../src/aws/ecr.js';
import { lifecyclePolicyDiffers, lifecyclePolicyText } from '../../src/image/repository.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';

const account = useTestAccount();
const REPOSITORY = 'mnbatch/dev/hello';

describe('ECR lifecycle policy (build.keepImages)', () => {
  let client: ECRClient;

  beforeAll(async () => {
    client = new ECRClient(account.sdk);
    await client.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
  });

  it('reads none, puts the keep-last-N rule, and reads back what compares equal', async () => {
    const ecr = ecrApi(client);
    expect(await ecr.lifecyclePolicy(REPOSITORY)).toBeUndefined();
    await ecr.putLifecyclePolicy(REPOSITORY, lifecyclePolicyText(20));
    const current = await ecr.lifecyclePolicy(REPOSITORY);
    expect(lifecyclePolicyDiffers(current, lifecyclePolicyText(20))).toBe(false);
    expect(lifecyclePolicyDiffers(current, lifecyclePolicyText(5))).toBe(true);
    const calls = account.shim.calls.map((c) => `${c.service}:${c.operation}:${c.status}`);
    expect(calls).toContain('ecr:PutLifecyclePolicy:200');
  });
});
