import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cachedInstanceFacts,
  INSTANCE_FACTS_TTL_MS,
  instanceFactsCacheFile,
} from '../../src/instances/cache.js';
import type { InstanceFacts } from '../../src/instances/facts.js';

const root = mkdtempSync(join(tmpdir(), 'mnbatch-facts-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const facts = (vcpus: number): InstanceFacts => ({
  vcpus,
  cores: vcpus / 2,
  memoryMiB: vcpus * 2048,
  gpus: 0,
  architectures: ['x86_64'],
  efaSupported: false,
  maxEfaInterfaces: 0,
});

const EC2: ReadonlyMap<string, InstanceFacts> = new Map([
  ['c5n.large', facts(2)],
  ['c5n.18xlarge', facts(72)],
  ['m5.large', facts(2)],
]);

/** A lookup answering like EC2 from EC2 above, recording what it was asked. */
function fakeLookup() {
  const asked: string[][] = [];
  const lookup = async (entries: readonly string[]) => {
    asked.push([...entries]);
    return new Map(
      [...EC2].filter(([t]) => entries.some((e) => e === t || (!e.includes('.') && t.startsWith(`${e}.`)))),
    );
  };
  return { asked, lookup };
}

let n = 0;
const newFile = () => join(root, `case-${n++}`, 'instance-types-us-east-1.json');

describe('instance facts cache', () => {
  it('given a fresh cache file, when asked twice (also through a new cache object), then EC2 is asked once', async () => {
    const file = newFile();
    const first = fakeLookup();
    const now = () => 1_000;
    const a = await cachedInstanceFacts(first.lookup, { file, now })(['c5n', 'm5.large']);
    expect([...a.keys()].sort()).toEqual(['c5n.18xlarge', 'c5n.large', 'm5.large']);
    const again = await cachedInstanceFacts(first.lookup, { file, now })(['c5n']);
    expect([...again.keys()].sort()).toEqual(['c5n.18xlarge', 'c5n.large']);
    expect(first.asked).toEqual([['c5n', 'm5.large']]);
    expect(JSON.parse(readFileSync(file, 'utf8')).entries.c5n.types.sort()).toEqual([
      'c5n.18xlarge',
      'c5n.large',
    ]);
  });

  it('given a cache file another run wrote, then its fresh entries are answered without asking EC2', async () => {
    const file = join(mkdtempSync(join(root, 'written-')), 'instance-types-ap-south-1.json');
    const entries = { c5n: { askedAt: 100, types: ['c5n.large'] } };
    writeFileSync(file, JSON.stringify({ format: 1, entries, facts: { 'c5n.large': facts(2) } }));
    const { asked, lookup } = fakeLookup();
    const answer = await cachedInstanceFacts(lookup, { file, now: () => 200 })(['c5n']);
    expect(answer).toEqual(new Map([['c5n.large', facts(2)]]));
    expect(asked).toEqual([]);
  });

  it('given an entry older than the TTL, then only that entry is asked again', async () => {
    const file = newFile();
    const { asked, lookup } = fakeLookup();
    let now = 0;
    await cachedInstanceFacts(lookup, { file, now: () => now })(['c5n']);
    now = INSTANCE_FACTS_TTL_MS - 1;
    await cachedInstanceFacts(lookup, { file, now: () => now })(['c5n', 'm5.large']);
    now = INSTANCE_FACTS_TTL_MS + 1;
    await cachedInstanceFacts(lookup, { file, now: () => now })(['c5n', 'm5.large']);
    expect(asked).toEqual([['c5n'], ['m5.large'], ['c5n']]);
  });

  it('given a type EC2 does not know, then the empty answer is kept too (not asked again within the TTL)', async () => {
    const file = newFile();
    const { asked, lookup } = fakeLookup();
    const cached = cachedInstanceFacts(lookup, { file, now: () => 5 });
    expect((await cached(['zz9.large'])).size).toBe(0);
    expect((await cached(['zz9.large'])).size).toBe(0);
    expect(asked).toEqual([['zz9.large']]);
  });

  it('given a corrupt or foreign cache file, then it is ignored and replaced', async () => {
    const dir = mkdtempSync(join(root, 'corrupt-'));
    const file = join(dir, 'instance-types-eu-west-1.json');
    writeFileSync(file, '{"format": 99, "entries": {"c5n": {"askedAt": 0, "types": ["x"]}}}');
    const { asked, lookup } = fakeLookup();
    expect((await cachedInstanceFacts(lookup, { file, now: () => 1 })(['m5.large'])).size).toBe(1);
    expect(asked).toEqual([['m5.large']]);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);
  });

  it('given a cache folder that cannot be written, then the facts are still answered', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    const { lookup } = fakeLookup();
    const answer = await cachedInstanceFacts(lookup, { file: join(blocker, 'sub', 'x.json'), now: () => 1 })([
      'm5.large',
    ]);
    expect(answer.get('m5.large')?.vcpus).toBe(2);
  });

  it('keeps one file per region under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(instanceFactsCacheFile({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 'eu-west-1')).toBe(
      '/x/mnbatch/instance-types-eu-west-1.json',
    );
    expect(instanceFactsCacheFile({ HOME: '/h' }, 'us-east-1')).toBe(
      '/h/.cache/mnbatch/instance-types-us-east-1.json',
    );
    expect(instanceFactsCacheFile({ HOME: '/h' }, '../../etc')).toBe(
      '/h/.cache/mnbatch/instance-types-______etc.json',
    );
  });
});
