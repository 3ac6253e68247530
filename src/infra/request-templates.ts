/**
 * templates/compute-environment.json and templates/job-queue.json: the CreateComputeEnvironment
 * and CreateJobQueue requests `infra up` sends, with placeholders, for
 * `aws batch create-compute-environment --cli-input-json file://…`. Generated from the same
 * builders as the real requests (scripts/generate.ts), so they cannot drift.
 */
import type { InfraConfig } from './config.js';
import { computeEnvironmentRequest, jobQueueRequest } from './requests.js';

/** Placeholder settings: replace every UPPER-CASE part before use. */
const PLACEHOLDER_CONFIG: InfraConfig = {
  stack: 'NAME',
  vpcId: 'vpc-REPLACE',
  subnetId: 'subnet-REPLACE',
  instanceTypes: ['c5n.18xlarge'],
  maxVcpus: 256,
  ami: 'default',
  efs: 'none',
  efsMountPoint: '/efs',
  efa: false,
  s3Endpoint: false,
  hyperthreading: 'on',
  roles: { create: false, instanceProfile: 'ecsInstanceRole' },
  tags: {},
};

/** The CreateComputeEnvironment request template. */
export function computeEnvironmentTemplate(): object {
  return computeEnvironmentRequest(PLACEHOLDER_CONFIG, {
    securityGroupId: 'sg-REPLACE',
    launchTemplateId: 'lt-REPLACE',
    launchTemplateVersion: '1',
    instanceProfile: PLACEHOLDER_CONFIG.roles.instanceProfile,
  });
}

/** The CreateJobQueue request template. */
export function jobQueueTemplate(): object {
  return jobQueueRequest(
    PLACEHOLDER_CONFIG,
    'arn:aws:batch:REGION:ACCOUNT_ID:compute-environment/mnbatch-NAME',
    0, // efa: false
  );
}
