/**
 * EC2 `DescribeTags`: AWS lists the tags of resources that exist; a deleted security group,
 * security group rule or launch template takes its tags with it. moto 5.2 keeps the tags of
 * deleted resources (its delete functions never drop them), so a "nothing tagged is left" check
 * would see ghosts. Corrected for those three types: the shim drops items whose resource moto no
 * longer has. Other resource types are passed through as moto answers them.
 */
import type { Correction, CorrectionContext } from './shim.js';

/** The Describe call that lists every resource of a type, and the element that carries its id. */
const EXISTING: Readonly<Record<string, { action: string; idTag: string }>> = {
  'security-group': { action: 'DescribeSecurityGroups', idTag: 'groupId' },
  'security-group-rule': { action: 'DescribeSecurityGroupRules', idTag: 'securityGroupRuleId' },
  'launch-template': { action: 'DescribeLaunchTemplates', idTag: 'launchTemplateId' },
};

async function existingIds(ctx: CorrectionContext, type: string): Promise<Set<string>> {
  const spec = EXISTING[type];
  if (!spec) return new Set();
  const answer = await ctx.moto('ec2', { form: { Action: spec.action, Version: '2016-11-15' } });
  const re = new RegExp(`<${spec.idTag}>([^<]+)</${spec.idTag}>`, 'g');
  return new Set([...answer.body.matchAll(re)].map((m) => m[1] ?? ''));
}

/** The correction. */
export function describeTagsOfExisting(): Correction {
  return async (call, ctx) => {
    if (call.service !== 'ec2' || call.operation !== 'DescribeTags') return undefined;
    const answer = await ctx.moto('ec2', { form: call.params as Record<string, string> });
    if (answer.status !== 200) return { answer };
    // A tag item holds no other items: each is one resource's tag, in any element order.
    const items = [...answer.body.matchAll(/<item>([\s\S]*?)<\/item>/g)].map(
      (m): [string, string, string] => [
        m[0],
        /<resourceId>([^<]*)<\/resourceId>/.exec(m[1] ?? '')?.[1] ?? '',
        /<resourceType>([^<]*)<\/resourceType>/.exec(m[1] ?? '')?.[1] ?? '',
      ],
    );
    const types = new Set(items.map((m) => m[2] ?? '').filter((t) => t in EXISTING));
    const exists = new Map<string, Set<string>>();
    for (const type of types) exists.set(type, await existingIds(ctx, type));
    let body = answer.body;
    for (const [item, id = '', type = ''] of items) {
      const known = exists.get(type);
      if (known && !known.has(id)) body = body.replace(item, '');
    }
    return { answer: { ...answer, body } };
  };
}
