/**
 * `mnbatch infra down`: deletes the resources that carry the stack's tag, in dependency order
 * (job queue and compute environment are disabled and waited for first), and reports anything
 * that could not be deleted.
 */

import { STACK_TAG } from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { type DeleteTarget, deleteResource } from './lifecycle.js';
import { roleKind } from './names.js';
import { type Observed, observeStack, RESOURCE_KINDS } from './observe.js';
import { table } from './print.js';
import type { InfraServices } from './services.js';

/** Flags of `infra down`. */
export interface DownOptions {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

/** The stack's own resources (by tag), in deletion order. */
export function deletionTargets(observed: Observed): DeleteTarget[] {
  const stack = observed.stack;
  const own = <T>(list: readonly { stackTag: string | undefined; name: string; id: string; value: T }[]) =>
    list.filter((f) => f.stackTag === stack);
  const targets: DeleteTarget[] = [
    ...own(observed.jobQueues).map((f) => ({ kind: 'job-queue' as const, name: f.name, id: f.id })),
    ...own(observed.computeEnvironments).map((f) => ({
      kind: 'compute-environment' as const,
      name: f.name,
      id: f.id,
    })),
    ...own(observed.launchTemplates).map((f) => ({
      kind: 'launch-template' as const,
      name: f.name,
      id: f.id,
    })),
    ...own(observed.mountTargets).map((f) => ({
      kind: 'mount-target' as const,
      name: f.name,
      id: f.id,
      fileSystemId: f.value.FileSystemId,
    })),
    ...own(observed.fileSystems).map((f) => ({ kind: 'file-system' as const, name: f.name, id: f.id })),
    ...own(observed.endpoints).map((f) => ({ kind: 's3-endpoint' as const, name: f.name, id: f.id })),
    ...own(observed.securityGroups).map((f) => ({ kind: 'security-group' as const, name: f.name, id: f.id })),
    ...own(observed.placementGroups).map((f) => ({
      kind: 'placement-group' as const,
      name: f.name,
      id: f.id,
    })),
    ...own(observed.instanceProfiles).map((f) => ({
      kind: 'instance-profile' as const,
      name: f.name,
      id: f.id,
    })),
    ...own(observed.roles).map((f) => ({ kind: roleKind(f.name), name: f.name, id: f.id })),
    ...own(observed.rendezvousKeys).map((f) => ({ kind: 'rendezvous-key' as const, name: f.name, id: f.id })),
  ];
  return targets;
}

/**
 * What `down` leaves on purpose, and how to find it: the repositories `submit` pushed the jobs'
 * images to are the user's data, not the stack's infrastructure (and the infra policy may not
 * delete them), but they cost storage until deleted.
 */
export function keptNote(stack: string, region: string): string[] {
  return [
    `kept: the ECR repositories of the stack's job images (tagged ${STACK_TAG}=${stack}; they cost storage until deleted). To list them:`,
    `  aws resourcegroupstaggingapi get-resources --region ${region} --tag-filters Key=${STACK_TAG},Values=${stack} --resource-type-filters ecr:repository`,
    '  and to delete one with its images: aws ecr delete-repository --force --repository-name <name>',
  ];
}

/** Runs `infra down` for stack `stack`; returns the exit code (1 when something was left). */
export async function infraDown(
  s: InfraServices,
  stack: string,
  options: DownOptions,
  out: Output,
  vpcId?: string,
): Promise<number> {
  const observed = await observeStack(s, stack, { vpcId });
  const targets = deletionTargets(observed);
  if (targets.length === 0) {
    out.out(`stack ${stack}: nothing to delete in ${s.region}`);
    return 0;
  }
  out.out(`stack ${stack} in ${s.region}: ${targets.length} resource(s) to delete, in this order`);
  for (const line of table(targets.map((t) => ['-', t.kind, t.name, t.id]))) out.out(line);
  if (options.dryRun) {
    out.out('dry run: nothing was deleted');
    return 0;
  }
  if (!options.yes)
    throw new MnbatchError('INFRA_NEEDS_CONFIRMATION', `run again with --yes to delete stack ${stack}`);

  const failures: string[] = [];
  for (const t of targets) {
    out.err(`deleting ${t.kind} ${t.name} (${t.id})`);
    try {
      await deleteResource(s, t);
    } catch (e) {
      failures.push(`${t.kind} ${t.name} (${t.id}): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failures.length === 0) {
    out.out(`stack ${stack} deleted`);
    for (const line of keptNote(stack, s.region)) out.out(line);
    return 0;
  }
  out.err(`error: ${failures.length} resource(s) of stack ${stack} could not be deleted:`);
  for (const f of failures) out.err(`  ${f}`);
  out.err('  fix the cause and run `mnbatch infra down` again (it only deletes what is left)');
  return 1;
}

/** Kinds in the order `down` deletes them (for documentation and tests). */
export const DELETION_ORDER = [...RESOURCE_KINDS].reverse();
