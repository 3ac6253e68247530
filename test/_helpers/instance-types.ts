/**
 * Real DescribeInstanceTypes entries (test/_fixtures/instances: taken from the catalogue moto
 * ships, itself EC2's answers; members mnbatch does not read and the per-card list left out),
 * an EC2-like answer to a request for them, and the facts mnbatch makes of them: the fixed
 * lookup that keeps plans of tests offline and deterministic.
 */
import { readFileSync } from 'node:fs';
import type {
  DescribeInstanceTypesCommandInput,
  DescribeInstanceTypesCommandOutput,
  InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { type InstanceKnowledge, instanceFactsOf, knowledgeOf } from '../../src/instances/facts.js';

/** The entries, by instance type. */
export const INSTANCE_TYPE_INFOS: ReadonlyMap<string, InstanceTypeInfo> = new Map(
  (
    JSON.parse(
      readFileSync(new URL('../_fixtures/instances/describe-instance-types.json', import.meta.url), 'utf8'),
    ) as InstanceTypeInfo[]
  ).map((i) => [i.InstanceType ?? '', i]),
);

/** The entry of `type` (a test fails loudly when the fixture lacks it). */
export function instanceTypeInfo(type: string): InstanceTypeInfo {
  const info = INSTANCE_TYPE_INFOS.get(type);
  if (!info) throw new Error(`test/_fixtures/instances has no ${type}`);
  return info;
}

/**
 * DescribeInstanceTypes as EC2 answers it from the entries: `InstanceTypes`, or the
 * `instance-type` filter (exact names and `family.*`), `pageSize` entries a page.
 */
export function describeInstanceTypesAnswer(
  input: DescribeInstanceTypesCommandInput,
  pageSize = 100,
): DescribeInstanceTypesCommandOutput {
  const names = input.InstanceTypes as readonly string[] | undefined;
  const values = input.Filters?.find((f) => f.Name === 'instance-type')?.Values;
  const matches = [...INSTANCE_TYPE_INFOS.values()].filter((i) => {
    const type = i.InstanceType ?? '';
    if (names && !names.includes(type)) return false;
    return !values || values.some((v) => (v.endsWith('.*') ? type.startsWith(v.slice(0, -1)) : type === v));
  });
  const start = Number(input.NextToken ?? 0);
  return {
    InstanceTypes: matches.slice(start, start + pageSize),
    ...(start + pageSize < matches.length ? { NextToken: String(start + pageSize) } : {}),
    $metadata: {},
  };
}

/** What EC2 says of the entries, as the planner gets it from `submit`. */
export function fixtureInstances(): InstanceKnowledge {
  const facts = new Map(
    [...INSTANCE_TYPE_INFOS].flatMap(([type, info]) => {
      const f = instanceFactsOf(info);
      return f ? [[type, f] as const] : [];
    }),
  );
  return knowledgeOf(facts, 'ec2');
}
