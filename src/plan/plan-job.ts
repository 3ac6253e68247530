/**
 * The pure planner: a validated job spec → the RegisterJobDefinition and SubmitJob requests
 * that `submit` sends. No SDK client, no I/O; the same spec always gives the same requests.
 */
import type {
  ContainerProperties,
  RegisterJobDefinitionCommandInput,
  SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { AGENT_ENV } from '../contract/agent-env.js';
import { EXIT } from '../contract/exit-codes.js';
import {
  JOB_DEFINITION_PREFIX,
  stackExecutionRoleName,
  stackQueueName,
  stackRendezvousParameter,
} from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import type { InstanceKnowledge } from '../instances/facts.js';
import { BATCH_LIMITS, formatRange, type JobSpec, type NodeRange } from '../spec/index.js';
import { containerProperties, type GroupSettings, sortedRecord } from './container.js';
import { efaDevicesOf, type StackEfaInterfaces } from './efa.js';
import { contentHash } from './hash.js';
import { retryStrategy } from './retry.js';
import { PlanRuleError } from './rule-error.js';

/**
 * How the nodes get the rendezvous secret. On Batch (`stack-key`) the job definition names the
 * stack's SecureString in every container's `secrets`, read by ECS with the execution role, and
 * the agent derives the job's token from it: no request or description of the job carries a
 * secret. A local run (`token`) puts a fresh per-run token in the submission's overrides, which
 * the local runner hands to Docker through a 0600 env file.
 */
export type RendezvousSecret =
  | { readonly kind: 'stack-key'; readonly parameterArn: string; readonly executionRoleArn: string }
  | { readonly kind: 'token'; readonly token: string }
  /** `plan`, `validate`, `submit --dry-run`: the stack's key and role with `<region>`/`<account>` (no AWS call). */
  | { readonly kind: 'placeholder' };

/** The placeholder rendezvous secret. */
export const RENDEZVOUS_PLACEHOLDER: RendezvousSecret = { kind: 'placeholder' };

/** What a plan needs besides the spec. */
export interface PlanOptions {
  readonly rendezvous: RendezvousSecret;
  /** mnbatch version, tagged on the job definition and the job. */
  readonly version: string;
  /** `--nodes`: overrides the node count at submission (nodeOverrides.numNodes). */
  readonly nodes?: number;
  /** `--queue`: overrides the spec's queue / stack. */
  readonly queue?: string;
  /** Who submits (tag `mnbatch:user`). */
  readonly user?: string;
  /**
   * Facts of the job's instance type (`efa: auto`, and the check of `efa: N`); without them
   * `efa: auto` is left for submit to resolve (see JobPlan.unresolved).
   */
  readonly instances?: InstanceKnowledge;
  /** The EFA interfaces of the queue's stack (`submit`); without them UNTAGGED_STACK_EFA_INTERFACES. */
  readonly stackEfa?: StackEfaInterfaces;
}

/** Both requests of one submission. */
export interface JobPlan {
  readonly jobDefinitionName: string;
  readonly registerJobDefinition: RegisterJobDefinitionCommandInput;
  readonly submitJob: SubmitJobCommandInput;
  readonly numNodes: number;
  /** What this plan leaves for submit, which asks EC2, to resolve (one line each); empty for submit. */
  readonly unresolved: readonly string[];
}

/** What `plan`, `validate` and `submit --dry-run` show for the stack's key and execution role. */
function placeholderKey(stack: string | undefined): RendezvousSecret {
  const name = stack ?? '<stack>';
  return {
    kind: 'stack-key',
    parameterArn: `arn:aws:ssm:<region>:<account>:parameter${stackRendezvousParameter(name)}`,
    executionRoleArn: `arn:aws:iam::<account>:role/${stackExecutionRoleName(name)}`,
  };
}

/** AWS Batch's limit on the size of a job definition. */
export const MAX_JOB_DEFINITION_BYTES = 24 * 1024;

/** Plans the job; throws MnbatchError when the options break a rule, PlanRuleError when the spec does. */
export function planJob(spec: JobSpec, given: PlanOptions): JobPlan {
  const options =
    given.rendezvous.kind === 'placeholder' ? { ...given, rendezvous: placeholderKey(spec.stack) } : given;
  const efa = efaDevicesOf(spec, options.instances, options.stackEfa);
  const efaDevices = efa.kind === 'count' ? efa.count : 0;
  const groups = nodeGroups(spec);
  const numNodes = options.nodes ?? spec.nodes;
  if (options.nodes !== undefined) checkNodesOverride(spec, groups, options.nodes);
  const jobQueue =
    options.queue ?? spec.queue ?? (spec.stack !== undefined ? stackQueueName(spec.stack) : undefined);
  if (jobQueue === undefined) {
    throw new MnbatchError('NO_QUEUE', 'no queue: set queue or stack in job.yaml, or pass --queue');
  }

  const contentWith = (
    rendezvous: RendezvousSecret,
  ): Omit<RegisterJobDefinitionCommandInput, 'jobDefinitionName'> => ({
    type: 'multinode',
    nodeProperties: {
      numNodes: spec.nodes,
      mainNode: spec.mainNode,
      nodeRangeProperties: groups.map((g) => ({
        targetNodes: formatRange(g.range),
        container: withRendezvousKey(containerProperties(spec, g.settings, efaDevices), rendezvous),
      })),
    },
    retryStrategy: retryStrategy(spec.retries),
    ...(spec.timeout !== undefined ? { timeout: { attemptDurationSeconds: spec.timeout } } : {}),
    tags: jobTags(spec, options),
    propagateTags: spec.propagateTags,
    platformCapabilities: ['EC2'],
  });
  const content = contentWith(options.rendezvous);
  // The name hashes the content with the key's and role's account and region left out, so that
  // `plan` (which calls no AWS API to learn them) names the definition exactly as `submit` does.
  const named = options.rendezvous.kind === 'stack-key' ? contentWith(placeholderKey(spec.stack)) : content;
  const jobDefinitionName = `${JOB_DEFINITION_PREFIX}${spec.name}-${contentHash(named)}`;
  const registerJobDefinition: RegisterJobDefinitionCommandInput = { jobDefinitionName, ...content };
  checkSize(spec, registerJobDefinition);

  const submitJob: SubmitJobCommandInput = {
    jobName: spec.name,
    jobQueue,
    jobDefinition: jobDefinitionName,
    ...nodeOverrides(groups, options),
    tags: {
      ...jobTags(spec, options),
      ...(options.user !== undefined ? { 'mnbatch:user': options.user } : {}),
    },
    propagateTags: spec.propagateTags,
  };
  const unresolved = efa.kind === 'at-submit' ? [efa.note] : [];
  return { jobDefinitionName, registerJobDefinition, submitJob, numNodes, unresolved };
}

/** The stack's key in the container's `secrets`, read by ECS with the execution role (job.yaml's, else the stack's). */
function withRendezvousKey(container: ContainerProperties, secret: RendezvousSecret): ContainerProperties {
  if (secret.kind !== 'stack-key') return container;
  return {
    ...container,
    executionRoleArn: container.executionRoleArn ?? secret.executionRoleArn,
    secrets: [{ name: AGENT_ENV.rendezvousKey, valueFrom: secret.parameterArn }],
  };
}

/** `--nodes`, and a local run's token through the same ranges as the job definition's. */
function nodeOverrides(
  groups: readonly Group[],
  options: PlanOptions,
): Pick<SubmitJobCommandInput, 'nodeOverrides'> {
  const secret = options.rendezvous;
  const overrides = {
    ...(options.nodes !== undefined ? { numNodes: options.nodes } : {}),
    ...(secret.kind === 'token'
      ? {
          nodePropertyOverrides: groups.map((g) => ({
            targetNodes: formatRange(g.range),
            containerOverrides: { environment: [{ name: AGENT_ENV.token, value: secret.token }] },
          })),
        }
      : {}),
  };
  return Object.keys(overrides).length > 0 ? { nodeOverrides: overrides } : {};
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
