/**
 * What the checks look at: the files given (infra.yaml, the planned job.yaml), the region's
 * sources, and lazily fetched facts several checks share (each fetched once).
 */
import type { RegisterJobDefinitionCommandInput, SubmitJobCommandInput } from '@aws-sdk/client-batch';
import type { Image, Subnet } from '@aws-sdk/client-ec2';
import { awsErrorName } from '../aws/errors.js';
import type { InfraConfig } from '../infra/config.js';
import { describeInstanceFacts, type InstanceFacts } from '../instances/facts.js';
import type { CallerIdentity, DoctorServices } from './services.js';

/** The job.yaml part the doctor uses: the requests `submit` would send. */
export interface PlannedJob {
  readonly file: string;
  readonly registerJobDefinition: RegisterJobDefinitionCommandInput;
  readonly submitJob: SubmitJobCommandInput;
}

/** The files and flags of one doctor run. */
export interface DoctorInput {
  readonly infra?: InfraConfig;
  readonly infraFile?: string;
  readonly job?: PlannedJob;
  /** `--region` as given (to compare with infra.yaml's). */
  readonly regionFlag?: string;
}

/** Facts more than one check needs, fetched on first use. */
export interface DoctorFacts {
  identity(): Promise<CallerIdentity>;
  /** infra.yaml's subnet, undefined when it does not exist (or there is no infra.yaml). */
  subnet(): Promise<Subnet | undefined>;
  /** EC2's facts of the instance types infra.yaml names, families expanded, by type. */
  instanceTypes(): Promise<ReadonlyMap<string, InstanceFacts>>;
  /** infra.yaml's `ami:` when it is an id: the image, undefined when it does not exist. */
  image(): Promise<Image | undefined>;
}

function once<T>(fetch: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= fetch();
    return promise;
  };
}

/** The shared facts of `input`, read through `services`. */
export function doctorFacts(services: DoctorServices, input: DoctorInput): DoctorFacts {
  return {
    identity: once(() => services.sts.getCallerIdentity()),
    subnet: once(async () => {
      if (!input.infra) return undefined;
      const found = await services.ec2.describeSubnets({
        Filters: [{ Name: 'subnet-id', Values: [input.infra.subnetId] }],
      });
      return found[0];
    }),
    instanceTypes: once(() => describeInstanceFacts(services.ec2, input.infra?.instanceTypes ?? [])),
    image: once(async () => {
      const ami = input.infra?.ami;
      if (!ami || ami === 'default') return undefined;
      try {
        return (await services.ec2.describeImages({ ImageIds: [ami] }))[0];
      } catch (e) {
        // EC2 answers an id it does not know with an error, not an empty list.
        if (/^InvalidAMIID\./.test(awsErrorName(e))) return undefined;
        throw e;
      }
    }),
  };
}
