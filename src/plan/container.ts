/** The container of one node range: image, command, resources, agent variables, devices, volumes. */
import type { ContainerProperties, KeyValuePair, MountPoint, Ulimit, Volume } from '@aws-sdk/client-batch';
import { AGENT_ENV } from '../contract/agent-env.js';
import type { JobSpec } from '../spec/index.js';

/** What differs between node groups; the rest comes from the job. */
export interface GroupSettings {
  readonly image: string;
  readonly command: readonly string[] | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly resources: { readonly vcpus: number; readonly memory: number; readonly gpus: number };
}

const UNLIMITED = -1;

/** The container properties of a node range, with `efaDevices` EFA devices mapped (src/plan/efa.ts). */
export function containerProperties(
  spec: JobSpec,
  group: GroupSettings,
  efaDevices: number,
): ContainerProperties {
  const { volumes, mountPoints } = storage(spec);
  const devices = efaDeviceMappings(efaDevices);
  const linuxParameters = {
    // An init process as PID 1 reaps what mpirun and sshd leave orphaned and forwards signals
    // to the agent, which then need not act as init itself.
    initProcessEnabled: true,
    ...(devices.length > 0 ? { devices } : {}),
    ...(spec.sharedMemory !== undefined ? { sharedMemorySize: spec.sharedMemory } : {}),
  };
  // With efa on, memory is unlocked even when the devices are left for submit to count.
  const ulimits = ulimitsOf(spec, spec.efa !== 'off');
  return {
    image: group.image,
    ...(group.command ? { command: [...group.command] } : {}),
    resourceRequirements: [
      { type: 'VCPU', value: String(group.resources.vcpus) },
      { type: 'MEMORY', value: String(group.resources.memory) },
      ...(group.resources.gpus > 0 ? [{ type: 'GPU' as const, value: String(group.resources.gpus) }] : []),
    ],
    environment: environment(spec, group),
    ...(spec.instanceType ? { instanceType: spec.instanceType } : {}),
    linuxParameters,
    ...(ulimits.length > 0 ? { ulimits } : {}),
    ...(volumes.length > 0 ? { volumes, mountPoints } : {}),
    ...(spec.jobRoleArn ? { jobRoleArn: spec.jobRoleArn } : {}),
    // Only when asked, so that job definitions without it keep their content hash.
    ...(spec.exec ? { enableExecuteCommand: true } : {}),
    ...(spec.executionRoleArn ? { executionRoleArn: spec.executionRoleArn } : {}),
    ...(spec.logging
      ? { logConfiguration: { logDriver: spec.logging.driver, options: sortedRecord(spec.logging.options) } }
      : {}),
  };
}

/** The job's variables, the group's, and the MNBATCH_* ones the agent reads (all but the token), sorted. */
function environment(spec: JobSpec, group: GroupSettings): KeyValuePair[] {
  const agent: Record<string, string> = {
    [AGENT_ENV.protocol]: '1',
    [AGENT_ENV.jobName]: spec.name,
    [AGENT_ENV.launch]: spec.launch,
    [AGENT_ENV.mpi]: spec.mpi.implementation,
    [AGENT_ENV.slots]: String(spec.mpi.slotsPerNode),
    [AGENT_ENV.gpus]: String(group.resources.gpus),
    [AGENT_ENV.mpirunArgs]: JSON.stringify(spec.mpi.args),
    [AGENT_ENV.mpiEnv]: JSON.stringify(sortedRecord(spec.mpi.env)),
    [AGENT_ENV.rendezvousPort]: String(spec.rendezvous.port),
    [AGENT_ENV.rendezvousTimeout]: String(spec.rendezvous.timeout),
    [AGENT_ENV.sshPort]: String(spec.ssh.port),
    ...(spec.rendezvous.minNodes !== undefined
      ? { [AGENT_ENV.minNodes]: String(spec.rendezvous.minNodes) }
      : {}),
  };
  const all = { ...spec.environment, ...group.environment, ...agent };
  return Object.keys(all)
    .sort()
    .map((name) => ({ name, value: all[name]! }));
}

/** `/dev/infiniband/uverbsN` for each of `count` EFA devices. */
function efaDeviceMappings(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    hostPath: `/dev/infiniband/uverbs${i}`,
    containerPath: `/dev/infiniband/uverbs${i}`,
    permissions: ['READ' as const, 'WRITE' as const, 'MKNOD' as const],
  }));
}

/** The job's ulimits; EFA needs unlimited locked memory, so it is added unless the job sets memlock. */
function ulimitsOf(spec: JobSpec, efa: boolean): Ulimit[] {
  const limits: Record<string, Ulimit> = {};
  const n = (v: number | 'unlimited') => (v === 'unlimited' ? UNLIMITED : v);
  for (const [name, v] of Object.entries(spec.ulimits)) {
    const [soft, hard] = typeof v === 'object' ? [n(v.soft), n(v.hard)] : [n(v), n(v)];
    limits[name] = { name, softLimit: soft, hardLimit: hard };
  }
  if (efa && !limits.memlock)
    limits.memlock = { name: 'memlock', softLimit: UNLIMITED, hardLimit: UNLIMITED };
  return Object.keys(limits)
    .sort()
    .map((k) => limits[k]!);
}

/** EFS (as an EFS volume or a host path the AMI mounts) and host volumes. */
function storage(spec: JobSpec): { volumes: Volume[]; mountPoints: MountPoint[] } {
  const volumes: Volume[] = [];
  const mountPoints: MountPoint[] = [];
  const { efs } = spec;
  if (efs?.hostPath !== undefined) {
    volumes.push({ name: 'efs', host: { sourcePath: efs.hostPath } });
    mountPoints.push({ sourceVolume: 'efs', containerPath: efs.mountPath, readOnly: false });
  } else if (efs?.fileSystemId !== undefined) {
    const encrypted = efs.transitEncryption ?? true;
    const authorization =
      efs.accessPointId !== undefined || efs.iam !== undefined
        ? {
            ...(efs.accessPointId !== undefined ? { accessPointId: efs.accessPointId } : {}),
            ...(efs.iam !== undefined ? { iam: efs.iam ? ('ENABLED' as const) : ('DISABLED' as const) } : {}),
          }
        : undefined;
    volumes.push({
      name: 'efs',
      efsVolumeConfiguration: {
        fileSystemId: efs.fileSystemId,
        ...(efs.rootDirectory !== undefined ? { rootDirectory: efs.rootDirectory } : {}),
        transitEncryption: encrypted ? 'ENABLED' : 'DISABLED',
        ...(authorization ? { authorizationConfig: authorization } : {}),
      },
    });
    mountPoints.push({ sourceVolume: 'efs', containerPath: efs.mountPath, readOnly: false });
  }
  spec.volumes.forEach((v, i) => {
    volumes.push({ name: `volume-${i}`, host: { sourcePath: v.hostPath } });
    mountPoints.push({ sourceVolume: `volume-${i}`, containerPath: v.containerPath, readOnly: v.readOnly });
  });
  return { volumes, mountPoints };
}

/** A copy of `record` with its keys in order (stable output and hashes). */
export function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]!]),
  );
}
