/** Storage of job.yaml: EFS (an EFS volume, or a path an AMI mounts) and host volumes. */
import { z } from 'zod';
import { AT_KEY, absolutePath as path } from './fields.js';

/** EFS on every node: `fileSystemId` (EFS volume) or `hostPath` (mounted by the AMI). */
export const efs = z
  .object({
    fileSystemId: z
      .string()
      .regex(/^fs-[0-9a-f]{8,40}$/, { error: 'must be an EFS file system id like fs-0123456789abcdef0' })
      .optional()
      .describe('EFS file system mounted by the container (efsVolumeConfiguration.fileSystemId)'),
    accessPointId: z
      .string()
      .regex(/^fsap-[0-9a-f]{8,40}$/, { error: 'must be an EFS access point id like fsap-0123456789abcdef0' })
      .optional()
      .describe('EFS access point (authorizationConfig.accessPointId); needs transitEncryption'),
    rootDirectory: path().optional().describe('directory of the file system to mount (default /)'),
    transitEncryption: z
      .boolean()
      .optional()
      .describe('TLS to EFS (default true; required with an access point)'),
    iam: z
      .boolean()
      .optional()
      .describe('use the job role for EFS IAM authorization (authorizationConfig.iam)'),
    hostPath: path()
      .optional()
      .describe('instead of fileSystemId: where the instance (AMI) already mounts EFS; a host volume'),
    mountPath: path().default('/efs').describe('where the container sees the file system'),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.fileSystemId === undefined && e.hostPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs fileSystemId (EFS volume) or hostPath (EFS mounted by the AMI)',
      });
    }
    if (e.hostPath !== undefined) {
      for (const key of [
        'fileSystemId',
        'accessPointId',
        'rootDirectory',
        'transitEncryption',
        'iam',
      ] as const) {
        if (e[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            params: AT_KEY,
            message: `cannot be used with hostPath`,
          });
        }
      }
    }
    if (e.accessPointId !== undefined && e.transitEncryption === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['transitEncryption'],
        message: 'must be true when accessPointId is set (EFS access points need TLS)',
      });
    }
    if (e.iam === true && e.transitEncryption === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['transitEncryption'],
        message: 'must be true when iam is true (EFS IAM authorization needs TLS)',
      });
    }
    if (e.accessPointId !== undefined && e.rootDirectory !== undefined && e.rootDirectory !== '/') {
      ctx.addIssue({
        code: 'custom',
        path: ['rootDirectory'],
        message: 'must be left out with accessPointId (the access point sets the root directory)',
      });
    }
  });

/** A host directory mounted into every node. */
export const volume = z
  .object({
    hostPath: path().describe('directory on the instance'),
    containerPath: path().describe('where the container sees it'),
    readOnly: z.boolean().default(false).describe('mount read-only'),
  })
  .strict();
