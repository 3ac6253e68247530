/**
 * Names and tags of a stack's resources: everything is found again from the stack name alone.
 */
import {
  STACK_TAG,
  stackExecutionPolicyName,
  stackExecutionRoleName,
  stackQueueName,
  stackRendezvousParameter,
} from '../contract/stack.js';
import type { InfraConfig } from './config.js';

/** Names of every resource of stack `stack`. */
export function stackNames(stack: string) {
  const base = `mnbatch-${stack}`;
  return {
    placementGroup: base,
    securityGroup: base,
    efsCreationToken: base,
    efs: base,
    launchTemplate: base,
    computeEnvironment: base,
    jobQueue: stackQueueName(stack),
    s3Endpoint: `${base}-s3`,
    instanceRole: `${base}-instance`,
    instanceProfile: `${base}-instance`,
    jobRole: `${base}-job`,
    executionRole: stackExecutionRoleName(stack),
    /** The customer managed policy an administrator makes once; `infra up` only attaches it. */
    executionPolicy: stackExecutionPolicyName(stack),
    rendezvousKey: stackRendezvousParameter(stack),
  } as const;
}

/** Which of the stack's roles `name` is (by its suffix). */
export function roleKind(name: string): 'instance-role' | 'job-role' | 'execution-role' {
  if (name.endsWith('-job')) return 'job-role';
  if (name.endsWith('-execution')) return 'execution-role';
  return 'instance-role';
}

/** The names of one stack. */
export type StackNames = ReturnType<typeof stackNames>;

/** Tags every resource of the stack carries: the user's extra tags, then the stack tag. */
export function stackTags(config: Pick<InfraConfig, 'stack' | 'tags'>): Record<string, string> {
  return { ...config.tags, [STACK_TAG]: config.stack };
}

/** The same tags as an EC2/EFS/IAM `[{Key, Value}]` list, with a `Name` tag when given. */
export function tagList(
  config: Pick<InfraConfig, 'stack' | 'tags'>,
  name?: string,
): { Key: string; Value: string }[] {
  const tags = name === undefined ? stackTags(config) : { Name: name, ...stackTags(config) };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Whether a `[{Key, Value}]` list or a `{key: value}` map carries stack `stack`'s tag. */
export function hasStackTag(
  tags:
    | readonly { Key?: string | undefined; Value?: string | undefined }[]
    | Record<string, string>
    | undefined,
  stack: string,
): boolean {
  return stackTagOf(tags) === stack;
}

/** The stack a resource's tags name, or undefined when it carries no stack tag. */
export function stackTagOf(
  tags:
    | readonly { Key?: string | undefined; Value?: string | undefined }[]
    | Record<string, string>
    | undefined,
): string | undefined {
  if (!tags) return undefined;
  if (Array.isArray(tags)) return tags.find((t) => t.Key === STACK_TAG)?.Value;
  return (tags as Record<string, string>)[STACK_TAG];
}

/** The EC2 filter that selects a stack's resources by tag. */
export function stackTagFilter(stack: string): { Name: string; Values: string[] } {
  return { Name: `tag:${STACK_TAG}`, Values: [stack] };
}
