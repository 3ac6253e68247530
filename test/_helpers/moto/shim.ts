/**
 * A small HTTP front for moto: every request is forwarded to moto unchanged, except the few
 * where moto is missing or differs from the real service — those the shim answers the way AWS
 * does (each correction is listed in docs/aws-quirks.md). It also names every call
 * (service:Operation), so tests can count requests or stop the client after the k-th mutating one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadServiceModel } from '../aws-model.js';
import { amiBuilders, type BuilderBehaviour, type SimulatedBuilder } from './shim-ami-builder.js';
import { batchCorrections } from './shim-batch.js';
import { batchJobCorrections, type JobBehaviour } from './shim-batch-jobs.js';
import { createImageSnapshotTags } from './shim-create-image.js';
import { describeTagsOfExisting } from './shim-describe-tags.js';
import { doctorCorrections } from './shim-doctor.js';
import { placementGroups } from './shim-placement-groups.js';

/** One call the shim saw. */
export interface ShimCall {
  readonly service: string;
  readonly operation: string;
  /** Create/Delete/Update/...: the call changes something. */
  readonly mutating: boolean;
  /** The request's parameters: the form fields of query APIs, the JSON body of JSON APIs. */
  readonly params: Readonly<Record<string, unknown>>;
  /** HTTP status of the answer. */
  status: number;
}

/**
 * A correction: answers a call itself (`answer`), changes the request moto gets and/or the
 * answer it gives (`forward`, `reply`), or leaves the call alone (undefined).
 */
export type Correction = (
  call: ShimCall,
  ctx: CorrectionContext,
) => CorrectionResult | undefined | Promise<CorrectionResult | undefined>;

/** What a correction decided. */
export type CorrectionResult =
  | { readonly answer: ShimAnswer }
  | { readonly forward?: string; readonly reply?: (answer: ShimAnswer) => ShimAnswer };

/** What a correction can use. */
export interface CorrectionContext {
  readonly region: string;
  /** Sends a request straight to moto (no correction, not recorded), signed for `service`. */
  moto(service: string, request: MotoRequest): Promise<ShimAnswer>;
}

/** A request made by a correction itself. */
export interface MotoRequest {
  readonly method?: string;
  readonly path?: string;
  /** Query APIs: form fields. */
  readonly form?: Readonly<Record<string, string>>;
  /** JSON APIs: the body and X-Amz-Target. */
  readonly json?: unknown;
  readonly target?: string;
}

/** A response the shim sends instead of moto's. */
export interface ShimAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Test hooks. */
export interface ShimHooks {
  /**
   * Called after moto (or a correction) answered, before the answer is sent back. Return
   * 'drop' to never answer (the client is being killed: the change happened, the client did not
   * learn of it).
   */
  afterCall?: (call: ShimCall) => 'send' | 'drop' | Promise<'send' | 'drop'>;
  /** How a simulated `ami bake` builder behaves (shim-ami-builder.ts). */
  builder?: BuilderBehaviour;
  /** How simulated jobs' containers end and what they log (shim-batch-jobs.ts); unset: moto's SUCCEEDED. */
  jobs?: JobBehaviour;
}

/** A running shim. */
export interface MotoShim {
  /** The endpoint clients use (AWS_ENDPOINT_URL). */
  readonly url: string;
  /** Every call so far, in order. */
  readonly calls: ShimCall[];
  hooks: ShimHooks;
  /** Forgets the calls, the hooks and what the corrections remember (after moto's reset). */
  reset(): void;
  /** The `ami bake` builders launched so far, by instance id, with what their user data did. */
  readonly builders: ReadonlyMap<string, SimulatedBuilder>;
  stop(): Promise<void>;
}

const MUTATING =
  /^(Create|Delete|Update|Put|Attach|Detach|Add|Remove|Authorize|Revoke|Register|Deregister|Submit|Terminate|Cancel|Run|Stop|Start|Modify|Tag|Untag|Associate|Disassociate|Replace)/;

/** Service (signing name) and region from the SigV4 Authorization header. */
function credentialScope(req: IncomingMessage): { service: string; region: string } {
  const auth = req.headers.authorization ?? '';
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  return { region: m?.[1] ?? 'us-east-1', service: m?.[2] ?? 'unknown' };
}

/** The botocore model name of a signing name. */
const MODEL_OF: Record<string, string> = { elasticfilesystem: 'efs' };

function operationOf(
  service: string,
  req: IncomingMessage,
  body: string,
): { operation: string; params: Record<string, unknown> } {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return { operation: target.split('.').at(-1) ?? target, params: body ? JSON.parse(body) : {} };
  }
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.includes('x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body));
    return { operation: String(params.Action ?? 'unknown'), params };
  }
  // REST APIs: match method and path against the model's request URIs.
  const model = loadServiceModel(MODEL_OF[service] ?? service);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  let best: { name: string; literal: number } | undefined;
  for (const op of Object.values(model.operations)) {
    if (!op.http || op.http.method !== req.method) continue;
    const template = op.http.requestUri.split('?')[0] ?? '';
    const pattern = new RegExp(
      `^${template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{[^}]+\+\}/g, '.+')
        .replace(/\{[^}]+\}/g, '[^/]+')}/?$`,
    );
    if (!pattern.test(path)) continue;
    const literal = template.replace(/\{[^}]+\}/g, '').length;
    if (!best || literal > best.literal) best = { name: op.name, literal };
  }
  let params: Record<string, unknown> = {};
  try {
    params = body ? JSON.parse(body) : {};
  } catch {
    // not JSON
  }
  return { operation: best?.name ?? `${req.method} ${path}`, params };
}

/** A request to moto signed (in form only: moto does not check signatures) for `service`. */
async function direct(motoUrl: string, service: string, region: string, r: MotoRequest): Promise<ShimAnswer> {
  const headers: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  let body: string | undefined;
  if (r.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    body = new URLSearchParams(r.form as Record<string, string>).toString();
  } else if (r.json !== undefined) {
    headers['content-type'] = r.target ? 'application/x-amz-json-1.1' : 'application/json';
    if (r.target) headers['x-amz-target'] = r.target;
    body = JSON.stringify(r.json);
  }
  const res = await fetch(`${motoUrl}${r.path ?? '/'}`, {
    method: r.method ?? 'POST',
    headers,
    ...(body ? { body } : {}),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the shim in front of moto at `motoUrl`. */
export async function startShim(motoUrl: string, given?: () => readonly Correction[]): Promise<MotoShim> {
  const calls: ShimCall[] = [];
  const shim: { hooks: ShimHooks } = { hooks: {} };
  const builders = new Map<string, SimulatedBuilder>();
  const makeCorrections =
    given ??
    (() => [
      placementGroups(),
      batchCorrections(),
      batchJobCorrections(() => shim.hooks.jobs),
      doctorCorrections(),
      createImageSnapshotTags(),
      describeTagsOfExisting(),
      amiBuilders(() => shim.hooks.builder, builders),
    ]);
  let corrections = makeCorrections();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const { service, region } = credentialScope(req);
    const { operation, params } = operationOf(service, req, body);
    const call: ShimCall = { service, operation, mutating: MUTATING.test(operation), params, status: 0 };
    calls.push(call);
    const ctx: CorrectionContext = { region, moto: (svc, r) => direct(motoUrl, svc, region, r) };
    let decision: CorrectionResult | undefined;
    for (const correct of corrections) {
      decision = await correct(call, ctx);
      if (decision) break;
    }
    let answer: ShimAnswer;
    if (decision && 'answer' in decision) answer = decision.answer;
    else {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length')
          headers.set(k, v);
      const forward = decision?.forward !== undefined ? Buffer.from(decision.forward) : raw;
      const upstream = await fetch(`${motoUrl}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(forward.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? { body: forward } : {}),
      });
      answer = {
        status: upstream.status,
        contentType: upstream.headers.get('content-type') ?? 'text/plain',
        body: await upstream.text(),
      };
      if (decision?.reply) answer = decision.reply(answer);
    }
    call.status = answer.status;
    const verdict = (await shim.hooks.afterCall?.(call)) ?? 'send';
    if (verdict === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType });
    res.end(answer.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`shim: ${e instanceof Error ? e.stack : String(e)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    builders,
    get hooks() {
      return shim.hooks;
    },
    set hooks(h: ShimHooks) {
      shim.hooks = h;
    },
    reset() {
      calls.length = 0;
      shim.hooks = {};
      builders.clear();
      corrections = makeCorrections();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
