/**
 * The tags and names mnbatch really sends, taken from its own request builders (so a test of a
 * policy fails when the product stops sending what a condition needs), as simulator context.
 */
import { createImageRequest, runInstancesRequest } from '../../src/ami/plan.js';
import { infraConfigSchema } from '../../src/infra/config.js';
import { tagList } from '../../src/infra/names.js';
import {
  computeEnvironmentRequest,
  executionRoleRequest,
  fileSystemRequest,
  ingressRequest,
  instanceRoleRequest,
  jobQueueRequest,
  jobRoleRequest,
  launchTemplateRequest,
  placementGroupRequest,
  s3EndpointRequest,
  securityGroupRequest,
  selfIngressRules,
} from '../../src/infra/requests.js';
import { planJob } from '../../src/plan/index.js';
import { parseJobSpec } from '../../src/spec/index.js';
import { REGION } from './simulate.js';

type Tags =
  | readonly { Key?: string | undefined; Value?: string | undefined }[]
  | Record<string, string>
  | undefined;

/** `aws:RequestTag/<key>` for every tag, and `aws:TagKeys`, as IAM puts them in the context. */
export function requestTags(tags: Tags): Record<string, string | string[]> {
  const pairs = Array.isArray(tags)
    ? tags.map((t) => [t.Key ?? '', t.Value ?? ''] as const)
    : Object.entries(tags ?? {});
  return {
    ...Object.fromEntries(pairs.map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    'aws:TagKeys': pairs.map(([k]) => k),
  };
}

/** `aws:ResourceTag/<key>` for every tag: the created resource, later. */
export function resourceTags(tags: Tags): Record<string, string> {
  const pairs = Array.isArray(tags)
    ? tags.map((t) => [t.Key ?? '', t.Value ?? ''] as const)
    : Object.entries(tags ?? {});
  return Object.fromEntries(pairs.map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
}

/** The tags of the TagSpecification for `type` in a request. */
function specTags(
  specs: readonly { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] }[] | undefined,
  type: string,
) {
  const spec = specs?.find((s) => s.ResourceType === type);
  if (!spec) throw new Error(`no TagSpecification for ${type}`);
  return spec.Tags;
}

/** An infra.yaml of stack `stack` with every resource mnbatch can create. */
export function infraConfig(stack: string) {
  return infraConfigSchema.parse({
    stack,
    vpcId: 'vpc-0123456789abcdef0',
    subnetId: 'subnet-0123456789abcdef0',
    instanceTypes: ['c6i.32xlarge'],
    maxVcpus: 1024,
    efs: 'create',
    s3Endpoint: true,
    roles: { create: true },
    tags: { team: 'hpc' },
  });
}

/** What `infra up` sends for stack `stack`: the tags of each create, as request context. */
export function infraSent(stack: string) {
  const config = infraConfig(stack);
  const sg = 'sg-0123456789abcdef0';
  const refs = { securityGroupId: sg, fileSystemId: 'fs-0123456789abcdef0', rootDeviceName: '/dev/xvda' };
  const endpoint = s3EndpointRequest(config, REGION, 'rtb-0123456789abcdef0');
  const ce = computeEnvironmentRequest(config, {
    securityGroupId: sg,
    launchTemplateId: 'lt-0123456789abcdef0',
    launchTemplateVersion: '1',
    instanceProfile: `arn:aws:iam::123456789012:instance-profile/mnbatch-${stack}-instance`,
  });
  return {
    placementGroup: requestTags(specTags(placementGroupRequest(config).TagSpecifications, 'placement-group')),
    securityGroup: requestTags(specTags(securityGroupRequest(config).TagSpecifications, 'security-group')),
    ingressRule: requestTags(
      specTags(
        ingressRequest(config, sg, selfIngressRules(config, sg)).TagSpecifications,
        'security-group-rule',
      ),
    ),
    launchTemplate: requestTags(
      specTags(launchTemplateRequest(config, refs, 1).TagSpecifications, 'launch-template'),
    ),
    s3Endpoint: {
      ...requestTags(specTags(endpoint.TagSpecifications, 'vpc-endpoint')),
      'ec2:VpceServiceName': endpoint.ServiceName ?? '',
    },
    fileSystem: requestTags(fileSystemRequest(config).Tags),
    computeEnvironment: requestTags(ce.tags),
    jobQueue: requestTags(jobQueueRequest(config, 'arn:ce', 1).tags),
    instanceRole: requestTags(instanceRoleRequest(config).Tags),
    jobRole: requestTags(jobRoleRequest(config).Tags),
    executionRole: requestTags(executionRoleRequest(config).Tags),
    /** The tags PutParameter gives the rendezvous key (tagList, as src/infra/execute.ts sends them). */
    rendezvousKey: requestTags(tagList(config)),
    instanceProfile: requestTags(tagList(config)),
    /** Any of the stack's resources once created (they all carry the same stack tags). */
    stackResource: resourceTags(tagList(config)),
    names: {
      instanceRole: instanceRoleRequest(config).RoleName ?? '',
      jobRole: jobRoleRequest(config).RoleName ?? '',
      executionRole: executionRoleRequest(config).RoleName ?? '',
      computeEnvironment: ce.computeEnvironmentName ?? '',
      jobQueue: jobQueueRequest(config, 'arn:ce', 1).jobQueueName ?? '',
      placementGroup: placementGroupRequest(config).GroupName ?? '',
    },
  };
}

/** What `ami bake` sends: the builder's and the image's tags. */
export function bakeSent() {
  const run = runInstancesRequest({
    baseImage: {
      imageId: 'ami-0123456789abcdef0',
      name: 'al2023-ami-ecs',
      architecture: 'x86_64',
      source: 'ssm',
    },
    builderType: 'c6i.large',
    name: 'mnbatch-ecs',
    userData: '#!/bin/sh',
    clientToken: 'token',
  });
  const baseImage = run.ImageId ?? '';
  const image = createImageRequest(
    'i-0123456789abcdef0',
    {
      region: REGION,
      baseImage: { imageId: baseImage, name: 'al2023-ami-ecs', architecture: 'x86_64', source: 'ssm' },
      builderType: 'c6i.large',
      variables: { nrCpus: 32 },
      imageName: 'mnbatch-ecs-nr32-20261202T000000Z',
      userData: '#!/bin/sh',
      userDataBytes: 9,
      runInstances: run,
    },
    'mnbatch-ecs-nr32',
  );
  return {
    image: requestTags(specTags(image.TagSpecifications, 'image')),
    snapshot: requestTags(specTags(image.TagSpecifications, 'snapshot')),
    imageResource: resourceTags(specTags(image.TagSpecifications, 'image')),
    builder: requestTags(specTags(run.TagSpecifications, 'instance')),
    builderVolume: requestTags(specTags(run.TagSpecifications, 'volume')),
    builderResource: resourceTags(specTags(run.TagSpecifications, 'instance')),
  };
}

/** What `submit` sends for a job of stack `stack`: tags and names of the definition and the job. */
export function submitSent(stack: string) {
  const spec = parseJobSpec(
    `name: hello\nimage: hello:1\nnodes: 2\nstack: ${stack}\nresources: { vcpus: 2, memory: 2GiB }\n`,
    'job.yaml',
  );
  const plan = planJob(spec, { rendezvous: { kind: 'placeholder' }, version: '1.0.0', user: 'alice' });
  return {
    jobDefinitionName: plan.jobDefinitionName,
    jobQueue: plan.submitJob.jobQueue,
    definition: requestTags(plan.registerJobDefinition.tags),
    definitionResource: resourceTags(plan.registerJobDefinition.tags),
    job: requestTags(plan.submitJob.tags),
    jobResource: resourceTags(plan.submitJob.tags),
  };
}
