/**
 * Where botocore's service models are on this machine (the JSON models AWS publishes for its
 * SDKs): the project's machines have botocore 1.43 under pyenv's python3.11 (2026 models), moto's
 * virtualenv brings a current one elsewhere, Debian's python3-botocore is 1.29 (late 2022).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** One botocore installation: its `botocore/data` directory and version. */
export interface Botocore {
  readonly data: string;
  readonly version: string;
}

const parts = (v: string) => v.split('.').map(Number);

/** -1, 0 or 1 as version `a` is older than, as new as, or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function children(dir: string): string[] {
  try {
    return readdirSync(dir).map((d) => join(dir, d));
  } catch {
    return [];
  }
}

/** Every readable botocore, newest first. */
export function botocores(): Botocore[] {
  const found = new Map<string, Botocore>();
  const add = (site: string) => {
    const data = join(site, 'botocore', 'data');
    if (!existsSync(data) || found.has(data)) return;
    let init = '';
    try {
      init = readFileSync(join(site, 'botocore', '__init__.py'), 'utf8');
    } catch {
      return;
    }
    const version = /__version__ = '([\d.]+)'/.exec(init)?.[1];
    if (version) found.set(data, { data, version });
  };
  const prefixes = [
    ...children(join(homedir(), '.pyenv', 'versions')),
    ...children('/root/.pyenv/versions'),
    fileURLToPath(new URL('../../.moto-venv', import.meta.url)),
    '/usr/local',
    '/usr',
  ];
  for (const prefix of prefixes)
    for (const lib of children(join(prefix, 'lib')).filter((d) => /python3/.test(d)))
      for (const site of ['site-packages', 'dist-packages']) add(join(lib, site));
  add('/usr/lib/python3/dist-packages');
  return [...found.values()].sort((a, b) => compareVersions(b.version, a.version));
}

/** The newest model of `service` in one botocore (`<service>/<api version>/service-2.json[.gz]`). */
export function readBotocoreModel(botocore: Botocore, service: string): unknown {
  const versions = children(join(botocore.data, service)).sort();
  const newest = versions.at(-1);
  if (!newest) throw new Error(`botocore ${botocore.version} has no model of ${service}`);
  const file = join(newest, 'service-2.json');
  const text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : gunzipSync(readFileSync(`${file}.gz`)).toString('utf8');
  return JSON.parse(text);
}
