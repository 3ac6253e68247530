/**
 * What `mnbatch doctor` reads from AWS: a few read-only calls, each behind a small interface so
 * the checks are tested at the SDK boundary and nothing here can change an account.
 */
import type { ComputeEnvironmentDetail, JobQueueDetail } from '@aws-sdk/client-batch';
import type {
  DescribeImagesCommandInput,
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypesCommandInput,
  DescribeRouteTablesCommandInput,
  DescribeSubnetsCommandInput,
  DescribeVpcEndpointsCommandInput,
  Image,
  InstanceTypeInfo,
  InstanceTypeOffering,
  RouteTable,
  Subnet,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { ContextEntry, EvaluationResult, Role } from '@aws-sdk/client-iam';
import type { Sts } from '../aws/sts.js';

export type { CallerIdentity } from '../aws/sts.js';

/** One `iam:SimulatePrincipalPolicy` request. */
export interface Simulation {
  readonly policySourceArn: string;
  readonly actionNames: readonly string[];
  readonly contextEntries?: readonly ContextEntry[];
  /** Resources to simulate on (IAM uses `*` when none are given). */
  readonly resourceArns?: readonly string[];
}

/** The read-only AWS calls of the doctor; method names are the API operations (for error messages). */
export interface DoctorServices {
  /** The region the clients talk to. */
  readonly region: string;
  /** Where the region came from (`infra.yaml`, `--region`, `AWS config`), for the report. */
  readonly regionSource: string;
  readonly sts: Sts;
  readonly iam: {
    /** Every evaluation result (all pages). */
    simulatePrincipalPolicy(input: Simulation): Promise<EvaluationResult[]>;
    /** The role, or undefined when it does not exist. */
    getRole(name: string): Promise<Role | undefined>;
    /** A customer managed policy's default document (JSON text), or undefined when there is none. */
    getPolicyDocument(arn: string): Promise<string | undefined>;
  };
  readonly ec2: {
    describeSubnets(input: DescribeSubnetsCommandInput): Promise<Subnet[]>;
    describeRouteTables(input: DescribeRouteTablesCommandInput): Promise<RouteTable[]>;
    describeVpcEndpoints(input: DescribeVpcEndpointsCommandInput): Promise<VpcEndpoint[]>;
    describeInstanceTypes(input: DescribeInstanceTypesCommandInput): Promise<InstanceTypeInfo[]>;
    describeInstanceTypeOfferings(
      input: DescribeInstanceTypeOfferingsCommandInput,
    ): Promise<InstanceTypeOffering[]>;
    describeImages(input: DescribeImagesCommandInput): Promise<Image[]>;
  };
  readonly quotas: {
    /** The applied value of a quota, else its AWS default; undefined when Service Quotas has neither. */
    getServiceQuota(serviceCode: string, quotaCode: string): Promise<number | undefined>;
  };
  readonly batch: {
    describeComputeEnvironments(names: readonly string[]): Promise<ComputeEnvironmentDetail[]>;
    describeJobQueues(names: readonly string[]): Promise<JobQueueDetail[]>;
  };
}
