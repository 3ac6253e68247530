/**
 * Checks request objects against the official AWS service models (the JSON models that
 * botocore ships; on Debian in python3-botocore). This is what the real API's serializer
 * accepts: member names, required members, enums, types and documented min/max.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MODEL_ROOTS = [
  process.env.MNBATCH_BOTOCORE_DATA,
  '/usr/lib/python3/dist-packages/botocore/data',
  '/usr/share/python3/botocore/data',
].filter((p): p is string => Boolean(p));

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
}

interface ServiceModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

const cache = new Map<string, ServiceModel>();

/** Loads `botocore/data/<service>/<newest version>/service-2.json`. */
export function loadServiceModel(service: string): ServiceModel {
  const hit = cache.get(service);
  if (hit) return hit;
  for (const root of MODEL_ROOTS) {
    let versions: string[];
    try {
      versions = readdirSync(join(root, service)).sort();
    } catch {
      continue;
    }
    const newest = versions.at(-1);
    if (!newest) continue;
    const model = JSON.parse(
      readFileSync(join(root, service, newest, 'service-2.json'), 'utf8'),
    ) as ServiceModel;
    cache.set(service, model);
    return model;
  }
  throw new Error(
    `AWS service model for '${service}' not found in ${MODEL_ROOTS.join(', ')}: install python3-botocore (apt-get install python3-botocore)`,
  );
}

/** Every problem of `input` as a request of `operation` (e.g. 'RegisterJobDefinition'); empty when the API accepts it. */
export function modelErrors(service: string, operation: string, input: unknown): string[] {
  const model = loadServiceModel(service);
  const op = model.operations[operation];
  if (!op) return [`${service} has no operation ${operation}`];
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

/** Throws with every problem when `input` is not a valid `operation` request. For use in tests. */
export function assertValidRequest(service: string, operation: string, input: unknown): void {
  const errors = modelErrors(service, operation, input);
  if (errors.length > 0)
    throw new Error(`invalid ${service} ${operation} request:\n  ${errors.join('\n  ')}`);
}
