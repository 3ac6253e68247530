/**
 * Pure: from the planned Batch requests to the containers of a local run. The same job
 * definition and submit request that go to AWS decide each node's image, command and
 * environment, so a local run exercises exactly what Batch would start.
 */
import type {
  ContainerProperties,
  KeyValuePair,
  NodeRangeProperty,
  RegisterJobDefinitionCommandInput,
  SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import {
  AGENT_DEFAULTS,
  AGENT_ENV,
  BATCH_ENV,
  type LaunchMode,
  type MpiSetting,
  OPEN_MPI_YIELD_VAR,
} from '../contract/agent-env.js';
import { MnbatchError } from '../errors.js';
import { type NodeSlots, planLocalSlots } from './slots.js';

/** Label on every container and network of a local run; its value is the run id. */
export const RUN_LABEL = 'mnbatch.run';
/** Label with the pid of the `mnbatch run` process, to tell a crashed run's leftovers from a live run. */
export const PID_LABEL = 'mnbatch.pid';
/** Label of runs started with --keep: cleaned up only by `run --cleanup` of the same user. */
export const KEEP_LABEL = 'mnbatch.keep';
/** Label naming the runner process exactly (pid namespace/pid/start time): see owner.ts. */
export const OWNER_LABEL = 'mnbatch.owner';
/** Label with the uid of the user who started the run. */
export const UID_LABEL = 'mnbatch.uid';
/** Label with the job's name (as a Docker name); `mnbatch exec` finds a run by it. */
export const JOB_LABEL = 'mnbatch.job';
/** Label of each node's container with its node index. */
export const NODE_LABEL = 'mnbatch.node';
/** Label with the run's main node index (`mnbatch exec` goes there by default). */
export const MAIN_NODE_LABEL = 'mnbatch.main-node';

/** What `planJob` returns that the local runner reads. */
export interface PlannedJob {
  readonly registerJobDefinition: RegisterJobDefinitionCommandInput;
  readonly submitJob: SubmitJobCommandInput;
  readonly numNodes: number;
}

export interface LocalPlanInput {
  readonly plan: PlannedJob;
  readonly runId: string;
  /** AWS_BATCH_JOB_ID of the run. */
  readonly jobId: string;
  /** pid of the runner, written as a label. */
  readonly pid: number;
  /** The runner as owner.ts names it, and its uid: labels that tell a dead run from a live one. */
  readonly owner?: string;
  readonly uid?: number;
  /** Per-run directory on the host; EFS volumes become subdirectories of it, shared by all nodes. */
  readonly sharedDir: string;
  /** Whether a host path exists (host volumes are mounted only when they do). */
  readonly hostPathExists: (path: string) => boolean;
  readonly keep?: boolean;
  /** --raw: the agent leaves mpirun's output untagged (MNBATCH_OUTPUT=raw). */
  readonly raw?: boolean;
  /** CPUs the nodes share: `slots: auto` becomes an equal share of them (see slots.ts); unset, the agent's own count. */
  readonly cpus?: number;
}

/** One node's container, before the main node's address is known. */
export interface NodeContainer {
  readonly index: number;
  readonly name: string;
  readonly hostname: string;
  readonly image: string;
  /** Variables in the order they are passed; children also get the main node's address. */
  readonly env: readonly KeyValuePair[];
  /** `docker create` options other than name, hostname, network and environment. */
  readonly options: readonly string[];
  /** Arguments after the image (the container's command); empty: the image's CMD. */
  readonly command: readonly string[];
}

export interface LocalRunPlan {
  readonly runId: string;
  readonly network: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mainIndex: number;
  readonly nodes: readonly NodeContainer[];
  /** Host directories to create before the containers start. */
  readonly sharedDirs: readonly string[];
  /** Settings that cannot apply on one machine, one line each. */
  readonly warnings: readonly string[];
  /** The one line saying the ranks outnumber the CPUs, when they do. */
  readonly note?: string;
}

/** Docker names: lower case letters, digits and dashes. */
function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'job' : s;
}

/** Whether Batch's `targetNodes` ("0", "1:", ":3", "2:5") covers node `index`. */
export function targetsNode(target: string | undefined, index: number, numNodes: number): boolean {
  if (target === undefined) return false;
  const m = /^(\d*)(?::(\d*))?$/.exec(target.trim());
  if (!m) return false;
  const from = m[1] === '' ? 0 : Number(m[1]);
  const hasColon = target.includes(':');
  const to = !hasColon ? from : m[2] === '' || m[2] === undefined ? numNodes - 1 : Number(m[2]);
  return index >= from && index <= to;
}

function rangeOf(ranges: readonly NodeRangeProperty[], index: number, numNodes: number): ContainerProperties {
  const range = ranges.find((r) => targetsNode(r.targetNodes, index, numNodes));
  if (!range?.container) {
    throw new MnbatchError(
      'LOCAL_NO_NODE_RANGE',
      `no node range of the job definition covers node ${index}`,
      {
        origin: 'internal',
      },
    );
  }
  return range.container;
}

function mergeEnv(base: readonly KeyValuePair[], over: readonly KeyValuePair[]): KeyValuePair[] {
  const out = new Map<string, string>();
  for (const kv of [...base, ...over]) if (kv.name !== undefined) out.set(kv.name, kv.value ?? '');
  return [...out].map(([name, value]) => ({ name, value }));
}

/** The container settings that make sense on one machine, as `docker create` options, plus warnings. */
export function containerOptions(
  c: ContainerProperties,
  input: Pick<LocalPlanInput, 'sharedDir' | 'hostPathExists'>,
): { options: string[]; sharedDirs: string[]; warnings: string[] } {
  const options: string[] = [];
  const sharedDirs: string[] = [];
  const warnings: string[] = [];
  const linux = c.linuxParameters;
  if (linux?.sharedMemorySize !== undefined) options.push('--shm-size', `${linux.sharedMemorySize}m`);
  if (linux?.initProcessEnabled) options.push('--init');
  for (const t of linux?.tmpfs ?? []) {
    const opts = [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(',');
    options.push('--tmpfs', `${t.containerPath}:${opts}`);
  }
  if ((linux?.devices ?? []).length > 0) {
    const paths = (linux?.devices ?? []).map((d) => d.hostPath).join(', ');
    warnings.push(
      `devices (${paths}) are not mapped locally: EFA and other devices exist only on the instances`,
    );
  }
  for (const u of c.ulimits ?? []) options.push('--ulimit', `${u.name}=${u.softLimit}:${u.hardLimit}`);
  if (c.privileged) options.push('--privileged');
  if (c.user) options.push('--user', c.user);
  if (c.readonlyRootFilesystem) options.push('--read-only');
  for (const mp of c.mountPoints ?? []) {
    const volume = c.volumes?.find((v) => v.name === mp.sourceVolume);
    if (!volume || !mp.containerPath) continue;
    const ro = mp.readOnly ? ',readonly' : '';
    if (volume.efsVolumeConfiguration) {
      // Like EFS: one directory every node of the run sees, made fresh for the run.
      const dir = `${input.sharedDir}/${dnsLabel(volume.name ?? 'efs')}`;
      if (!sharedDirs.includes(dir)) sharedDirs.push(dir);
      options.push('--mount', `type=bind,source=${dir},target=${mp.containerPath}${ro}`);
    } else if (volume.host?.sourcePath) {
      if (input.hostPathExists(volume.host.sourcePath)) {
        options.push('--mount', `type=bind,source=${volume.host.sourcePath},target=${mp.containerPath}${ro}`);
      } else {
        warnings.push(
          `host volume ${volume.host.sourcePath} does not exist here: ${mp.containerPath} is not mounted`,
        );
      }
    } else {
      options.push('--mount', `type=volume,target=${mp.containerPath}${ro}`);
    }
  }
  const gpus = c.resourceRequirements?.find((r) => r.type === 'GPU');
  if (gpus) warnings.push(`GPUs (${gpus.value} per node) are not given to local containers`);
  if ((c.secrets ?? []).length > 0) {
    warnings.push(`secrets (${(c.secrets ?? []).map((s) => s.name).join(', ')}) are not fetched locally`);
  }
  return { options, sharedDirs, warnings };
}

/** The network, containers and warnings of a local run of `plan`. */
export function planLocalRun(input: LocalPlanInput): LocalRunPlan {
  const { plan, runId, jobId } = input;
  const props = plan.registerJobDefinition.nodeProperties;
  if (!props?.nodeRangeProperties) {
    throw new MnbatchError('LOCAL_NOT_MULTINODE', 'the planned job definition has no node properties', {
      origin: 'internal',
    });
  }
  const numNodes = plan.numNodes;
  const mainIndex = props.mainNode ?? 0;
  const job = dnsLabel(plan.submitJob.jobName ?? 'job').slice(0, 40);
  const labels = {
    [RUN_LABEL]: runId,
    [PID_LABEL]: String(input.pid),
    ...(input.owner !== undefined ? { [OWNER_LABEL]: input.owner } : {}),
    ...(input.uid !== undefined ? { [UID_LABEL]: String(input.uid) } : {}),
    [JOB_LABEL]: job,
    [MAIN_NODE_LABEL]: String(mainIndex),
    ...(input.keep ? { [KEEP_LABEL]: 'true' } : {}),
  };
  const overrides = plan.submitJob.nodeOverrides?.nodePropertyOverrides ?? [];
  const rawEnv: KeyValuePair[] = input.raw ? [{ name: AGENT_ENV.output, value: 'raw' }] : [];
  const sharedDirs: string[] = [];
  const warnings = new Set<string>();
  const nodes: NodeContainer[] = [];
  for (let index = 0; index < numNodes; index++) {
    const container = rangeOf(props.nodeRangeProperties, index, numNodes);
    const mine = overrides.filter((o) => targetsNode(o.targetNodes, index, numNodes));
    const overrideEnv = mine.flatMap((o) => o.containerOverrides?.environment ?? []);
    const overrideCommand = mine.map((o) => o.containerOverrides?.command).find((cmd) => cmd !== undefined);
    // As on Batch, where each node runs as the node job "<job id>#<node index>".
    const batchEnv: KeyValuePair[] = [
      { name: BATCH_ENV.jobId, value: `${jobId}#${index}` },
      { name: BATCH_ENV.attempt, value: '1' },
      { name: BATCH_ENV.nodeIndex, value: String(index) },
      { name: BATCH_ENV.numNodes, value: String(numNodes) },
      { name: BATCH_ENV.mainNodeIndex, value: String(mainIndex) },
    ];
    const settings = containerOptions(container, input);
    for (const d of settings.sharedDirs) if (!sharedDirs.includes(d)) sharedDirs.push(d);
    for (const w of settings.warnings) warnings.add(w);
    nodes.push({
      index,
      name: `mnbatch-${job}-${runId}-node${index}`,
      hostname: `${job.slice(0, 50)}-node${index}`,
      image: container.image ?? '',
      // Batch's own variables win over anything a job sets with the same name.
      env: mergeEnv(mergeEnv(container.environment ?? [], [...overrideEnv, ...rawEnv]), batchEnv),
      options: [...settings.options, '--label', `${NODE_LABEL}=${index}`],
      command: [...(overrideCommand ?? container.command ?? [])],
    });
  }
  const sized = input.cpus === undefined ? undefined : rightSize(nodes, input.cpus);
  return {
    runId,
    network: `mnbatch-${job}-${runId}`,
    labels,
    mainIndex,
    nodes: sized?.nodes ?? nodes,
    sharedDirs,
    warnings: [...warnings],
    ...(sized?.note !== undefined ? { note: sized.note } : {}),
  };
}

/** What a node's variables say about its ranks (the agent's defaults where unset). */
function slotsOf(node: NodeContainer): NodeSlots {
  const env = (name: string) => node.env.find((kv) => kv.name === name)?.value;
  const slots = env(AGENT_ENV.slots) ?? AGENT_DEFAULTS.slots;
  return {
    slots: slots === 'auto' ? 'auto' : Number(slots),
    gpus: Number(env(AGENT_ENV.gpus) ?? '0'),
    launch: (env(AGENT_ENV.launch) ?? AGENT_DEFAULTS.launch) as LaunchMode,
    mpi: (env(AGENT_ENV.mpi) ?? AGENT_DEFAULTS.mpi) as MpiSetting,
    jobYield: env(OPEN_MPI_YIELD_VAR) ?? mpiEnvOf(env(AGENT_ENV.mpiEnv))[OPEN_MPI_YIELD_VAR],
  };
}

/** The variables of MNBATCH_MPI_ENV (a JSON object; the agent validates it, so anything else is none). */
function mpiEnvOf(json: string | undefined): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(json ?? '{}');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The nodes with their share of `cpus` as slots, and the yield setting when the ranks outnumber the CPUs. */
function rightSize(nodes: readonly NodeContainer[], cpus: number): { nodes: NodeContainer[]; note?: string } {
  const plan = planLocalSlots(nodes.map(slotsOf), cpus);
  const sized = nodes.map((node, i) => {
    const slots = plan.slots[i];
    const extra: KeyValuePair[] = [
      ...(slots !== undefined ? [{ name: AGENT_ENV.slots, value: String(slots) }] : []),
      ...(plan.oversubscribed ? [{ name: AGENT_ENV.yieldWhenIdle, value: '1' }] : []),
    ];
    return extra.length === 0 ? node : { ...node, env: mergeEnv(node.env, extra) };
  });
  return { nodes: sized, ...(plan.note !== undefined ? { note: plan.note } : {}) };
}

/** Variables that never go on an argv (`ps` shows argvs to every local user): the rendezvous token. */
export const SECRET_ENV: readonly string[] = [AGENT_ENV.token];

/** The secret variables of a node, for `docker create --env-file`. */
export function secretEnvOf(node: NodeContainer): Record<string, string> {
  return Object.fromEntries(
    node.env.filter((kv) => SECRET_ENV.includes(kv.name ?? '')).map((kv) => [kv.name ?? '', kv.value ?? '']),
  );
}

/** The `docker create` argv of a node (secrets left out: see secretEnvOf); children get the main node's address as on Batch. */
export function createArgv(run: LocalRunPlan, node: NodeContainer, mainIp?: string): string[] {
  const argv = ['--name', node.name, '--hostname', node.hostname, '--network', run.network];
  for (const [k, v] of Object.entries(run.labels)) argv.push('--label', `${k}=${v}`);
  argv.push(...node.options);
  for (const kv of node.env) {
    if (!SECRET_ENV.includes(kv.name ?? '')) argv.push('--env', `${kv.name}=${kv.value ?? ''}`);
  }
  if (node.index !== run.mainIndex) {
    if (mainIp === undefined) {
      throw new MnbatchError('LOCAL_NO_MAIN_IP', `node ${node.index} needs the main node's address`, {
        origin: 'internal',
      });
    }
    argv.push('--env', `${BATCH_ENV.mainNodeIp}=${mainIp}`);
  }
  argv.push(node.image, ...node.command);
  return argv;
}
