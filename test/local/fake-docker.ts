/**
 * An in-memory Docker for the runner's unit tests. Containers start and run until the test
 * ends them (`exit`) or the runner removes them; every call is recorded in `calls`, in order.
 * Container ids are the container names; the n-th started container gets address 10.9.0.<n+1>.
 */
import type { BuildRequest, ContainerState, Docker, LabelledObject, Labels } from '../../src/local/docker.js';

interface FakeContainer {
  readonly name: string;
  readonly argv: readonly string[];
  readonly labels: Labels;
  running: boolean;
  paused: boolean;
  /** Variables passed through the env file, not the argv. */
  readonly secretEnv: Readonly<Record<string, string>>;
  /** Signals sent by stop/kill, in order. */
  readonly signals: string[];
  exitCode: number;
  ip: string | undefined;
  readonly ended: Promise<number>;
  end: (code: number) => void;
  lines: string[];
}

export interface FakeDockerOptions {
  /** Names of containers whose `docker create` fails. */
  readonly failCreate?: (name: string) => boolean;
  /** Lines each container prints when it starts. */
  readonly linesOf?: (name: string) => string[];
  readonly images?: Record<string, Labels>;
  /** What a container does on SIGTERM (`end` it with a code, or nothing: it ignores the signal). */
  readonly onSigterm?: (name: string, end: (code: number) => void) => void;
  /** CPUs the daemon reports (default 64). */
  readonly cpus?: number;
}

function labelsOf(argv: readonly string[]): Labels {
  const labels: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (argv[i - 1] === '--label') labels[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
  });
  return labels;
}

function matches(labels: Labels, filter: string): boolean {
  const eq = filter.indexOf('=');
  return eq < 0 ? filter in labels : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export function fakeDocker(options: FakeDockerOptions = {}) {
  const containers = new Map<string, FakeContainer>();
  const networks = new Map<string, Labels>();
  const images = new Map<string, Labels>(Object.entries(options.images ?? {}));
  const builds: BuildRequest[] = [];
  const calls: string[] = [];
  let started = 0;

  const docker: Docker = {
    async check() {},
    async cpus() {
      return options.cpus ?? 64;
    },
    async imageLabels(ref) {
      return images.get(ref);
    },
    async build(request) {
      calls.push(`build ${request.tags.join(',')}`);
      builds.push(request);
      for (const t of request.tags) images.set(t, request.labels ?? {});
    },
    async tag(source, target) {
      calls.push(`tag ${source} ${target}`);
      images.set(target, images.get(source) ?? {});
    },
    async createNetwork(name, labels) {
      calls.push(`network create ${name}`);
      networks.set(name, labels);
    },
    async removeNetworks(names) {
      for (const n of names) {
        calls.push(`network rm ${n}`);
        networks.delete(n);
      }
    },
    async createContainer(argv, secretEnv = {}) {
      const name = argv[argv.indexOf('--name') + 1]!;
      calls.push(`create ${name}`);
      if (options.failCreate?.(name)) throw new Error(`create ${name} failed`);
      let end: (code: number) => void = () => {};
      const ended = new Promise<number>((resolve) => {
        end = resolve;
      });
      const c: FakeContainer = {
        name,
        argv,
        labels: labelsOf(argv),
        running: false,
        paused: false,
        secretEnv,
        signals: [],
        exitCode: 0,
        ip: undefined,
        ended,
        end,
        lines: [],
      };
      c.end = (code) => {
        c.running = false;
        c.exitCode = code;
        end(code);
      };
      containers.set(name, c);
      return name;
    },
    async start(id) {
      calls.push(`start ${id}`);
      const c = containers.get(id)!;
      c.running = true;
      c.ip = `10.9.0.${++started}`;
      c.lines = options.linesOf?.(id) ?? [];
    },
    async inspect(id): Promise<ContainerState> {
      const c = containers.get(id)!;
      return { running: c.running, paused: c.paused, exitCode: c.exitCode, ip: c.running ? c.ip : undefined };
    },
    async followLogs(id, onLine) {
      const c = containers.get(id);
      if (!c) return;
      for (const l of c.lines) onLine(l, 'stdout');
      await c.ended;
    },
    async wait(id) {
      const c = containers.get(id);
      return c ? c.ended : 137;
    },
    async stop(ids, graceSeconds) {
      calls.push(`stop -t ${graceSeconds} ${ids.join(' ')}`);
      // Like docker stop: SIGTERM, then SIGKILL after the grace period unless the container ended.
      await Promise.all(
        ids.map(async (id) => {
          const c = containers.get(id);
          if (!c?.running) return;
          c.signals.push('SIGTERM');
          options.onSigterm?.(id, c.end);
          const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), graceSeconds * 1000));
          if ((await Promise.race([c.ended, timer])) === 'late' && c.running) {
            c.signals.push('SIGKILL');
            c.end(137);
          }
        }),
      );
    },
    async kill(ids) {
      calls.push(`kill ${ids.join(' ')}`);
      for (const id of ids) {
        const c = containers.get(id);
        if (!c?.running) continue;
        c.signals.push('SIGKILL');
        c.end(137);
      }
    },
    async removeContainers(ids) {
      for (const id of ids) {
        calls.push(`rm ${id}`);
        const c = containers.get(id);
        containers.delete(id);
        c?.end(137);
      }
    },
    async listContainers(label): Promise<LabelledObject[]> {
      return [...containers.values()]
        .filter((c) => matches(c.labels, label))
        .map((c) => ({ id: c.name, labels: c.labels }));
    },
    async listNetworks(label): Promise<LabelledObject[]> {
      return [...networks].filter(([, l]) => matches(l, label)).map(([id, labels]) => ({ id, labels }));
    },
  };

  return {
    docker,
    calls,
    builds,
    containers,
    networks,
    /** Ends the container whose name ends with `suffix` (e.g. "node0") with `code`. */
    exit(suffix: string, code: number) {
      const c = [...containers.values()].find((x) => x.name.endsWith(suffix));
      if (!c) throw new Error(`no container ${suffix}`);
      c.end(code);
    },
    /** Pauses the container whose name ends with `suffix` (docker pause). */
    pause(suffix: string) {
      const c = [...containers.values()].find((x) => x.name.endsWith(suffix));
      if (!c) throw new Error(`no container ${suffix}`);
      c.paused = true;
    },
    /** The environment a container was created with. */
    envOf(suffix: string): Record<string, string> {
      const c = [...containers.values()].find((x) => x.name.endsWith(suffix))!;
      return Object.fromEntries(
        c.argv.flatMap((a, i) =>
          c.argv[i - 1] === '--env' ? [[a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]] : [],
        ),
      );
    },
  };
}
