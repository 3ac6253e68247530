/** This node's address and slot count, from values the caller reads (pure, so tests pass fakes). */
import { AGENT_ENV } from '../contract/agent-env.js';
import { AgentError } from './errors.js';

/** The shape of os.networkInterfaces() that matters here. */
export type Interfaces = Readonly<
  Record<
    string,
    | readonly { readonly address: string; readonly family: string | number; readonly internal: boolean }[]
    | undefined
  >
>;

function isIpv4Family(family: string | number): boolean {
  return family === 'IPv4' || family === 4;
}

/** The node's IPv4 address: `explicit` if given, else the first non-link-local IPv4 of `name`. */
export function selectIp(explicit: string | undefined, name: string, interfaces: Interfaces): string {
  if (explicit !== undefined) return explicit;
  const candidates = (interfaces[name] ?? []).filter(
    (a) => isIpv4Family(a.family) && !a.address.startsWith('169.254.'),
  );
  const first = candidates[0];
  if (first !== undefined) return first.address;
  const found = Object.entries(interfaces)
    .map(([n, addrs]) => {
      const v4 = (addrs ?? []).filter((a) => isIpv4Family(a.family)).map((a) => a.address);
      return `${n} (${v4.length > 0 ? v4.join(', ') : 'no IPv4'})`;
    })
    .join(', ');
  throw new AgentError(
    'config',
    `no usable IPv4 address on interface ${name} (set ${AGENT_ENV.interface} or ${AGENT_ENV.ip}); interfaces found: ${found || 'none'}`,
  );
}

/** Physical cores in /proc/cpuinfo text: unique (physical id, core id) pairs; 0 when it does not say. */
export function physicalCores(cpuinfo: string): number {
  const pairs = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) pairs.add(`${physical}:${core}`);
  }
  return pairs.size;
}

/** Slots of this node: the configured number, else GPUs when the job has any, else physical cores, else logical CPUs. */
export function resolveSlots(
  slots: number | 'auto',
  gpus: number,
  cpuinfo: string | undefined,
  cpus: number,
): number {
  if (slots !== 'auto') return slots;
  if (gpus > 0) return gpus;
  const cores = cpuinfo === undefined ? 0 : physicalCores(cpuinfo);
  return cores > 0 ? cores : Math.max(1, cpus);
}
