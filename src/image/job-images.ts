/**
 * The image side of a job file put together: the real ECR, Docker and registry adapters behind
 * pinImages / pushJobImage, for `submit` and `mnbatch image push`. Loaded only by those commands.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { AwsOptions, ResolvedAwsOptions } from '../aws/clients.js';
import { createEcr, type EcrApi } from '../aws/ecr.js';
import { createDocker } from '../local/docker.js';
import { mnbatchVersion } from '../version.js';
import { type JobImage, pinImages } from './pin.js';

export { jobImageOf } from './pin.js';

import { type PushResult, pushJobImage } from './push.js';
import { createRegistryDocker } from './registry-docker.js';

/** Where container/ and dist/agent-bundle are: two levels above this file in src/ and in dist/. */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** What the image adapters need from the command. */
export interface ImageContext {
  readonly aws: ResolvedAwsOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
  /** The user watches a terminal: push progress is one line redrawn in place. */
  readonly tty?: boolean;
}

function deps(ctx: ImageContext) {
  const ecrs = new Map<string, EcrApi>();
  const ecr = (region: string): EcrApi => {
    const options: AwsOptions = { ...ctx.aws, region };
    const api = ecrs.get(region) ?? createEcr(options);
    ecrs.set(region, api);
    return api;
  };
  const docker = createDocker(ctx.env);
  const registry = createRegistryDocker(ctx.say, ctx.env, ctx.signal, ctx.tty ?? false);
  const push = (request: Parameters<typeof pushJobImage>[1]): Promise<PushResult> =>
    pushJobImage(
      {
        ecr: ecr(ctx.aws.region),
        docker,
        registry,
        say: ctx.say,
        signal: ctx.signal,
        agent: { packageRoot: packageRoot(), version: mnbatchVersion() },
      },
      request,
    );
  return { ecr, push, say: ctx.say };
}

/** The `pinImages` hook of submit for `job`. */
export function imagePinner(
  ctx: ImageContext,
  job: JobImage,
): (request: RegisterJobDefinitionCommandInput) => Promise<RegisterJobDefinitionCommandInput> {
  const d = deps(ctx);
  return (request) => pinImages(d, job, request);
}

/** Builds and pushes the job's image (`mnbatch image push`). */
export function pushImage(
  ctx: ImageContext,
  request: Parameters<typeof pushJobImage>[1],
): Promise<PushResult> {
  return deps(ctx).push(request);
}
