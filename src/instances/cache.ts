/**
 * Instance type facts kept between runs: in the process, and in a small JSON file per region
 * under the user's cache folder ($XDG_CACHE_HOME/mnbatch, else ~/.cache/mnbatch), each entry
 * with the time it was asked, so EC2 is asked again only after `ttlMs`. A missing, unreadable
 * or foreign file is the same as an empty cache; a cache that cannot be written is skipped.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { entryCovers, type InstanceFacts } from './facts.js';

/** How long cached facts are used: instance types do not change, new ones appear. */
export const INSTANCE_FACTS_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Version of the file's layout (a file of another format is read as empty): 2 added
 * threadsPerCore, 3 networkCards.
 */
export const INSTANCE_FACTS_CACHE_FORMAT = 3;

interface CacheData {
  readonly format: typeof INSTANCE_FACTS_CACHE_FORMAT;
  /** Entry (type or family) → when EC2 was asked, and the types it answered. */
  entries: Record<string, { readonly askedAt: number; readonly types: readonly string[] }>;
  facts: Record<string, InstanceFacts>;
}

/** The cache file of `region`. */
export function instanceFactsCacheFile(
  env: Readonly<Record<string, string | undefined>>,
  region: string,
): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'mnbatch', `instance-types-${region.replace(/[^a-z0-9-]/g, '_')}.json`);
}

/** The cache files of every region there are, `region`'s first (for offline reads: a type's facts are the same in every region). */
export async function instanceFactsCacheFiles(
  env: Readonly<Record<string, string | undefined>>,
  region: string | undefined,
): Promise<string[]> {
  const dir = dirname(instanceFactsCacheFile(env, 'any'));
  const own = region === undefined ? undefined : instanceFactsCacheFile(env, region);
  const names = await readdir(dir).catch(() => [] as string[]);
  const others = names
    .filter((n) => /^instance-types-.+\.json$/.test(n))
    .map((n) => join(dir, n))
    .filter((f) => f !== own)
    .sort();
  return own === undefined ? others : [own, ...others];
}

/** Files read in this process, so a second lookup reads nothing. */
const MEMORY = new Map<string, CacheData>();

async function load(file: string): Promise<CacheData> {
  const known = MEMORY.get(file);
  if (known) return known;
  let data: CacheData = { format: INSTANCE_FACTS_CACHE_FORMAT, entries: {}, facts: {} };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheData>;
    if (parsed.format === INSTANCE_FACTS_CACHE_FORMAT && parsed.entries && parsed.facts)
      data = parsed as CacheData;
  } catch {
    // no cache yet, or not ours: start empty
  }
  MEMORY.set(file, data);
  return data;
}

async function save(file: string, data: CacheData): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, file);
  } catch {
    // a read-only home: the facts are still used, only not kept
  }
}

export interface FactsCacheOptions {
  readonly file: string;
  readonly now: () => number;
  readonly ttlMs?: number;
}

/**
 * `lookup` behind the cache: entries asked less than `ttlMs` ago are answered from it, the rest
 * are asked in one lookup and kept (also when EC2 knows no such type).
 */
export function cachedInstanceFacts(
  lookup: (entries: readonly string[]) => Promise<ReadonlyMap<string, InstanceFacts>>,
  options: FactsCacheOptions,
): (entries: readonly string[]) => Promise<ReadonlyMap<string, InstanceFacts>> {
  const ttl = options.ttlMs ?? INSTANCE_FACTS_TTL_MS;
  return async (entries) => {
    const data = await load(options.file);
    const now = options.now();
    const stale = [...new Set(entries)].filter((e) => {
      const cached = data.entries[e];
      return !cached || now - cached.askedAt >= ttl || now < cached.askedAt;
    });
    if (stale.length > 0) {
      const found = await lookup(stale);
      for (const [type, facts] of found) data.facts[type] = facts;
      for (const e of stale) {
        data.entries[e] = { askedAt: now, types: [...found.keys()].filter((t) => entryCovers(e, t)) };
      }
      await save(options.file, data);
    }
    return answerOf(data, entries);
  };
}

/**
 * What the cache files hold for `entries`, whatever their age, without asking EC2: the offline
 * `plan` and `validate` (a type's facts do not change; only new sizes appear). The first file
 * that knows an entry answers it.
 */
export async function cachedOnlyInstanceFacts(
  files: readonly string[],
  entries: readonly string[],
): Promise<ReadonlyMap<string, InstanceFacts>> {
  const answer = new Map<string, InstanceFacts>();
  let missing = [...entries];
  for (const file of files) {
    if (missing.length === 0) break;
    const data = await load(file);
    for (const [type, facts] of answerOf(data, missing)) answer.set(type, facts);
    // A type kept as a size of a family asked for (the stuck-job diagnosis) is known too.
    for (const e of missing) if (data.facts[e]) answer.set(e, data.facts[e]);
    missing = missing.filter((e) => data.entries[e] === undefined && !data.facts[e]);
  }
  return answer;
}

function answerOf(data: CacheData, entries: readonly string[]): Map<string, InstanceFacts> {
  const answer = new Map<string, InstanceFacts>();
  for (const e of entries) {
    for (const type of data.entries[e]?.types ?? []) {
      const facts = data.facts[type];
      if (facts) answer.set(type, facts);
    }
  }
  return answer;
}
