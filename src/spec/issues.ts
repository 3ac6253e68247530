/**
 * Turns zod issues into problems a person can act on: readable messages, "did you mean …"
 * for unknown keys, and the right place in the file (key, value, or parent for a missing key).
 */
import type { z } from 'zod';
import { allowedKeys } from './shape.js';
import type { Anchor, Problem, Segment, YamlSource } from './source.js';
import { formatPath } from './source.js';
import { closest } from './suggest.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/** Per-parse error map: messages for the built-in checks, in job.yaml words. */
export function specErrorMap(issue: RawIssue): string | undefined {
  const i = issue as RawIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${typeWords(String(i.expected))} (got ${describe(issue.input)})`;
    case 'too_small':
      return bound('at least', 'more than', i.minimum, i.inclusive, String(i.origin));
    case 'too_big':
      return bound('at most', 'less than', i.maximum, i.inclusive, String(i.origin));
    case 'invalid_value':
      return `must be one of: ${(i.values as unknown[]).map((v) => String(v)).join(', ')} (got ${describe(issue.input)})`;
    case 'invalid_format':
      return `has the wrong format (got ${describe(issue.input)})`;
    default:
      return undefined;
  }
}

/** Problems for the issues of one parse, positioned in `source`. */
export function problemsOf(issues: readonly Issue[], source: YamlSource, schema: z.ZodType): Problem[] {
  return issues.flatMap((issue) => {
    const path = issue.path as Segment[];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, path);
      return issue.keys.map((key) => at(source, [...path, key], 'key', unknownKey(key, allowed)));
    }
    const params = (issue as { params?: { at?: string; allowed?: readonly string[] } }).params;
    if (params?.at === 'key') {
      const key = String(path.at(-1));
      const hint = params.allowed ? suggestion(key, params.allowed) : '';
      return [at(source, path, 'key', `${issue.message}${hint}`)];
    }
    // Unions (sizes, durations) report a missing value as their own code, with the same words.
    if (issue.message === 'is required') {
      return [at(source, path, 'parent', 'is required')];
    }
    const input = valueAt(source.value, path);
    if (issue.code === 'invalid_value' && typeof input === 'string') {
      const hint = suggestion(input, issue.values.map(String));
      return [at(source, path, 'value', `${issue.message}${hint}`)];
    }
    return [at(source, path, 'value', issue.message)];
  });
}

/** Sorted by position, without repeats. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((p) => {
      const k = `${p.line}:${p.col}:${p.path}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function valueAt(value: unknown, path: readonly Segment[]): unknown {
  let v = value;
  for (const s of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function at(source: YamlSource, path: readonly Segment[], anchor: Anchor, message: string): Problem {
  return { ...source.locate(path, anchor), path: formatPath(path), message };
}

function unknownKey(key: string, allowed: readonly string[]): string {
  const hint = suggestion(key, allowed);
  if (hint !== '') return `unknown key "${key}"${hint}`;
  if (allowed.length > 0 && allowed.length <= 8)
    return `unknown key "${key}" (allowed here: ${allowed.join(', ')})`;
  return `unknown key "${key}"`;
}

function suggestion(word: string, allowed: readonly string[]): string {
  const best = closest(word, allowed);
  return best !== undefined && best !== word ? `; did you mean "${best}"?` : '';
}

function typeWords(expected: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    int: 'a whole number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    record: 'a mapping',
  };
  return words[expected] ?? expected;
}

/** A short description of a YAML value for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `${value}`;
  return String(value);
}

function bound(
  inclusiveWord: string,
  exclusiveWord: string,
  n: unknown,
  inclusive: unknown,
  origin: string,
): string {
  const limit = Number(n);
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  if (origin === 'string')
    return limit === 1 && inclusiveWord === 'at least'
      ? 'must not be empty'
      : `must be ${word} ${limit} characters`;
  if (origin === 'array') return `must have ${word} ${limit} item${limit === 1 ? '' : 's'}`;
  if (limit > 1e15) return 'is too large';
  return `must be ${word} ${limit}`;
}
