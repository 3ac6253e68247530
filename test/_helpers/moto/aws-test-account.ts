/**
 * An AWS account for the integration tier: moto behind the shim, a VPC with a private subnet
 * (route to a NAT gateway), the environment that points the built CLI at it, and a way to run
 * the CLI. Every test file gets its own (`useTestAccount()` in a describe block).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateRouteTableCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll } from 'vitest';
import { type CliResult, runCli } from '../cli-process.js';
import { type MotoServer, startMoto } from './moto-server.js';
import { type MotoShim, startShim } from './shim.js';

export { CLI, type CliResult, REPO } from '../cli-process.js';
export const REGION = 'us-east-1';

/** One network for a stack: VPC, a private subnet with its route table. */
export interface TestNetwork {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly routeTableId: string;
}

/** The account of one test file. */
export interface TestAccount {
  readonly moto: MotoServer;
  readonly shim: MotoShim;
  /** Environment for the CLI and for SDK clients: endpoint, fake credentials, region. */
  readonly env: Record<string, string>;
  /** A temporary directory removed after the file. */
  readonly dir: string;
  /** SDK client configuration pointing at the shim. */
  readonly sdk: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Runs the built CLI (dist/) with `args`; `onSpawn` gets the child's pid at start. */
  cli(
    args: readonly string[],
    options?: { cwd?: string; onSpawn?: (pid: number) => void; env?: Record<string, string> },
  ): Promise<CliResult>;
  /** Makes a VPC with a private subnet in us-east-1a whose default route goes to a NAT gateway. */
  network(): Promise<TestNetwork>;
  /** Makes an instance profile with a role of the same name (as the console's ecsInstanceRole). */
  instanceProfile(name: string): Promise<void>;
  /**
   * Does what docs/iam.md asks an administrator to do before the first `infra up` with
   * `roles.create: true`: creates mnbatch-<stack>-execution from the built CLI's `iam-policy
   * --role execution --document`.
   */
  executionPolicy(stack: string): Promise<void>;
  /** Writes `text` to `name` in the temporary directory; returns its path. */
  write(name: string, text: string): string;
  /** Empties the account: moto forgets everything, the shim its calls, hooks and corrections. */
  reset(): Promise<void>;
}

/** Starts moto and the shim before the file's tests, stops them after. */
export function useTestAccount(): TestAccount {
  const account = {} as { -readonly [K in keyof TestAccount]: TestAccount[K] };
  beforeAll(async () => {
    const moto = await startMoto();
    const shim = await startShim(moto.url);
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-int-'));
    const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: shim.url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_NO_WARNINGS: '1',
      HOME: dir,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
    };
    const sdk = { endpoint: shim.url, region: REGION, credentials };
    Object.assign(account, {
      moto,
      shim,
      env,
      dir,
      sdk,
      cli: (args, options = {}) =>
        runCli(args, { ...options, cwd: options.cwd ?? dir, env: { ...env, ...options.env } }),
      network: async () => {
        const ec2 = new EC2Client(sdk);
        try {
          const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
          const vpcId = vpc.Vpc?.VpcId ?? '';
          const subnet = await ec2.send(
            new CreateSubnetCommand({
              VpcId: vpcId,
              CidrBlock: '10.0.1.0/24',
              AvailabilityZone: `${REGION}a`,
            }),
          );
          const subnetId = subnet.Subnet?.SubnetId ?? '';
          const publicSubnet = await ec2.send(
            new CreateSubnetCommand({
              VpcId: vpcId,
              CidrBlock: '10.0.2.0/24',
              AvailabilityZone: `${REGION}a`,
            }),
          );
          const nat = await ec2.send(
            new CreateNatGatewayCommand({
              SubnetId: publicSubnet.Subnet?.SubnetId ?? '',
              ConnectivityType: 'private',
            }),
          );
          const table = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
          const routeTableId = table.RouteTable?.RouteTableId ?? '';
          await ec2.send(
            new CreateRouteCommand({
              RouteTableId: routeTableId,
              DestinationCidrBlock: '0.0.0.0/0',
              NatGatewayId: nat.NatGateway?.NatGatewayId ?? '',
            }),
          );
          await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
          return { vpcId, subnetId, routeTableId };
        } finally {
          ec2.destroy();
        }
      },
      instanceProfile: async (name) => {
        const iam = new IAMClient(sdk);
        try {
          await iam.send(
            new CreateRoleCommand({
              RoleName: name,
              AssumeRolePolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
                ],
              }),
            }),
          );
          await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
          await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
        } finally {
          iam.destroy();
        }
      },
      executionPolicy: async (stack) => {
        const printed = await account.cli([
          'iam-policy',
          '--role',
          'execution',
          '--stack',
          stack,
          '--document',
        ]);
        if (printed.code !== 0)
          throw new Error(`iam-policy --document exited ${printed.code}: ${printed.stderr}`);
        const iam = new IAMClient(sdk);
        try {
          await iam.send(
            new CreatePolicyCommand({
              PolicyName: `mnbatch-${stack}-execution`,
              PolicyDocument: printed.stdout,
            }),
          );
        } finally {
          iam.destroy();
        }
      },
      reset: async () => {
        await moto.reset();
        shim.reset();
      },
      write: (name, text) => {
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
      },
    } satisfies TestAccount);
  }, 120_000);
  afterAll(async () => {
    await account.shim?.stop();
    await account.moto?.stop();
    if (account.dir) rmSync(account.dir, { recursive: true, force: true });
  });
  return account;
}
