/**
 * Register-or-reuse of the job definition. mnbatch tags every revision it registers with a hash
 * of exactly what it sends (`mnbatch:content`); an ACTIVE revision of the name carrying the same
 * hash is reused, whatever defaults Batch fills in when it echoes the definition back. Revisions
 * without the tag (registered by hand or by an older mnbatch) or with another hash are never
 * reused: a new revision is registered, and the user is told.
 */
import type { JobDefinition, RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { isState } from '../aws/states.js';
import { contentHash } from '../plan/hash.js';

/** The tag that carries the content hash of a registered revision. */
export const CONTENT_TAG = 'mnbatch:content';

/** Hex digits of SHA-256 kept in the tag (64 bits: collisions are not a concern). */
const CONTENT_HASH_LENGTH = 16;

/**
 * The hash of what RegisterJobDefinition would send for `request`: its canonical JSON (keys
 * sorted at every depth) without the content tag itself. Pure.
 */
export function jobDefinitionHash(request: RegisterJobDefinitionCommandInput): string {
  const { [CONTENT_TAG]: _own, ...tags } = request.tags ?? {};
  const { tags: _tags, ...rest } = request;
  const hashed = Object.keys(tags).length > 0 ? { ...rest, tags } : rest;
  return contentHash(hashed, CONTENT_HASH_LENGTH);
}

/** `request` with its content tag: exactly what is registered. */
export function withContentTag(
  request: RegisterJobDefinitionCommandInput,
): RegisterJobDefinitionCommandInput {
  return { ...request, tags: { ...request.tags, [CONTENT_TAG]: jobDefinitionHash(request) } };
}

/** The outcome of ensureJobDefinition. */
export type JobDefinitionChoice =
  | { readonly kind: 'reused'; readonly jobDefinition: string; readonly revision: number }
  | {
      readonly kind: 'registered';
      readonly jobDefinition: string;
      readonly revision: number;
      /** ACTIVE revisions of the same name that mnbatch registered with other content (an edit, a rebuilt image). */
      readonly changed: readonly number[];
      /** ACTIVE revisions of the same name without a content tag: registered outside mnbatch. */
      readonly untagged: readonly number[];
    };

/** The newest ACTIVE revision tagged with `hash`, if any; pure. */
export function pickReusable(revisions: readonly JobDefinition[], hash: string): JobDefinition | undefined {
  return [...revisions]
    .filter((d) => isState(d.status, 'ACTIVE') && d.tags?.[CONTENT_TAG] === hash)
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
}

/** Reuses a matching ACTIVE revision or registers a new one; returns `name:revision` to submit with. */
export async function ensureJobDefinition(
  batch: BatchApi,
  request: RegisterJobDefinitionCommandInput,
): Promise<JobDefinitionChoice> {
  const name = request.jobDefinitionName ?? '';
  const tagged = withContentTag(request);
  const hash = tagged.tags?.[CONTENT_TAG] ?? '';
  const revisions = await batch.describeJobDefinitions({ jobDefinitionName: name, status: 'ACTIVE' });
  const reusable = pickReusable(revisions, hash);
  if (reusable?.revision !== undefined) {
    return { kind: 'reused', jobDefinition: `${name}:${reusable.revision}`, revision: reusable.revision };
  }
  const registered = await batch.registerJobDefinition(tagged);
  const active = revisions.filter((d) => isState(d.status, 'ACTIVE'));
  const numbers = (list: readonly JobDefinition[]) => list.map((d) => d.revision ?? 0).sort((a, b) => a - b);
  return {
    kind: 'registered',
    jobDefinition: `${registered.jobDefinitionName}:${registered.revision}`,
    revision: registered.revision,
    changed: numbers(active.filter((d) => d.tags?.[CONTENT_TAG] !== undefined)),
    untagged: numbers(active.filter((d) => d.tags?.[CONTENT_TAG] === undefined)),
  };
}
