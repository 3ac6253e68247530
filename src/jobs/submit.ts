/**
 * `submit`: check the queue, register-or-reuse the job definition, submit the job, say where to see it, and with
 * `--wait` / `--follow` stay with it until it ends.
 */
import type { RegisterJobDefinitionCommandInput, SubmitJobCommandInput } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import type { LogsApi } from '../aws/logs.js';
import type { Clock } from '../clock.js';
import type { Output } from '../ui/output.js';
import type { InstanceFactsLookup } from './instance-types.js';
import { CONTENT_TAG, ensureJobDefinition, type JobDefinitionChoice } from './job-definition.js';
import { checkQueue } from './preflight.js';
import { consoleUrl } from './render.js';
import { type WaitOptions, waitForJob } from './wait.js';

/** The part of a JobPlan (src/plan) that submitting uses. */
export interface SubmitPlan {
  readonly jobDefinitionName: string;
  readonly registerJobDefinition: RegisterJobDefinitionCommandInput;
  readonly submitJob: SubmitJobCommandInput;
  readonly numNodes: number;
}

export interface SubmitDeps {
  readonly batch: BatchApi;
  readonly logs?: LogsApi;
  readonly output: Output;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** EC2's instance type facts for the RUNNABLE diagnosis (wait.ts). */
  readonly instanceFacts?: InstanceFactsLookup;
  /** Pins the definition's images by digest (building and pushing `build:`) after the queue check. */
  readonly pinImages?: (
    request: RegisterJobDefinitionCommandInput,
  ) => Promise<RegisterJobDefinitionCommandInput>;
}

export interface SubmitOptions extends Pick<WaitOptions, 'cancelOnInterrupt' | 'runnableAfterMs'> {
  readonly wait?: boolean;
  readonly follow?: boolean;
  readonly json?: boolean;
}

/** What `submit --json` prints. */
export interface SubmitResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly jobDefinition: string;
  readonly jobDefinitionReused: boolean;
  readonly consoleUrl: string;
}

/**
 * What submit says after registering a revision: an older revision with other content (an edited
 * job.yaml, a rebuilt image) is the everyday case and gets a short note; a revision without the
 * content tag was registered outside mnbatch, which the user may want to know. Pure.
 */
export function registeredLines(
  name: string,
  choice: Extract<JobDefinitionChoice, { kind: 'registered' }>,
): string[] {
  const latest = choice.changed.at(-1);
  const lines = [
    `registered job definition ${choice.jobDefinition}${latest !== undefined ? ` (content changed since revision ${latest})` : ''}`,
  ];
  if (choice.untagged.length > 0) {
    const many = choice.untagged.length > 1;
    lines.push(
      `  (ACTIVE revision${many ? 's' : ''} ${choice.untagged.join(', ')} of ${name} ${many ? 'have' : 'has'} no ${CONTENT_TAG} tag — registered outside mnbatch? — so ${many ? 'none was' : 'it was not'} reused)`,
    );
  }
  return lines;
}

/** Submits `plan` (planned with its stack's rendezvous key: src/jobs/rendezvous.ts); returns the launcher's exit code. */
export async function submitPlan(
  deps: SubmitDeps,
  plan: SubmitPlan,
  options: SubmitOptions = {},
): Promise<number> {
  const { batch, output } = deps;
  // Read-only checks first: a queue that cannot run the job must not cost a revision.
  await checkQueue(batch, plan.submitJob.jobQueue ?? '', plan.registerJobDefinition);
  const register = deps.pinImages
    ? await deps.pinImages(plan.registerJobDefinition)
    : plan.registerJobDefinition;
  const choice = await ensureJobDefinition(batch, register);
  if (choice.kind === 'reused') {
    output.err(`job definition ${choice.jobDefinition} unchanged: reused`);
  } else {
    for (const line of registeredLines(plan.jobDefinitionName, choice)) output.err(line);
  }
  const submitted = await batch.submitJob({ ...plan.submitJob, jobDefinition: choice.jobDefinition });
  const link = consoleUrl(await batch.region(), submitted.jobId);
  const result: SubmitResult = {
    jobId: submitted.jobId,
    jobName: submitted.jobName,
    jobDefinition: choice.jobDefinition,
    jobDefinitionReused: choice.kind === 'reused',
    consoleUrl: link,
  };
  if (options.json) {
    output.out(JSON.stringify(result, null, 2));
  } else {
    output.out(`submitted ${result.jobName} (${plan.numNodes} nodes): ${result.jobId}`);
    output.out(link);
  }
  if (!options.wait && !options.follow) return 0;
  return waitForJob(deps, submitted.jobId, {
    numNodes: plan.numNodes,
    follow: options.follow ?? false,
    ...(options.cancelOnInterrupt !== undefined ? { cancelOnInterrupt: options.cancelOnInterrupt } : {}),
    ...(options.runnableAfterMs !== undefined ? { runnableAfterMs: options.runnableAfterMs } : {}),
  });
}
