import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cachedInstanceFacts,
  cachedOnlyInstanceFacts,
  INSTANCE_FACTS_CACHE_FORMAT,
  INSTANCE_FACTS_TTL_MS,
  instanceFactsCacheFile,
  instanceFactsCacheFiles,
} from '../../src/instances/cache.js';
import type { InstanceFacts } from '../../src/instances/facts.js';

const root = mkdtempSync(join(tmpdir(), 'mnbatch-facts-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const facts = (vcpus: number): InstanceFacts => ({
  vcpus,
  cores: vcpus / 2,
  threadsPerCore: 2,
  memoryMiB: vcpus * 2048,
  gpus: 0,
  architectures: ['x86_64'],
  efaSupported: false,
  maxEfaInterfaces: 0,
  networkCards: 1,
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
    writeFileSync(
      file,
      JSON.stringify({ format: INSTANCE_FACTS_CACHE_FORMAT, entries, facts: { 'c5n.large': facts(2) } }),
    );
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
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(INSTANCE_FACTS_CACHE_FORMAT);
  });

  /** A cache file of an older `format`, whose facts of m5.large lack `missing`. */
  const oldFormatFile = (format: number, missing: keyof InstanceFacts) => {
    const file = join(mkdtempSync(join(root, `format-${format}-`)), 'instance-types-us-east-1.json');
    const { [missing]: _, ...old } = facts(2);
    const entries = { 'm5.large': { askedAt: 100, types: ['m5.large'] } };
    writeFileSync(file, JSON.stringify({ format, entries, facts: { 'm5.large': old } }));
    return file;
  };

  it('given a file of the first format (facts without threadsPerCore), then it is asked again', async () => {
    const file = oldFormatFile(1, 'threadsPerCore');
    const { asked, lookup } = fakeLookup();
    const answer = await cachedInstanceFacts(lookup, { file, now: () => 200 })(['m5.large']);
    expect(answer.get('m5.large')?.threadsPerCore).toBe(2);
    expect(asked).toEqual([['m5.large']]);
  });

  it('given a file of format 2 (facts without networkCards), then it is not misread but asked again', async () => {
    const file = oldFormatFile(2, 'networkCards');
    const { asked, lookup } = fakeLookup();
    const answer = await cachedInstanceFacts(lookup, { file, now: () => 200 })(['m5.large']);
    expect(answer.get('m5.large')?.networkCards).toBe(1);
    expect(asked).toEqual([['m5.large']]);
    expect(await cachedOnlyInstanceFacts([file], ['m5.large'])).toEqual(new Map([['m5.large', facts(2)]]));
  });

  it('given only the cache (offline plan), then what it holds at any age, nothing asked or written', async () => {
    const file = join(mkdtempSync(join(root, 'offline-')), 'instance-types-eu-north-1.json');
    const entries = {
      'c5n.large': { askedAt: 1, types: ['c5n.large'] },
      'zz9.large': { askedAt: 1, types: [] },
    };
    const written = JSON.stringify({
      format: INSTANCE_FACTS_CACHE_FORMAT,
      entries,
      facts: { 'c5n.large': facts(2) },
    });
    writeFileSync(file, written);
    expect(await cachedOnlyInstanceFacts([file], ['c5n.large', 'zz9.large', 'm5.large'])).toEqual(
      new Map([['c5n.large', facts(2)]]),
    );
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect((await cachedOnlyInstanceFacts([join(root, 'nowhere', 'x.json')], ['c5n.large'])).size).toBe(0);
  });

  it('given a type kept as a size of a family asked for, then the offline read knows it too', async () => {
    const file = newFile();
    const { lookup } = fakeLookup();
    await cachedInstanceFacts(lookup, { file, now: () => 1 })(['c5n']);
    expect(await cachedOnlyInstanceFacts([file], ['c5n.18xlarge'])).toEqual(
      new Map([['c5n.18xlarge', facts(72)]]),
    );
  });

  it("given several regions' files, then the region's own first, then the others for what it lacks", async () => {
    const home = mkdtempSync(join(root, 'regions-'));
    const env = { XDG_CACHE_HOME: home };
    const lookupOf = (vcpus: number) => async (types: readonly string[]) =>
      new Map(types.filter((t) => t !== 'zz9.large').map((t) => [t, facts(vcpus)] as const));
    const write = (region: string, vcpus: number, types: string[]) =>
      cachedInstanceFacts(lookupOf(vcpus), { file: instanceFactsCacheFile(env, region), now: () => 1 })(
        types,
      );
    await write('us-east-1', 2, ['c5n.large', 'm5.large']);
    await write('eu-west-1', 4, ['c5n.large', 'zz9.large']);
    const files = await instanceFactsCacheFiles(env, 'eu-west-1');
    expect(files).toEqual([
      instanceFactsCacheFile(env, 'eu-west-1'),
      instanceFactsCacheFile(env, 'us-east-1'),
    ]);
    // eu-west-1 answers c5n.large, and knows zz9.large is no type; m5.large comes from us-east-1
    const answer = await cachedOnlyInstanceFacts(files, ['c5n.large', 'm5.large', 'zz9.large']);
    expect(answer).toEqual(
      new Map([
        ['c5n.large', facts(4)],
        ['m5.large', facts(2)],
      ]),
    );
    expect(await instanceFactsCacheFiles(env, undefined)).toHaveLength(2);
    expect(await instanceFactsCacheFiles({ XDG_CACHE_HOME: join(home, 'none') }, 'eu-west-1')).toEqual([
      instanceFactsCacheFile({ XDG_CACHE_HOME: join(home, 'none') }, 'eu-west-1'),
    ]);
  });
});
