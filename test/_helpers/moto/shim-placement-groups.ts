/**
 * EC2 placement groups, which moto 5.2 does not implement (NotImplementedError for
 * Create/Describe/DeletePlacementGroup). Answered the way EC2 does: a new group is `pending`
 * until the first look, then `available`; a deleted one is seen once as `deleted`, then no more;
 * duplicate names and unknown names are the EC2 error codes.
 */
import { randomBytes } from 'node:crypto';
import type { Correction, ShimAnswer } from './shim.js';

interface Group {
  name: string;
  id: string;
  strategy: string;
  state: 'pending' | 'available' | 'deleted';
  tags: { key: string; value: string }[];
  region: string;
}

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An EC2 error answer. */
export function ec2Error(status: number, code: string, message: string): ShimAnswer {
  return {
    status,
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${randomBytes(8).toString('hex')}</RequestID></Response>`,
  };
}

function ok(action: string, inner: string): ShimAnswer {
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${XMLNS}"><requestId>${randomBytes(8).toString('hex')}</requestId>${inner}</${action}Response>`,
  };
}

function groupXml(g: Group, tag = 'item'): string {
  const tags = g.tags
    .map((t) => `<item><key>${esc(t.key)}</key><value>${esc(t.value)}</value></item>`)
    .join('');
  return `<${tag}><groupName>${esc(g.name)}</groupName><strategy>${g.strategy}</strategy><state>${g.state}</state><groupId>${g.id}</groupId><groupArn>arn:aws:ec2:${g.region}:123456789012:placement-group/${esc(g.name)}</groupArn><tagSet>${tags}</tagSet></${tag}>`;
}

/** `Prefix.1`, `Prefix.2`, … values of a query request. */
function indexed(params: Readonly<Record<string, unknown>>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(String(params[`${prefix}.${i}`]));
  return out;
}

function filters(params: Readonly<Record<string, unknown>>): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; params[`Filter.${i}.Name`] !== undefined; i++)
    out.push({ name: String(params[`Filter.${i}.Name`]), values: indexed(params, `Filter.${i}.Value`) });
  return out;
}

function matches(g: Group, f: { name: string; values: string[] }): boolean {
  if (f.name.startsWith('tag:')) {
    const key = f.name.slice(4);
    return g.tags.some((t) => t.key === key && f.values.includes(t.value));
  }
  switch (f.name) {
    case 'group-name':
      return f.values.includes(g.name);
    case 'group-id':
      return f.values.includes(g.id);
    case 'strategy':
      return f.values.includes(g.strategy);
    case 'state':
      return f.values.includes(g.state);
    case 'tag-key':
      return g.tags.some((t) => f.values.includes(t.key));
    default:
      throw new Error(`shim: placement group filter ${f.name} is not modelled`);
  }
}

/** The placement-group correction, with its own state. */
export function placementGroups(): Correction {
  const groups = new Map<string, Group>();
  const key = (region: string, name: string) => `${region}/${name}`;
  return (call, { region }) => {
    if (call.service !== 'ec2') return undefined;
    const answer = groupCall(call, region);
    return answer ? { answer } : undefined;
  };
  function groupCall(call: Parameters<Correction>[0], region: string): ShimAnswer | undefined {
    const p = call.params;
    switch (call.operation) {
      case 'CreatePlacementGroup': {
        const name = String(p.GroupName ?? '');
        const existing = groups.get(key(region, name));
        if (existing && existing.state !== 'deleted')
          return ec2Error(
            400,
            'InvalidPlacementGroup.Duplicate',
            `The Placement Group '${name}' already exists.`,
          );
        const tags: Group['tags'] = [];
        for (let s = 1; p[`TagSpecification.${s}.ResourceType`] !== undefined; s++)
          for (let t = 1; p[`TagSpecification.${s}.Tag.${t}.Key`] !== undefined; t++)
            tags.push({
              key: String(p[`TagSpecification.${s}.Tag.${t}.Key`]),
              value: String(p[`TagSpecification.${s}.Tag.${t}.Value`] ?? ''),
            });
        const g: Group = {
          name,
          id: `pg-${randomBytes(9).toString('hex').slice(0, 17)}`,
          strategy: String(p.Strategy ?? 'cluster'),
          state: 'pending',
          tags,
          region,
        };
        groups.set(key(region, name), g);
        return ok('CreatePlacementGroup', `<return>true</return>${groupXml(g, 'placementGroup')}`);
      }
      case 'DescribePlacementGroups': {
        const names = indexed(p, 'GroupName');
        const inRegion = [...groups.values()].filter((g) => g.region === region);
        for (const n of names)
          if (!inRegion.some((g) => g.name === n && g.state !== 'deleted'))
            return ec2Error(400, 'InvalidPlacementGroup.Unknown', `The Placement Group '${n}' is unknown.`);
        const fs = filters(p);
        const found = inRegion.filter(
          (g) => (names.length === 0 || names.includes(g.name)) && fs.every((f) => matches(g, f)),
        );
        const xml = found.map((g) => groupXml(g)).join('');
        // Looking moves each group on: pending → available; deleted → gone.
        for (const g of inRegion) {
          if (g.state === 'pending') g.state = 'available';
          else if (g.state === 'deleted') groups.delete(key(region, g.name));
        }
        return ok('DescribePlacementGroups', `<placementGroupSet>${xml}</placementGroupSet>`);
      }
      case 'DeletePlacementGroup': {
        const name = String(p.GroupName ?? '');
        const g = groups.get(key(region, name));
        if (!g || g.state === 'deleted')
          return ec2Error(400, 'InvalidPlacementGroup.Unknown', `The Placement Group '${name}' is unknown.`);
        g.state = 'deleted';
        return ok('DeletePlacementGroup', '<return>true</return>');
      }
      default:
        return undefined;
    }
  }
}
