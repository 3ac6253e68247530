/**
 * Reads infra.yaml (optional) and command-line overrides into one validated `InfraConfig`.
 * Errors name the file, line, column and YAML path of each problem.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { MnbatchError } from '../errors.js';
import { type InfraConfig, infraConfigSchema } from './config.js';

/** Values given on the command line; each replaces the file's top-level key of the same name. */
export type InfraOverrides = Readonly<Partial<Record<keyof InfraConfig, unknown>>>;

/** Validates `text` (the content of `file`, or undefined without a file) merged with `overrides`. */
export function parseInfraConfig(
  text: string | undefined,
  file: string | undefined,
  overrides: InfraOverrides = {},
): InfraConfig {
  const lines = new LineCounter();
  const doc =
    text === undefined ? undefined : parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc && doc.errors.length > 0) {
    throw new MnbatchError('INFRA_CONFIG_INVALID', `${file}: not valid YAML`, {
      details: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`;
      }),
    });
  }
  const fromFile: unknown = doc ? (doc.toJS() ?? {}) : {};
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new MnbatchError('INFRA_CONFIG_INVALID', `${file}: must be a mapping of settings`);
  }
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const merged = { ...fromFile, ...given };
  const result = infraConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  throw new MnbatchError(
    'INFRA_CONFIG_INVALID',
    `${file ?? 'infra settings'}: ${result.error.issues.length} problem(s)`,
    { details: result.error.issues.map((i) => describeIssue(i, doc?.contents ?? null, lines, file, given)) },
  );
}

function describeIssue(
  issue: z.core.$ZodIssue,
  root: Node | null,
  lines: LineCounter,
  file: string | undefined,
  given: Record<string, unknown>,
): string {
  const path = issue.path.map(String);
  const where = path.length === 0 ? '(top level)' : path.join('.');
  const top = path[0];
  if (top !== undefined && top in given) return `--${flagName(top)}: ${issue.message}`;
  const node = nodeAt(root, path);
  if (file && node?.range) {
    const at = lines.linePos(node.range[0]);
    return `${file}:${at.line}:${at.col}: ${where}: ${issue.message}`;
  }
  return `${where}: ${issue.message}`;
}

/** The deepest YAML node on `path` (the parent when the key itself is missing). */
function nodeAt(root: Node | null, path: readonly string[]): Node | null {
  let node = root;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) return node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node)) {
      const item = node.items[Number(key)] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

/** The command-line flag that sets a key (see `flagOverrides` in command.ts). */
function flagName(key: string): string {
  const special: Record<string, string> = { vpcId: 'vpc', subnetId: 'subnet' };
  return special[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
