/**
 * The flags of `mnbatch ami bake`, checked and turned into a BakeRequest (pure). Everything a
 * user can get wrong on the command line fails here, before any AWS call.
 */
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { parseDuration } from '../spec/units.js';
import type { BakeRequest } from './bake.js';
import type { BaseChoice } from './base-image.js';
import { IMAGE_NAME_PATTERN } from './plan.js';

/** The flags as commander gives them (`--no-ht` arrives as `ht: false`). */
export interface BakeFlags {
  readonly efs?: string;
  readonly mountPath: string;
  readonly efsTls?: boolean;
  readonly ht: boolean;
  readonly instanceType?: string;
  readonly builderType?: string;
  readonly subnet?: string;
  readonly securityGroup?: readonly string[];
  readonly baseAmi?: string;
  readonly base?: string;
  readonly name?: string;
  readonly timeout: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly writeInfra?: string;
}

/** Checked flags: the request without the region (resolved from the AWS configuration later). */
export interface BakeCommandOptions {
  readonly request: Omit<BakeRequest, 'region'>;
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly writeInfra?: string;
}

const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

function check(
  value: string | undefined,
  pattern: RegExp,
  flag: string,
  example: string,
): string | undefined {
  if (value !== undefined && !pattern.test(value)) {
    throw new MnbatchError(
      'AMI_BAD_FLAG',
      `${flag} '${value}' is not valid (expected something like ${example})`,
      { exitCode: EXIT.usage },
    );
  }
  return value;
}

/** Checks `flags`; throws a one-line MnbatchError naming the flag. */
export function parseBakeFlags(flags: BakeFlags): BakeCommandOptions {
  const efs = check(flags.efs, /^fs-[0-9a-f]{8,40}$/, '--efs', 'fs-0123456789abcdef0');
  check(flags.mountPath, /^\/[A-Za-z0-9._/-]+$/, '--mount-path', '/efs');
  if (flags.efsTls && !efs)
    throw new MnbatchError('AMI_BAD_FLAG', '--efs-tls needs --efs', { exitCode: EXIT.usage });
  check(flags.instanceType, INSTANCE_TYPE, '--instance-type', 'c5n.18xlarge');
  check(flags.builderType, INSTANCE_TYPE, '--builder-type', 'm5.large');
  const subnet = check(flags.subnet, /^subnet-[0-9a-f]+$/, '--subnet', 'subnet-0abc…');
  for (const sg of flags.securityGroup ?? []) check(sg, /^sg-[0-9a-f]+$/, '--security-group', 'sg-0abc…');
  check(
    flags.name,
    IMAGE_NAME_PATTERN,
    '--name',
    "my-batch-ami (3-110 of A-Z a-z 0-9 ( ) [ ] . / - ' @ _ space)",
  );

  let base: BaseChoice;
  if (flags.baseAmi !== undefined) {
    if (flags.base !== undefined)
      throw new MnbatchError('AMI_BAD_FLAG', 'give --base-ami or --base, not both', {
        exitCode: EXIT.usage,
      });
    base = {
      kind: 'image',
      imageId: check(flags.baseAmi, /^ami-[0-9a-f]{8,17}$/, '--base-ami', 'ami-0abc…')!,
    };
  } else {
    const os = flags.base ?? 'al2023';
    if (os !== 'al2023' && os !== 'al2') {
      throw new MnbatchError(
        'AMI_BAD_FLAG',
        `--base '${os}' is not valid (al2023 or al2; or --base-ami ami-…)`,
        { exitCode: EXIT.usage },
      );
    }
    base = { kind: 'ecs-optimized', os };
  }

  const timeout = parseDuration(flags.timeout);
  if (!timeout.ok || timeout.value <= 0) {
    throw new MnbatchError(
      'AMI_BAD_FLAG',
      `--timeout '${flags.timeout}' ${timeout.ok ? 'must be more than 0' : timeout.message}`,
      { exitCode: EXIT.usage },
    );
  }

  return {
    request: {
      ...(efs ? { efs: { fileSystemId: efs, mountPath: flags.mountPath, tls: Boolean(flags.efsTls) } } : {}),
      hyperthreadingOff: flags.ht === false,
      ...(flags.instanceType ? { instanceType: flags.instanceType } : {}),
      ...(flags.builderType ? { builderType: flags.builderType } : {}),
      ...(subnet ? { subnetId: subnet } : {}),
      securityGroupIds: flags.securityGroup ?? [],
      base,
      ...(flags.name ? { name: flags.name } : {}),
    },
    timeoutMs: timeout.value * 1000,
    dryRun: Boolean(flags.dryRun),
    json: Boolean(flags.json),
    ...(flags.writeInfra ? { writeInfra: flags.writeInfra } : {}),
  };
}
