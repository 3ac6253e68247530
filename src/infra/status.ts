/**
 * `mnbatch infra status`: every resource of the stack, its id and state; with infra.yaml also
 * the ones that are missing and the ones in the way.
 */
import type { Output } from '../ui/output.js';
import type { InfraConfig } from './config.js';
import { roleKind } from './names.js';
import type { Found, Observed, ResourceKind } from './observe.js';
import { observeStack } from './observe.js';
import { table } from './print.js';
import type { InfraServices } from './services.js';

/** Rows of the status table: kind, name, id, state, note. */
export function statusRows(observed: Observed): string[][] {
  const stack = observed.stack;
  const rows: string[][] = [];
  const add = (kind: ResourceKind, list: readonly Found<unknown>[]) => {
    for (const f of list) {
      const note =
        f.stackTag === stack ? '' : f.stackTag ? `not ours: stack ${f.stackTag}` : 'not ours: no stack tag';
      rows.push([kind, f.name, f.id, f.state, note]);
    }
  };
  add('rendezvous-key', observed.rendezvousKeys);
  add(
    'instance-role',
    observed.roles.filter((r) => roleKind(r.name) === 'instance-role'),
  );
  add('instance-profile', observed.instanceProfiles);
  add(
    'job-role',
    observed.roles.filter((r) => roleKind(r.name) === 'job-role'),
  );
  add(
    'execution-role',
    observed.roles.filter((r) => roleKind(r.name) === 'execution-role'),
  );
  add('placement-group', observed.placementGroups);
  add('security-group', observed.securityGroups);
  add('file-system', observed.fileSystems);
  add('mount-target', observed.mountTargets);
  add('s3-endpoint', observed.endpoints);
  add('launch-template', observed.launchTemplates);
  add('compute-environment', observed.computeEnvironments);
  add('job-queue', observed.jobQueues);
  return rows;
}

/** Runs `infra status`; returns 0 (and 1 when the stack has no resources at all). */
export async function infraStatus(
  s: InfraServices,
  stack: string,
  out: Output,
  config?: InfraConfig,
): Promise<number> {
  const observed = await observeStack(s, stack, {
    vpcId: config?.vpcId,
    existingFileSystemId: config?.efs.startsWith('fs-') ? config.efs : undefined,
    s3Endpoint: config?.s3Endpoint,
  });
  const rows = statusRows(observed);
  if (rows.length === 0) {
    out.out(`stack ${stack}: no resources in ${s.region}`);
    return 1;
  }
  out.out(`stack ${stack} in ${s.region}:`);
  for (const line of table([['KIND', 'NAME', 'ID', 'STATE', ''], ...rows])) out.out(line);
  return 0;
}
