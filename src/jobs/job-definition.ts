/**
 * Register-or-reuse of the job definition. The plan names the definition after a hash of its
 * content; an ACTIVE revision of that name whose content equals the planned request is reused.
 * A revision with the same name but other content (edited by hand, or an older mnbatch that
 * hashed differently) is never reused: a new revision is registered, and the user is told.
 */
import type { JobDefinition, RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';

/** Members of a described job definition that are part of what RegisterJobDefinition sets. */
const CONTENT_KEYS = [
  'jobDefinitionName',
  'type',
  'parameters',
  'schedulingPriority',
  'containerProperties',
  'nodeProperties',
  'retryStrategy',
  'propagateTags',
  'timeout',
  'tags',
  'platformCapabilities',
  'eksProperties',
  'ecsProperties',
  'consumableResourceProperties',
] as const;

/**
 * A canonical form for comparison. Batch echoes a registered definition with empty lists and
 * maps filled in, `false` for unset flags, lower-case retry actions and the default platform, so
 * those are dropped or folded; the order of `environment` does not matter to containers.
 */
export function canonical(value: unknown, key = ''): unknown {
  if (value === null || value === undefined || value === false) return undefined;
  if (Array.isArray(value)) {
    if (key === 'platformCapabilities' && value.length === 1 && value[0] === 'EC2') return undefined;
    const items = value.map((v) => canonical(v)).filter((v) => v !== undefined);
    if (items.length === 0) return undefined;
    if (key === 'environment' || key === 'secrets')
      items.sort((a, b) =>
        String((a as { name?: string }).name).localeCompare(String((b as { name?: string }).name)),
      );
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = canonical((value as Record<string, unknown>)[k], k);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (key === 'action' && typeof value === 'string') return value.toUpperCase();
  return value;
}

/** True when the described revision registers exactly what `request` would. */
export function sameContent(described: JobDefinition, request: RegisterJobDefinitionCommandInput): boolean {
  const picked: Record<string, unknown> = {};
  for (const k of CONTENT_KEYS) picked[k] = (described as unknown as Record<string, unknown>)[k];
  return JSON.stringify(canonical(picked)) === JSON.stringify(canonical({ ...request }));
}

/** The outcome of ensureJobDefinition. */
export type JobDefinitionChoice =
  | { readonly kind: 'reused'; readonly jobDefinition: string; readonly revision: number }
  | {
      readonly kind: 'registered';
      readonly jobDefinition: string;
      readonly revision: number;
      /** Revisions of the same name whose content differed (why a new one was needed). */
      readonly differing: readonly number[];
    };

/** The newest ACTIVE revision with the same content, if any; pure. */
export function pickReusable(
  revisions: readonly JobDefinition[],
  request: RegisterJobDefinitionCommandInput,
): JobDefinition | undefined {
  return [...revisions]
    .filter((d) => d.status === undefined || d.status === 'ACTIVE')
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))
    .find((d) => sameContent(d, request));
}

/** Reuses a matching ACTIVE revision or registers a new one; returns `name:revision` to submit with. */
export async function ensureJobDefinition(
  batch: BatchApi,
  request: RegisterJobDefinitionCommandInput,
): Promise<JobDefinitionChoice> {
  const name = request.jobDefinitionName ?? '';
  const revisions = await batch.describeJobDefinitions({ jobDefinitionName: name, status: 'ACTIVE' });
  const reusable = pickReusable(revisions, request);
  if (reusable?.revision !== undefined) {
    return { kind: 'reused', jobDefinition: `${name}:${reusable.revision}`, revision: reusable.revision };
  }
  const registered = await batch.registerJobDefinition(request);
  return {
    kind: 'registered',
    jobDefinition: `${registered.jobDefinitionName}:${registered.revision}`,
    revision: registered.revision,
    differing: revisions.map((d) => d.revision ?? 0).sort((a, b) => a - b),
  };
}
