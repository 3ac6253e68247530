/**
 * `mnbatch ami bake`: plan (read-only calls: instance type, base image) then execute (launch
 * the builder, wait for it to stop, check the script's result, create the image, wait until it
 * is available). The builder is terminated whatever happens after it was launched.
 */
import type { Ec2 } from '../aws/ec2.js';
import { awsErrorName } from '../aws/errors.js';
import type { Ssm } from '../aws/ssm.js';
import type { Clock } from '../clock.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { type BaseChoice, resolveBaseImage } from './base-image.js';
import { describeInstanceType, nrCpusFor } from './instance-type.js';
import {
  type BakePlan,
  createImageRequest,
  DEFAULT_BUILDER_TYPE,
  defaultAmiName,
  runInstancesRequest,
  timestampedName,
} from './plan.js';
import {
  assertUserDataFits,
  type BakeScript,
  type BakeVariables,
  renderUserData,
  userDataBytes,
} from './user-data.js';
import { pollBake, throwIfInterrupted } from './wait.js';

/** What the user asked for (flags, already parsed). */
export interface BakeRequest {
  readonly efs?: { readonly fileSystemId: string; readonly mountPath: string; readonly tls: boolean };
  readonly hyperthreadingOff: boolean;
  /** The type the AMI is for (nr_cpus = its physical cores with --no-ht). */
  readonly instanceType?: string;
  /** The type of the builder; a small one of the same architecture by default. */
  readonly builderType?: string;
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  readonly base: BaseChoice;
  readonly name?: string;
  readonly region: string;
}

/** The EC2 calls a bake makes. */
export type BakeEc2 = Pick<
  Ec2,
  | 'describeInstanceTypes'
  | 'describeImages'
  | 'runInstances'
  | 'describeInstances'
  | 'terminateInstances'
  | 'createImage'
  | 'deregisterImage'
  | 'getConsoleOutput'
>;

/** What a bake works with; tests pass mocked clients and an instant clock. */
export interface BakeDeps {
  readonly ec2: BakeEc2;
  readonly ssm: Ssm;
  readonly scripts: readonly BakeScript[];
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Idempotency token of RunInstances. */
  readonly clientToken: string;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

/** A finished bake. */
export interface BakeResult {
  readonly imageId: string;
  readonly imageName: string;
  readonly name: string;
  readonly region: string;
  readonly baseImageId: string;
  readonly nrCpus: number | 'keep';
  readonly builderInstanceId: string;
}

/** Resolves everything with read-only calls; nothing is created. */
export async function planBake(deps: BakeDeps, request: BakeRequest): Promise<BakePlan & { name: string }> {
  if (!request.efs && !request.hyperthreadingOff) {
    throw new MnbatchError('AMI_NOTHING_TO_BAKE', 'nothing to bake: give --efs fs-… and/or --no-ht', {
      exitCode: EXIT.usage,
    });
  }
  const target = request.instanceType
    ? await describeInstanceType(deps.ec2, request.instanceType)
    : undefined;
  const nrCpus = nrCpusFor(target, request.hyperthreadingOff);
  const baseImage = await resolveBaseImage(deps, request.base, target?.architectures[0]);
  const builderType = request.builderType ?? DEFAULT_BUILDER_TYPE[baseImage.architecture];
  const builder = await describeInstanceType(deps.ec2, builderType);
  if (!builder.architectures.includes(baseImage.architecture)) {
    throw new MnbatchError(
      'AMI_UNSUPPORTED_INSTANCE_TYPE',
      `builder type ${builderType} runs ${builder.architectures.join('/')}, the base AMI is ${baseImage.architecture}`,
    );
  }
  const variables: BakeVariables = {
    ...(request.efs
      ? {
          efs: {
            fileSystemId: request.efs.fileSystemId,
            region: request.region,
            mountPath: request.efs.mountPath,
            mode: request.efs.tls ? 'efs-tls' : 'nfs4',
          },
        }
      : {}),
    nrCpus,
  };
  const name = request.name ?? defaultAmiName(variables, target?.instanceType);
  const userData = renderUserData(deps.scripts, variables);
  assertUserDataFits(userData);
  return {
    name,
    region: request.region,
    baseImage,
    ...(target ? { targetType: target.instanceType } : {}),
    builderType,
    variables,
    imageName: timestampedName(name, new Date(deps.clock.now())),
    userData,
    userDataBytes: userDataBytes(userData),
    runInstances: runInstancesRequest({
      baseImage,
      builderType,
      name,
      userData,
      clientToken: deps.clientToken,
      ...(request.subnetId ? { subnetId: request.subnetId } : {}),
      securityGroupIds: request.securityGroupIds,
    }),
  };
}

/** Launches the builder and makes the image; at most `timeoutMs` in all. Always terminates the builder. */
export async function executeBake(
  deps: BakeDeps,
  plan: BakePlan & { name: string },
  timeoutMs: number,
): Promise<BakeResult> {
  const { ec2, clock, signal, log } = deps;
  const deadline = clock.now() + timeoutMs;
  throwIfInterrupted(signal);
  // Not interruptible on purpose: once RunInstances returns we know the instance to terminate.
  const [instance] = await ec2.runInstances(plan.runInstances);
  const instanceId = instance?.InstanceId;
  if (!instanceId) {
    throw new MnbatchError('AMI_BUILDER_NOT_STARTED', 'RunInstances returned no instance', { origin: 'aws' });
  }
  log(
    `builder ${instanceId} (${plan.builderType}) started from ${plan.baseImage.imageId}; waiting for it to stop`,
  );
  let result: BakeResult;
  try {
    result = await makeImage(deps, plan, instanceId, deadline);
  } catch (e) {
    await terminateBuilder(deps, instanceId);
    throw e;
  }
  if (!(await terminateBuilder(deps, instanceId))) {
    throw new MnbatchError('AMI_BUILDER_NOT_TERMINATED', `could not terminate builder ${instanceId}`, {
      origin: 'aws',
      details: [`image ${result.imageId} is available`],
    });
  }
  return result;
}

async function makeImage(
  deps: BakeDeps,
  plan: BakePlan & { name: string },
  instanceId: string,
  deadline: number,
): Promise<BakeResult> {
  await waitForBuilderStop(deps, instanceId, deadline);
  await checkBakeScriptResult(deps, instanceId, deadline);
  throwIfInterrupted(deps.signal);
  const imageId = await deps.ec2.createImage(createImageRequest(instanceId, plan, plan.name));
  if (!imageId)
    throw new MnbatchError('AMI_IMAGE_NOT_CREATED', 'CreateImage returned no image id', { origin: 'aws' });
  deps.log(`creating image ${imageId} (${plan.imageName})`);
  await waitForImage(deps, imageId, deadline);
  deps.log(`image ${imageId} is available`);
  return {
    imageId,
    imageName: plan.imageName,
    name: plan.name,
    region: plan.region,
    baseImageId: plan.baseImage.imageId,
    nrCpus: plan.variables.nrCpus,
    builderInstanceId: instanceId,
  };
}

async function terminateBuilder(deps: BakeDeps, instanceId: string): Promise<boolean> {
  try {
    await deps.ec2.terminateInstances({ InstanceIds: [instanceId] });
    deps.log(`builder ${instanceId} terminated`);
    return true;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    deps.log(`error: could not terminate builder ${instanceId}: ${why}`);
    deps.log(`  terminate it yourself: aws ec2 terminate-instances --instance-ids ${instanceId}`);
    return false;
  }
}

const isNotFound = (e: unknown, prefix: string) => awsErrorName(e).startsWith(prefix);

async function waitForBuilderStop(deps: BakeDeps, instanceId: string, deadline: number): Promise<void> {
  let last = 'pending';
  await pollBake({
    clock: deps.clock,
    signal: deps.signal,
    deadline,
    backoff: { first: 10_000, max: 30_000 },
    poll: async () => {
      let instances: Awaited<ReturnType<Ec2['describeInstances']>>;
      try {
        instances = await deps.ec2.describeInstances({ InstanceIds: [instanceId] });
      } catch (e) {
        // A just-launched instance may not be visible yet (eventual consistency).
        if (isNotFound(e, 'InvalidInstanceID.NotFound')) return undefined;
        throw e;
      }
      const state = instances[0]?.State?.Name ?? 'pending';
      if (state !== last) deps.log(`builder ${instanceId}: ${state}`);
      last = state;
      if (state === 'stopped') return true;
      if (state === 'terminated' || state === 'shutting-down') {
        throw new MnbatchError(
          'AMI_BUILDER_LOST',
          `builder ${instanceId} was ${state} before the image was made`,
          {
            origin: 'aws',
            details: [instances[0]?.StateReason?.Message ?? 'no reason given by EC2'],
          },
        );
      }
      return undefined;
    },
    onTimeout: () =>
      new MnbatchError('AMI_BUILDER_TIMEOUT', `builder ${instanceId} did not stop in time (still ${last})`, {
        exitCode: EXIT.timedOut,
        details: [
          'the bake script powers the builder off when done; it is still running or hangs',
          `see its console: aws ec2 get-console-output --instance-id ${instanceId} (before it is gone)`,
          'raise --timeout if the builder is slow to install packages',
        ],
      }),
  });
}

const OK_MARK = 'MNBATCH_AMI_BAKE_OK';
const FAILED_MARK = 'MNBATCH_AMI_BAKE_FAILED';
/** How long after the stop EC2 may take to publish the console output. */
const CONSOLE_WAIT_MS = 5 * 60_000;

/** The console lines leading up to the failure marker (the failing command's own output included). */
function linesBeforeFailure(console: string, n = 15): string[] {
  const lines = console.split(/\r?\n/);
  const at = lines.findIndex((l) => l.includes(FAILED_MARK));
  return lines
    .slice(Math.max(0, at - n + 1), at + 1)
    .map((l) => l.trimEnd())
    .filter(Boolean);
}

/** The script powers off also after a failure; its marker on the console tells which it was. */
async function checkBakeScriptResult(deps: BakeDeps, instanceId: string, deadline: number): Promise<void> {
  const consoleDeadline = Math.min(deadline, deps.clock.now() + CONSOLE_WAIT_MS);
  const console = await pollBake({
    clock: deps.clock,
    signal: deps.signal,
    deadline: consoleDeadline,
    backoff: { first: 5_000, max: 20_000 },
    poll: async () => {
      const text = await deps.ec2.getConsoleOutput({ InstanceId: instanceId });
      return text.includes(OK_MARK) || text.includes(FAILED_MARK) ? text : undefined;
    },
    onTimeout: () =>
      new MnbatchError(
        'AMI_BAKE_RESULT_UNKNOWN',
        `builder ${instanceId} stopped, but its console output shows no result of the bake script`,
        { details: ['not creating an image from a builder that may not be baked'] },
      ),
  });
  if (console.includes(FAILED_MARK)) {
    throw new MnbatchError('AMI_BAKE_SCRIPT_FAILED', `the bake script failed on builder ${instanceId}`, {
      details: linesBeforeFailure(console),
    });
  }
}

async function waitForImage(deps: BakeDeps, imageId: string, deadline: number): Promise<void> {
  try {
    await pollBake({
      clock: deps.clock,
      signal: deps.signal,
      deadline,
      backoff: { first: 15_000, max: 60_000 },
      poll: async () => {
        let images: Awaited<ReturnType<Ec2['describeImages']>>;
        try {
          images = await deps.ec2.describeImages({ ImageIds: [imageId] });
        } catch (e) {
          if (isNotFound(e, 'InvalidAMIID.NotFound')) return undefined;
          throw e;
        }
        const image = images[0];
        const state = image?.State ?? 'pending';
        if (state === 'available') return true;
        if (state === 'pending') return undefined;
        await deregisterQuietly(deps, imageId);
        throw new MnbatchError('AMI_IMAGE_FAILED', `image ${imageId} is ${state}`, {
          origin: 'aws',
          details: [image?.StateReason?.Message ?? 'no reason given by EC2', `image ${imageId} deregistered`],
        });
      },
      onTimeout: () =>
        new MnbatchError('AMI_IMAGE_TIMEOUT', `image ${imageId} was not available in time`, {
          exitCode: EXIT.timedOut,
          details: [
            `it may still become available: aws ec2 describe-images --image-ids ${imageId}`,
            `or remove it: aws ec2 deregister-image --image-id ${imageId}`,
          ],
        }),
    });
  } catch (e) {
    if (e instanceof MnbatchError && e.code === 'AMI_INTERRUPTED') {
      deps.log(
        `image ${imageId} was still pending; check it: aws ec2 describe-images --image-ids ${imageId}`,
      );
    }
    throw e;
  }
}

async function deregisterQuietly(deps: BakeDeps, imageId: string): Promise<void> {
  try {
    await deps.ec2.deregisterImage({ ImageId: imageId });
  } catch (e) {
    deps.log(`could not deregister ${imageId}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
