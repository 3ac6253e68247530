/**
 * The pure planner: a validated job spec → the RegisterJobDefinition and SubmitJob requests
 * that `submit` sends. No SDK client, no I/O; the same spec always gives the same requests.
 */

import type { RegisterJobDefinitionCommandInput, SubmitJobCommandInput } from '@aws-sdk/client-batch';
import { AGENT_ENV } from '../contract/agent-env.js';
import { EXIT } from '../contract/exit-codes.js';
import { stackQueueName } from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import { BATCH_LIMITS, formatRange, type JobSpec, type NodeRange, type Segment } from '../spec/index.js';
import { containerProperties, type GroupSettings, sortedRecord } from './container.js';
import { contentHash } from './hash.js';
import { retryStrategy } from './retry.js';

/** What a plan needs besides the spec. */
export interface PlanOptions {
  /** Per-submission secret of the rendezvous; only in the SubmitJob request. */
  readonly token: string;
  /** mnbatch version, tagged on the job definition and the job. */
  readonly version: string;
  /** `--nodes`: overrides the node count at submission (nodeOverrides.numNodes). */
  readonly nodes?: number;
  /** `--queue`: overrides the spec's queue / stack. */
  readonly queue?: string;
  /** Who submits (tag `mnbatch:user`). */
  readonly user?: string;
}

/** Both requests of one submission. */
export interface JobPlan {
  readonly jobDefinitionName: string;
  readonly registerJobDefinition: RegisterJobDefinitionCommandInput;
  readonly submitJob: SubmitJobCommandInput;
  readonly numNodes: number;
}

/** What `plan` and `submit --dry-run` print in place of the token. */
export const TOKEN_PLACEHOLDER = '<per-submission token>';

/** AWS Batch's limit on the size of a job definition. */
export const MAX_JOB_DEFINITION_BYTES = 24 * 1024;

/** A rule of the plan broken by the spec; `path` is the job.yaml path to blame. */
export class PlanRuleError extends MnbatchError {
  readonly path: readonly Segment[];
  constructor(path: readonly Segment[], message: string) {
    super('PLAN_INVALID', message);
    this.path = path;
  }
}

/** Plans the job; throws MnbatchError when the options break a rule, PlanRuleError when the spec does. */
export function planJob(spec: JobSpec, options: PlanOptions): JobPlan {
  const groups = nodeGroups(spec);
  const numNodes = options.nodes ?? spec.nodes;
  if (options.nodes !== undefined) checkNodesOverride(spec, groups, options.nodes);
  const jobQueue =
    options.queue ?? spec.queue ?? (spec.stack !== undefined ? stackQueueName(spec.stack) : undefined);
  if (jobQueue === undefined) {
    throw new MnbatchError('NO_QUEUE', 'no queue: set queue or stack in job.yaml, or pass --queue');
  }

  const content: Omit<RegisterJobDefinitionCommandInput, 'jobDefinitionName'> = {
    type: 'multinode',
    nodeProperties: {
      numNodes: spec.nodes,
      mainNode: spec.mainNode,
      nodeRangeProperties: groups.map((g) => ({
        targetNodes: formatRange(g.range),
        container: containerProperties(spec, g.settings),
      })),
    },
    retryStrategy: retryStrategy(spec.retries),
    ...(spec.timeout !== undefined ? { timeout: { attemptDurationSeconds: spec.timeout } } : {}),
    tags: jobTags(spec, options),
    propagateTags: spec.propagateTags,
    platformCapabilities: ['EC2'],
  };
  const jobDefinitionName = `${spec.name}-${contentHash(content)}`;
  const registerJobDefinition: RegisterJobDefinitionCommandInput = { jobDefinitionName, ...content };
  checkSize(spec, registerJobDefinition);

  const submitJob: SubmitJobCommandInput = {
    jobName: spec.name,
    jobQueue,
    jobDefinition: jobDefinitionName,
    nodeOverrides: {
      ...(options.nodes !== undefined ? { numNodes: options.nodes } : {}),
      // The token reaches every node through the same ranges as the job definition's.
      nodePropertyOverrides: groups.map((g) => ({
        targetNodes: formatRange(g.range),
        containerOverrides: { environment: [{ name: AGENT_ENV.token, value: options.token }] },
      })),
    },
    tags: {
      ...jobTags(spec, options),
      ...(options.user !== undefined ? { 'mnbatch:user': options.user } : {}),
    },
    propagateTags: spec.propagateTags,
  };
  return { jobDefinitionName, registerJobDefinition, submitJob, numNodes };
}

/** Who submits, for the `mnbatch:user` tag: the login name from the environment, if any. */
export function submitterOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const user = env.USER ?? env.USERNAME ?? env.LOGNAME;
  // Tag values allow letters, digits, spaces and _ . : / = + - @ only.
  const clean = user?.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_').slice(0, 256);
  return clean === undefined || clean === '' ? undefined : clean;
}

interface Group {
  readonly range: NodeRange;
  readonly settings: GroupSettings;
}

/**
 * The node ranges in index order. The last one is left open ("4:") so that `--nodes` can change
 * the count: Batch only accepts nodeOverrides.numNodes with an open-ended range.
 */
function nodeGroups(spec: JobSpec): Group[] {
  const base: GroupSettings = {
    image: spec.image,
    command: spec.command,
    environment: {},
    resources: spec.resources,
  };
  if (!spec.nodeGroups) return [{ range: { from: 0, to: undefined }, settings: base }];
  const sorted = [...spec.nodeGroups].sort((a, b) => a.range.from - b.range.from);
  return sorted.map((g, i) => ({
    range: i === sorted.length - 1 ? { from: g.range.from, to: undefined } : g.range,
    settings: {
      image: g.image ?? spec.image,
      command: g.command ?? spec.command,
      environment: g.environment,
      resources: { ...spec.resources, ...definedOnly(g.resources ?? {}) },
    },
  }));
}

function checkNodesOverride(spec: JobSpec, groups: readonly Group[], nodes: number): void {
  const fail = (why: string) => {
    throw new MnbatchError('NODES_INVALID', `--nodes ${nodes}: ${why}`, { exitCode: EXIT.usage });
  };
  if (!Number.isInteger(nodes) || nodes < BATCH_LIMITS.minNodes || nodes > BATCH_LIMITS.maxNodes) {
    fail(`must be a whole number from ${BATCH_LIMITS.minNodes} to ${BATCH_LIMITS.maxNodes}`);
  }
  if (nodes <= spec.mainNode) fail(`must be above mainNode (${spec.mainNode})`);
  const minNodes = spec.rendezvous.minNodes;
  if (minNodes !== undefined && nodes < minNodes) fail(`is below rendezvous.minNodes (${minNodes})`);
  const last = groups.at(-1)!.range;
  if (nodes <= last.from) fail(`must be above ${last.from}, where the last node group starts`);
}

function jobTags(spec: JobSpec, options: PlanOptions): Record<string, string> {
  return { ...sortedRecord(spec.tags), 'mnbatch:job': spec.name, 'mnbatch:version': options.version };
}

function checkSize(spec: JobSpec, request: RegisterJobDefinitionCommandInput): void {
  const bytes = Buffer.byteLength(JSON.stringify(request));
  if (bytes <= MAX_JOB_DEFINITION_BYTES) return;
  // Blame the field of job.yaml that weighs most: that is what the user has to shrink.
  const [largest] = Object.entries(spec)
    .map(([key, value]) => [key, Buffer.byteLength(JSON.stringify(value) ?? '')] as const)
    .sort((a, b) => b[1] - a[1]);
  throw new PlanRuleError(
    largest ? [largest[0]] : [],
    `the job definition would be ${(bytes / 1024).toFixed(1)} KiB; AWS Batch allows at most 24 KiB` +
      (largest ? ` (the largest part is ${largest[0]})` : ''),
  );
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
