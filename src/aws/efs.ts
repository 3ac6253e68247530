/**
 * EFS adapter: only the calls `infra up/down/status` make, paginators flattened.
 */

import {
  CreateFileSystemCommand,
  type CreateFileSystemCommandInput,
  CreateMountTargetCommand,
  type CreateMountTargetCommandInput,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeFileSystemsCommand,
  type DescribeFileSystemsCommandInput,
  DescribeMountTargetsCommand,
  EFSClient,
  type FileSystemDescription,
  type MountTargetDescription,
} from '@aws-sdk/client-efs';
import { type AwsOptions, awsClient } from './clients.js';
import { allPages } from './pages.js';

/** The EFS calls mnbatch makes. */
export interface Efs {
  /** Every file system matching `input` (all pages); empty when a given id does not exist. */
  describeFileSystems(input: DescribeFileSystemsCommandInput): Promise<FileSystemDescription[]>;
  createFileSystem(input: CreateFileSystemCommandInput): Promise<FileSystemDescription>;
  deleteFileSystem(fileSystemId: string): Promise<void>;
  /** Mount targets of one file system (all pages); empty when the file system does not exist. */
  describeMountTargets(fileSystemId: string): Promise<MountTargetDescription[]>;
  createMountTarget(input: CreateMountTargetCommandInput): Promise<MountTargetDescription>;
  deleteMountTarget(mountTargetId: string): Promise<void>;
}

/** An `Efs` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createEfs(options: AwsOptions): Efs {
  return efsFromClient(awsClient(EFSClient, options));
}

function isNotFound(e: unknown): boolean {
  return e instanceof Error && e.name === 'FileSystemNotFound';
}

/** An `Efs` over an existing client. */
export function efsFromClient(client: EFSClient): Efs {
  return {
    async describeFileSystems(input) {
      try {
        return await allPages(
          (Marker) => client.send(new DescribeFileSystemsCommand({ ...input, Marker })),
          (page) => page.FileSystems,
          (page) => page.NextMarker,
        );
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
    },
    async createFileSystem(input) {
      return client.send(new CreateFileSystemCommand(input));
    },
    async deleteFileSystem(FileSystemId) {
      await client.send(new DeleteFileSystemCommand({ FileSystemId }));
    },
    async describeMountTargets(FileSystemId) {
      try {
        return await allPages(
          (Marker) => client.send(new DescribeMountTargetsCommand({ FileSystemId, Marker })),
          (page) => page.MountTargets,
          (page) => page.NextMarker,
        );
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
    },
    async createMountTarget(input) {
      return client.send(new CreateMountTargetCommand(input));
    },
    async deleteMountTarget(MountTargetId) {
      await client.send(new DeleteMountTargetCommand({ MountTargetId }));
    },
  };
}
