/**
 * The real DoctorServices: the shared adapters of src/aws where they already have the call, and
 * the doctor's own few calls (IAM simulation, Service Quotas, instance type offerings).
 * Every error comes out as MnbatchError naming `service:Operation` (src/aws/errors.ts).
 */
import {
  DescribeInstanceTypeOfferingsCommand,
  type DescribeInstanceTypeOfferingsCommandInput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { createBatchInfra } from '../aws/batch-infra.js';
import { type AwsOptions, awsClient } from '../aws/clients.js';
import { createEc2 } from '../aws/ec2.js';
import { withAwsErrors } from '../aws/errors.js';
import { createIam } from '../aws/iam.js';
import { allPages } from '../aws/pages.js';
import { createSts } from '../aws/sts.js';
import type { DoctorServices } from './services.js';

/** The SDK clients of the doctor's own calls, from the one client factory (src/aws/clients.ts). */
export function doctorClients(options: AwsOptions) {
  return {
    iam: awsClient(IAMClient, options),
    ec2: awsClient(EC2Client, options),
    quotas: awsClient(ServiceQuotasClient, options),
  };
}

/** DoctorServices for `options` (whose region is already resolved), errors translated. */
export function createDoctorServices(
  options: AwsOptions & { readonly region: string },
  regionSource: string,
): DoctorServices {
  const clients = doctorClients(options);
  const ec2 = createEc2(options);
  const iam = createIam(options);
  const batch = createBatchInfra(options);
  const services: DoctorServices = {
    region: options.region,
    regionSource,
    sts: createSts(options),
    iam: {
      simulatePrincipalPolicy: (input) =>
        allPages(
          (Marker) =>
            clients.iam.send(
              new SimulatePrincipalPolicyCommand({
                PolicySourceArn: input.policySourceArn,
                ActionNames: [...input.actionNames],
                ...(input.contextEntries?.length ? { ContextEntries: [...input.contextEntries] } : {}),
                ...(input.resourceArns?.length ? { ResourceArns: [...input.resourceArns] } : {}),
                ...(Marker ? { Marker } : {}),
              }),
            ),
          (page) => page.EvaluationResults,
          (page) => (page.IsTruncated ? page.Marker : undefined),
        ),
      getRole: (name) => iam.getRole(name),
      getPolicyDocument: (arn) => iam.getPolicyDocument(arn),
    },
    ec2: {
      describeSubnets: (input) => ec2.describeSubnets(input),
      describeRouteTables: (input) => ec2.describeRouteTables(input),
      describeVpcEndpoints: (input) => ec2.describeVpcEndpoints(input),
      describeInstanceTypes: (input) => ec2.describeInstanceTypes(input),
      describeImages: (input) => ec2.describeImages(input),
      describeInstanceTypeOfferings: (input: DescribeInstanceTypeOfferingsCommandInput) =>
        allPages(
          (NextToken) =>
            clients.ec2.send(
              new DescribeInstanceTypeOfferingsCommand({ ...input, ...(NextToken ? { NextToken } : {}) }),
            ),
          (page) => page.InstanceTypeOfferings,
          (page) => page.NextToken,
        ),
    },
    quotas: {
      async getServiceQuota(ServiceCode, QuotaCode) {
        try {
          return (await clients.quotas.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }))).Quota
            ?.Value;
        } catch (e) {
          // A quota never changed for the account may have no applied value: its default applies.
          if (!(e instanceof Error && e.name === 'NoSuchResourceException')) throw e;
        }
        try {
          return (await clients.quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode, QuotaCode })))
            .Quota?.Value;
        } catch (e) {
          if (e instanceof Error && e.name === 'NoSuchResourceException') return undefined;
          throw e;
        }
      },
    },
    batch: {
      describeComputeEnvironments: (names) => batch.describeComputeEnvironments(names),
      describeJobQueues: (names) => batch.describeJobQueues(names),
    },
  };
  const where = { profile: options.profile, region: options.region, command: 'doctor' };
  return {
    ...services,
    sts: withAwsErrors(services.sts, 'sts', where),
    iam: withAwsErrors(services.iam, 'iam', where),
    ec2: withAwsErrors(services.ec2, 'ec2', where),
    quotas: withAwsErrors(services.quotas, 'servicequotas', where),
    batch: withAwsErrors(services.batch, 'batch', where),
  };
}
