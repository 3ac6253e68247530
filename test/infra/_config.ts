/** infra.yaml values for the engine tests, on the fake's seeded network. */
import { type InfraConfig, infraConfigSchema } from '../../src/infra/config.js';
import type { InfraState } from '../_helpers/fake-aws-infra/index.js';

/** A validated config for stack `demo` on the fake network, with `extra` settings. */
export function demoConfig(state: InfraState, extra: Record<string, unknown> = {}): InfraConfig {
  const net =
    state.subnets.length === 0
      ? state.seedNetwork()
      : { vpcId: state.subnets[0]?.VpcId, subnetId: state.subnets[0]?.SubnetId };
  return infraConfigSchema.parse({
    stack: 'demo',
    vpcId: net.vpcId,
    subnetId: net.subnetId,
    instanceTypes: ['c5n.18xlarge'],
    maxVcpus: 288,
    ...extra,
  });
}
