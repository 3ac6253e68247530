/**
 * The AWS service models the tests check requests and responses against, as a snapshot in
 * test/_fixtures/aws-models/: from the newest botocore on this machine, each model reduced to
 * the operations mnbatch and its tests call (every `<Operation>Command` in src/ and test/) and
 * the shapes they reach, without documentation. The unit tier reads only the snapshot, so it
 * needs no Python; the integration tier checks the snapshot against the newest botocore.
 *
 *   node --import tsx scripts/aws-models.ts          # write the snapshot
 *   node --import tsx scripts/aws-models.ts --check  # fail when it differs from botocore
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { botocores, compareVersions, readBotocoreModel } from '../test/_helpers/botocore.js';

/** botocore's names of the services mnbatch talks to. */
export const SERVICES = [
  'batch',
  'ec2',
  'efs',
  'iam',
  'logs',
  'ssm',
  'ecr',
  'sts',
  'service-quotas',
] as const;
export const SNAPSHOT_DIR = 'test/_fixtures/aws-models';

interface Model {
  metadata: Record<string, unknown>;
  operations: Record<
    string,
    { input?: { shape: string }; output?: { shape: string } } & Record<string, unknown>
  >;
  shapes: Record<string, Record<string, unknown>>;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every operation name used as `<Name>Command` in the code and tests. */
export function usedOperations(root = '.'): Set<string> {
  const names = new Set<string>();
  for (const file of [...files(join(root, 'src')), ...files(join(root, 'test'))])
    for (const m of readFileSync(file, 'utf8').matchAll(/\b([A-Z][A-Za-z0-9]+)Command\b/g))
      names.add(m[1] ?? '');
  return names;
}

const DROP = new Set(['documentation', 'documentationUrl', 'examples']);

function strip<T>(value: T): T {
  if (Array.isArray(value)) return value.map(strip) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !DROP.has(k))
        .map(([k, v]) => [k, strip(v)]),
    ) as T;
  return value;
}

/** `model` with only `operations` and the shapes they reach. */
export function reduce(model: Model, operations: Set<string>): Model {
  const keep = Object.keys(model.operations)
    .filter((op) => operations.has(op))
    .sort();
  const reached = new Set<string>();
  const walk = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    const shape = model.shapes[name] as {
      member?: { shape: string };
      key?: { shape: string };
      value?: { shape: string };
      members?: Record<string, { shape: string }>;
    };
    for (const ref of [shape.member, shape.key, shape.value, ...Object.values(shape.members ?? {})])
      if (ref) walk(ref.shape);
  };
  for (const op of keep) {
    const o = model.operations[op];
    if (o?.input) walk(o.input.shape);
    if (o?.output) walk(o.output.shape);
  }
  return strip({
    metadata: model.metadata,
    operations: Object.fromEntries(keep.map((op) => [op, model.operations[op]])),
    shapes: Object.fromEntries([...reached].sort().map((s) => [s, model.shapes[s]])),
  } as Model);
}

/** The snapshot files as the newest botocore makes them: path → text. */
export function renderSnapshot(root = '.'): { version: string; files: Record<string, string> } {
  const [newest] = botocores();
  if (!newest)
    throw new Error(
      'no botocore on this machine (pip install botocore, or the .moto-venv of scripts/setup.sh)',
    );
  const operations = usedOperations(root);
  const out: Record<string, string> = {
    [join(SNAPSHOT_DIR, 'SOURCE.json')]:
      `${JSON.stringify({ botocore: newest.version, services: SERVICES }, null, 2)}\n`,
  };
  for (const service of SERVICES) {
    const model = reduce(readBotocoreModel(newest, service) as Model, operations);
    out[join(SNAPSHOT_DIR, `${service}.json`)] = `${JSON.stringify(model)}\n`;
  }
  return { version: newest.version, files: out };
}

/** The problems of the committed snapshot against `render` ([] when current). */
export function snapshotDifferences(root = '.'): string[] {
  const committed = JSON.parse(readFileSync(join(root, SNAPSHOT_DIR, 'SOURCE.json'), 'utf8')) as {
    botocore: string;
  };
  const { version, files: want } = renderSnapshot(root);
  if (compareVersions(version, committed.botocore) < 0)
    return [`the newest botocore here (${version}) is older than the snapshot's (${committed.botocore})`];
  return Object.entries(want).flatMap(([path, text]) => {
    let have = '';
    try {
      have = readFileSync(join(root, path), 'utf8');
    } catch {
      // missing
    }
    return have === text
      ? []
      : [`${path} differs from botocore ${version}: run node --import tsx scripts/aws-models.ts`];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const problems = snapshotDifferences();
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.exit(problems.length > 0 ? 1 : 0);
  }
  const { version, files: out } = renderSnapshot();
  for (const [path, text] of Object.entries(out)) writeFileSync(path, text);
  process.stderr.write(`wrote ${Object.keys(out).length} files from botocore ${version}\n`);
}
