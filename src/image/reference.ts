/** Image references (`[registry/]repository[:tag][@sha256:…]`) taken apart and put together; pure. */

/** A Docker image reference, taken apart. */
export interface ImageRef {
  /** The registry host (with port), or undefined for Docker Hub / a local name. */
  readonly registry: string | undefined;
  readonly repository: string;
  readonly tag: string | undefined;
  /** `sha256:<64 hex>` when the reference is pinned. */
  readonly digest: string | undefined;
}

/** The ECR registry a host names, or undefined when it is no ECR registry. */
export interface EcrRegistry {
  readonly account: string;
  readonly region: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** True for a digest as registries report it (`sha256:` and 64 hex digits). */
export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

/**
 * `text` taken apart the way Docker does: the first path component is a registry when it has a
 * dot or a port, or is `localhost`; the tag follows the last colon after the last slash.
 */
export function parseImageRef(text: string): ImageRef {
  const at = text.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const name = at >= 0 ? text.slice(0, at) : text;
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasRegistry ? name.slice(slash + 1) : name;
  const colon = path.lastIndexOf(':');
  const tagged = colon > path.lastIndexOf('/');
  return {
    registry: hasRegistry ? first : undefined,
    repository: tagged ? path.slice(0, colon) : path,
    tag: tagged ? path.slice(colon + 1) : undefined,
    digest,
  };
}

/** `registry/repository@digest`: what a job definition runs, the same bytes on every node. */
export function pinnedRef(registry: string | undefined, repository: string, digest: string): string {
  return `${registry ? `${registry}/` : ''}${repository}@${digest}`;
}

/** The account and region of an ECR registry host, or undefined for any other registry. */
export function ecrRegistry(host: string | undefined): EcrRegistry | undefined {
  const m = host ? ECR_HOST.exec(host) : null;
  return m?.[1] && m[2] ? { account: m[1], region: m[2] } : undefined;
}

/** The host (and port) of a registry endpoint such as `https://123….amazonaws.com`. */
export function registryHost(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}
