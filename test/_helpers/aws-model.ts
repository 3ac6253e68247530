/**
 * Checks requests and responses against the official AWS service models (the JSON models AWS
 * publishes in botocore): member names, required members, enums, types and documented min/max —
 * what the real API's serializer accepts. The models are a snapshot of the newest botocore,
 * reduced to the operations mnbatch calls (test/_fixtures/aws-models, made by
 * scripts/aws-models.ts), so the unit tier needs no Python; the integration tier checks that
 * the snapshot is current.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SNAPSHOT = fileURLToPath(new URL('../_fixtures/aws-models', import.meta.url));

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string; location?: string; locationName?: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
}

/** One operation of a model: its HTTP binding and its input and output shapes. */
export interface ModelOperation {
  readonly name: string;
  readonly http?: { readonly method: string; readonly requestUri: string };
  readonly input?: { shape: string };
  readonly output?: { shape: string };
}

/** A botocore service model. */
export interface ServiceModel {
  metadata: { protocol: string; targetPrefix?: string; endpointPrefix?: string; signingName?: string };
  operations: Record<string, ModelOperation>;
  shapes: Record<string, Shape>;
}

const cache = new Map<string, ServiceModel>();

/** Where the models come from (for messages). */
export function modelSource(): string {
  const { botocore } = JSON.parse(readFileSync(`${SNAPSHOT}/SOURCE.json`, 'utf8')) as { botocore: string };
  return `${SNAPSHOT} (botocore ${botocore})`;
}

/** The model of `service` (botocore's name: batch, ec2, efs, iam, logs, ssm, ecr, sts). */
export function loadServiceModel(service: string): ServiceModel {
  const hit = cache.get(service);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(`${SNAPSHOT}/${service}.json`, 'utf8');
  } catch {
    throw new Error(
      `no model of '${service}' in ${SNAPSHOT}: add it to SERVICES in scripts/aws-models.ts and run node --import tsx scripts/aws-models.ts`,
    );
  }
  const model = JSON.parse(text) as ServiceModel;
  cache.set(service, model);
  return model;
}

/** Every problem of `input` as a request of `operation` (e.g. 'RegisterJobDefinition'); empty when the API accepts it. */
export function modelErrors(service: string, operation: string, input: unknown): string[] {
  const model = loadServiceModel(service);
  const op = model.operations[operation];
  if (!op)
    return [
      `${service} has no operation ${operation} (in the model snapshot: run node --import tsx scripts/aws-models.ts)`,
    ];
  if (!op.input) return input === undefined || isEmptyObject(input) ? [] : [`${operation} takes no input`];
  const errors: string[] = [];
  check(model, op.input.shape, input, operation, errors);
  return errors;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function check(model: ServiceModel, shapeName: string, value: unknown, path: string, errors: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape) {
    errors.push(`${path}: model has no shape ${shapeName}`);
    return;
  }
  if (value === undefined) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${path}: expected an object (${shapeName})`);
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) {
        if (obj[req] === undefined) errors.push(`${path}.${req}: required by ${shapeName}`);
      }
      for (const [k, v] of Object.entries(obj)) {
        // The SDK does not serialize members set to undefined, so neither does the check.
        if (v === undefined) continue;
        const member = shape.members?.[k];
        if (!member) {
          errors.push(`${path}.${k}: not a member of ${shapeName}`);
          continue;
        }
        check(model, member.shape, v, `${path}.${k}`, errors);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        errors.push(`${path}: expected a list (${shapeName})`);
        return;
      }
      checkRange(shape, value.length, path, 'items', errors);
      for (const [i, item] of value.entries())
        check(model, shape.member!.shape, item, `${path}[${i}]`, errors);
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${path}: expected a map (${shapeName})`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        check(model, shape.key!.shape, k, `${path} key ${JSON.stringify(k)}`, errors);
        check(model, shape.value!.shape, v, `${path}[${JSON.stringify(k)}]`, errors);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        errors.push(`${path}: expected a string (${shapeName}), got ${typeof value}`);
        return;
      }
      if (shape.enum && !shape.enum.includes(value)) {
        errors.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      }
      checkRange(shape, value.length, path, 'characters', errors);
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        errors.push(`${path}: expected an integer (${shapeName}), got ${JSON.stringify(value)}`);
        return;
      }
      checkRange(shape, value, path, '', errors);
      return;
    }
    case 'float':
    case 'double':
      if (typeof value !== 'number') errors.push(`${path}: expected a number (${shapeName})`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean (${shapeName})`);
      return;
    case 'timestamp':
      if (!(value instanceof Date) && typeof value !== 'number' && typeof value !== 'string') {
        errors.push(`${path}: expected a timestamp (${shapeName})`);
      }
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string')
        errors.push(`${path}: expected a blob`);
      return;
    default:
      errors.push(`${path}: unsupported shape type ${shape.type}`);
  }
}

function checkRange(shape: Shape, n: number, path: string, unit: string, errors: string[]): void {
  const u = unit ? ` ${unit}` : '';
  if (shape.min !== undefined && n < shape.min)
    errors.push(`${path}: ${n}${u}, less than the minimum ${shape.min}`);
  if (shape.max !== undefined && n > shape.max)
    errors.push(`${path}: ${n}${u}, more than the maximum ${shape.max}`);
}

/**
 * Where the real service sends what its own model says it cannot (docs/aws-quirks.md): a
 * response problem matching one of these is what AWS really does, not a fake's mistake.
 */
export const MODEL_QUIRKS: readonly {
  readonly service: string;
  readonly problem: RegExp;
  readonly why: string;
}[] = [
  {
    service: 'ec2',
    problem:
      /VpcEndpoints?(\[\d+\])?\.State: "(pendingAcceptance|pending|available|deleting|deleted|rejected|failed|expired|partial)" is not one of/,
    why: 'Create/DescribeVpcEndpoints send camelCase states; the model enum is PascalCase (docs/aws-quirks.md)',
  },
  {
    service: 'ec2',
    problem: /Images\[\d+\]\.Platform: "windows" is not one of Windows$/,
    why: 'DescribeImages sends platform "windows" for Windows AMIs; the model enum is "Windows" (docs/aws-quirks.md)',
  },
  {
    service: 'batch',
    problem: /jobs\[\d+\]\.startedAt: required by JobDetail$/,
    why: 'the model requires JobDetail.startedAt, but Batch sends none until the job starts (docs/aws-quirks.md)',
  },
];

/**
 * Every problem of `output` as a response of `operation` as the SDK hands it over (member names
 * as in the model, `$metadata` aside); empty when the real service could have sent it. Problems
 * that are known real-service behaviour (MODEL_QUIRKS) are not problems.
 */
export function responseErrors(service: string, operation: string, output: unknown): string[] {
  const model = loadServiceModel(service);
  const op = model.operations[operation];
  if (!op)
    return [
      `${service} has no operation ${operation} (in the model snapshot: run node --import tsx scripts/aws-models.ts)`,
    ];
  if (!op.output) return [];
  const { $metadata: _, ...rest } = (output ?? {}) as Record<string, unknown>;
  const errors: string[] = [];
  check(model, op.output.shape, rest, `${operation} response`, errors);
  return errors.filter((e) => !MODEL_QUIRKS.some((q) => q.service === service && q.problem.test(e)));
}

/** Throws with every problem when `output` is not a valid `operation` response. For use in tests. */
export function assertValidResponse(service: string, operation: string, output: unknown): void {
  const errors = responseErrors(service, operation, output);
  if (errors.length > 0)
    throw new Error(`invalid ${service} ${operation} response:\n  ${errors.join('\n  ')}`);
}

/** Throws with every problem when `input` is not a valid `operation` request. For use in tests. */
export function assertValidRequest(service: string, operation: string, input: unknown): void {
  const errors = modelErrors(service, operation, input);
  if (errors.length > 0)
    throw new Error(`invalid ${service} ${operation} request:\n  ${errors.join('\n  ')}`);
}
