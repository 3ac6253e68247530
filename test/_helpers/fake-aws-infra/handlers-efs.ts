/**
 * EFS calls of the fake (see fake-infra.md).
 */
import * as efs from '@aws-sdk/client-efs';
import { ACCOUNT, awsError, type InfraState, REGION } from './state.js';

// biome-ignore lint/suspicious/noExplicitAny: command classes of any input type
type Handler = [new (input: any) => unknown, (input: any) => unknown];

/** Advances a pending lifecycle by one describe; returns the new state (undefined = gone). */
function step<S>(pending: Map<string, { polls: number; next: S }>, id: string, current: S): S | 'unchanged' {
  const p = pending.get(id);
  if (!p) return 'unchanged';
  if (p.polls > 0) {
    p.polls -= 1;
    return current;
  }
  pending.delete(id);
  return p.next;
}

/** Handlers for the EFS commands mnbatch's infra code sends. */
export function efsHandlers(s: InfraState): Handler[] {
  const advanceFs = (id: string) => {
    const f = s.fileSystems.get(id);
    if (!f) return;
    const next = step(s.fileSystemPending, id, f.LifeCycleState);
    if (next !== 'unchanged') f.LifeCycleState = next as efs.LifeCycleState;
  };
  const advanceMt = (id: string) => {
    const m = s.mountTargets.get(id);
    if (!m) return;
    const next = step(s.mountTargetPending, id, m.LifeCycleState as string | undefined);
    if (next === 'unchanged') return;
    if (next === undefined) {
      s.mountTargets.delete(id);
      s.mountTargetGroups.delete(id);
      const f = s.fileSystems.get(m.FileSystemId ?? '');
      if (f) f.NumberOfMountTargets = (f.NumberOfMountTargets ?? 1) - 1;
    } else m.LifeCycleState = next as efs.LifeCycleState;
  };
  return [
    [
      efs.DescribeFileSystemsCommand,
      (i: efs.DescribeFileSystemsCommandInput) => {
        s.read('DescribeFileSystems');
        if (i.FileSystemId && !s.fileSystems.has(i.FileSystemId)) throw awsError('FileSystemNotFound');
        for (const id of s.fileSystems.keys()) advanceFs(id);
        return {
          FileSystems: [...s.fileSystems.values()].filter(
            (f) =>
              (!i.FileSystemId || f.FileSystemId === i.FileSystemId) &&
              (!i.CreationToken || f.CreationToken === i.CreationToken),
          ),
        };
      },
    ],
    [
      efs.CreateFileSystemCommand,
      (i: efs.CreateFileSystemCommandInput) => {
        if ([...s.fileSystems.values()].some((f) => f.CreationToken === i.CreationToken))
          throw awsError('FileSystemAlreadyExists');
        s.mutate('CreateFileSystem', i.CreationToken ?? '');
        const id = s.id('fs');
        const f: efs.FileSystemDescription = {
          FileSystemId: id,
          FileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${id}`,
          OwnerId: ACCOUNT,
          CreationToken: i.CreationToken,
          CreationTime: new Date(0),
          LifeCycleState: 'creating',
          NumberOfMountTargets: 0,
          SizeInBytes: { Value: 0 },
          PerformanceMode: i.PerformanceMode ?? 'generalPurpose',
          ThroughputMode: i.ThroughputMode,
          Encrypted: i.Encrypted,
          Name: i.Tags?.find((t) => t.Key === 'Name')?.Value,
          Tags: i.Tags ?? [],
        };
        s.fileSystems.set(id, f);
        s.fileSystemPending.set(id, { polls: 1, next: 'available' });
        return f;
      },
    ],
    [
      efs.DeleteFileSystemCommand,
      (i: efs.DeleteFileSystemCommandInput) => {
        const f = s.fileSystems.get(i.FileSystemId ?? '');
        if (!f) throw awsError('FileSystemNotFound');
        if ((f.NumberOfMountTargets ?? 0) > 0) throw awsError('FileSystemInUse');
        s.mutate('DeleteFileSystem', i.FileSystemId ?? '');
        s.fileSystems.delete(i.FileSystemId ?? '');
        return {};
      },
    ],
    [
      efs.DescribeMountTargetsCommand,
      (i: efs.DescribeMountTargetsCommandInput) => {
        if (!s.fileSystems.has(i.FileSystemId ?? '')) throw awsError('FileSystemNotFound');
        for (const id of [...s.mountTargets.keys()]) advanceMt(id);
        return {
          MountTargets: [...s.mountTargets.values()].filter((m) => m.FileSystemId === i.FileSystemId),
        };
      },
    ],
    [
      efs.CreateMountTargetCommand,
      (i: efs.CreateMountTargetCommandInput) => {
        const f = s.fileSystems.get(i.FileSystemId ?? '');
        if (!f) throw awsError('FileSystemNotFound');
        if (f.LifeCycleState !== 'available') throw awsError('IncorrectFileSystemLifeCycleState');
        const subnet = s.subnets.find((n) => n.SubnetId === i.SubnetId);
        if (
          [...s.mountTargets.values()].some(
            (m) => m.FileSystemId === f.FileSystemId && m.AvailabilityZoneId === subnet?.AvailabilityZoneId,
          )
        )
          throw awsError('MountTargetConflict');
        s.mutate('CreateMountTarget', i.FileSystemId ?? '');
        const id = s.id('fsmt');
        const m: efs.MountTargetDescription = {
          MountTargetId: id,
          FileSystemId: i.FileSystemId,
          SubnetId: i.SubnetId,
          LifeCycleState: 'creating',
          AvailabilityZoneId: subnet?.AvailabilityZoneId,
          AvailabilityZoneName: subnet?.AvailabilityZone,
          VpcId: subnet?.VpcId,
          IpAddress: '10.0.1.10',
        };
        s.mountTargets.set(id, m);
        s.mountTargetGroups.set(id, i.SecurityGroups ?? []);
        s.mountTargetPending.set(id, { polls: s.mountTargetCreatingPolls, next: 'available' });
        f.NumberOfMountTargets = (f.NumberOfMountTargets ?? 0) + 1;
        return m;
      },
    ],
    [
      efs.DeleteMountTargetCommand,
      (i: efs.DeleteMountTargetCommandInput) => {
        const m = s.mountTargets.get(i.MountTargetId ?? '');
        if (!m) throw awsError('MountTargetNotFound');
        s.mutate('DeleteMountTarget', i.MountTargetId ?? '');
        m.LifeCycleState = 'deleting';
        s.mountTargetPending.set(i.MountTargetId ?? '', { polls: 1, next: undefined });
        return {};
      },
    ],
  ];
}
