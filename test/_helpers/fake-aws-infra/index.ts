/**
 * `useFakeInfra()`: the in-memory infra fake (fake-infra.md) behind aws-sdk-client-mock'd SDK
 * clients and a fake clock. The stubs are test/_helpers/sdk-mock.ts's: every request any test
 * sent, and every answer the fake gave, is checked against the botocore service models after
 * each test, so no test can skip that check.
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';
import { createBatchInfra } from '../../../src/aws/batch-infra.js';
import { createEc2 } from '../../../src/aws/ec2.js';
import { createEfs } from '../../../src/aws/efs.js';
import { createIam } from '../../../src/aws/iam.js';
import { createSsm } from '../../../src/aws/ssm.js';
import { createSts } from '../../../src/aws/sts.js';
import { executionPolicyArn } from '../../../src/iam/execution.js';
import { expectedExecutionPolicy } from '../../../src/infra/execution-policy.js';
import { type InfraServices, withInfraAwsErrors } from '../../../src/infra/services.js';
import { FakeClock } from '../fake-clock.js';
import { sdkMock } from '../sdk-mock.js';
import { batchHandlers, iamHandlers } from './handlers-batch.js';
import { ec2Handlers, ssmHandlers } from './handlers-ec2.js';
import { efsHandlers } from './handlers-efs.js';
import { ACCOUNT, InfraState, REGION } from './state.js';

export { ACCOUNT, awsError, InfraState, REGION } from './state.js';

/** One request a test sent: service (botocore name), operation and input. */
export interface SentRequest {
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  /** What the fake answered (undefined when it threw an AWS error). */
  output?: unknown;
}

/** What a test gets: fresh for every test. */
export interface FakeInfra {
  readonly state: InfraState;
  readonly clock: FakeClock;
  readonly services: InfraServices;
  /** Every request the fake answered so far, in the order they were sent. */
  requests(): SentRequest[];
  /** The client stub of one service (ec2, efs, batch, iam, ssm), for aws-sdk-client-mock's matchers. */
  stub(service: 'ec2' | 'efs' | 'batch' | 'iam' | 'ssm' | 'sts'): AnyStub;
}

// biome-ignore lint/suspicious/noExplicitAny: stubs of five different clients in one list
type AnyStub = AwsStub<any, any, any>;

/** Registers the fake for every test of the calling file; read `.state` etc. inside tests. */
export function useFakeInfra(): FakeInfra {
  let current:
    | {
        state: InfraState;
        clock: FakeClock;
        services: InfraServices;
        mocks: [string, AnyStub][];
        sent: SentRequest[];
      }
    | undefined;
  const get = () => {
    if (!current) throw new Error('useFakeInfra: only inside a test');
    return current;
  };

  beforeEach(async () => {
    const state = new InfraState();
    const sent: SentRequest[] = [];
    const clock = new FakeClock(0);
    const mocks: [string, AnyStub, ReturnType<typeof ec2Handlers>][] = [
      [
        'ec2',
        sdkMock(EC2Client, 'ec2') as unknown as AnyStub,
        ec2Handlers(state).filter(([c]) => c.name !== 'GetParameterCommand'),
      ],
      ['efs', sdkMock(EFSClient, 'efs') as unknown as AnyStub, efsHandlers(state)],
      ['batch', sdkMock(BatchClient, 'batch') as unknown as AnyStub, batchHandlers(state)],
      ['iam', sdkMock(IAMClient, 'iam') as unknown as AnyStub, iamHandlers(state)],
      [
        'ssm',
        sdkMock(SSMClient, 'ssm') as unknown as AnyStub,
        [...ec2Handlers(state).filter(([c]) => c.name === 'GetParameterCommand'), ...ssmHandlers(state)],
      ],
      [
        'sts',
        sdkMock(STSClient, 'sts') as unknown as AnyStub,
        [
          [
            GetCallerIdentityCommand,
            () => ({
              Account: ACCOUNT,
              Arn: `arn:aws:iam::${ACCOUNT}:user/infra-admin`,
              UserId: 'AIDAEXAMPLE',
            }),
          ],
        ],
      ],
    ];
    // An administrator made the demo stack's execution policy, as docs/iam.md asks before the
    // first `infra up`; tests of its absence delete it.
    state.managedPolicies.set(executionPolicyArn('aws', ACCOUNT, 'demo'), expectedExecutionPolicy('demo'));
    for (const [service, stub, handlers] of mocks) {
      stub.onAnyCommand().callsFake(async () => {
        throw new Error(`fake ${service}: command not modelled`);
      });
      for (const [command, handler] of handlers) {
        // biome-ignore lint/suspicious/noExplicitAny: the stub is typed per client
        (stub as any).on(command).callsFake(async (input: unknown) => {
          const request: SentRequest = { service, operation: command.name.replace(/Command$/, ''), input };
          sent.push(request);
          request.output = await handler(input);
          return request.output;
        });
      }
    }
    const options = { region: REGION };
    current = {
      state,
      clock,
      mocks: mocks.map(([service, stub]) => [service, stub]),
      sent,
      // Wrapped as in production, so tests see the same errors users do.
      services: await withInfraAwsErrors({
        ec2: createEc2(options),
        efs: createEfs(options),
        batch: createBatchInfra(options),
        iam: createIam(options),
        ssm: createSsm(options),
        sts: createSts(options),
        region: REGION,
        clock,
      }),
    };
  });

  afterEach(() => {
    current = undefined;
  });

  return {
    get state() {
      return get().state;
    },
    get clock() {
      return get().clock;
    },
    get services() {
      return get().services;
    },
    requests: () => [...get().sent],
    stub: (service) => {
      const found = get().mocks.find(([name]) => name === service);
      if (!found) throw new Error(`no stub for ${service}`);
      return found[1];
    },
  };
}
