/**
 * Reads job.yaml with positions kept, so every problem can name file:line:col. YAML-level
 * problems (syntax, duplicate keys, tabs, empty file, non-mapping root) are found here.
 */

import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from 'yaml';
import { firstControl } from '../printable.js';

/** One problem of a job file, at a position, about a YAML path. */
export interface Problem {
  readonly line: number;
  readonly col: number;
  /** Display path, e.g. `resources.memory`, `nodeGroups[1].range`, `(root)`. */
  readonly path: string;
  readonly message: string;
}

export type Segment = string | number;

/** Where a problem about a path points: the key, the value, or the parent (for a missing key). */
export type Anchor = 'key' | 'value' | 'parent';

/** A parsed job file: its plain value (when the YAML is sound) and how to find a path's position. */
export interface YamlSource {
  readonly value: unknown;
  readonly problems: readonly Problem[];
  locate(path: readonly Segment[], at: Anchor): { line: number; col: number };
}

/** Parses `text`; YAML problems come back in `problems` (then `value` is undefined). */
export function readYaml(text: string): YamlSource {
  const lines = new LineCounter();
  // Duplicate keys are found by treeProblems in one pass: yaml's own check compares every key
  // with every other (minutes for 50,000 keys) and blames the mapping, not the repeated key.
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, uniqueKeys: false });
  const pos = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const root = doc.contents as Node | null;
  const locate = (path: readonly Segment[], at: Anchor) => pos(offsetOf(root, path, at));
  const source = (value: unknown, problems: Problem[]): YamlSource => ({ value, problems, locate });

  if (doc.errors.length > 0) {
    return source(
      undefined,
      doc.errors.map((e) => yamlProblem(e, root, pos)),
    );
  }
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return source(undefined, [
      {
        line: 1,
        col: 1,
        path: '(root)',
        message: 'the file is empty: a job needs at least name, image, nodes and resources',
      },
    ]);
  }
  if (!isMap(root)) {
    const what = isSeq(root)
      ? 'a list'
      : `a single value (${JSON.stringify(String((root as { value?: unknown }).value))})`;
    return source(undefined, [
      {
        ...pos(root.range?.[0] ?? 0),
        path: '(root)',
        message: `the top level must be a mapping of job fields, not ${what}`,
      },
    ]);
  }
  const inTree = treeProblems(root, pos);
  if (inTree.length > 0) return source(undefined, inTree);
  try {
    return source(doc.toJS({ maxAliasCount: 100 }), []);
  } catch (e) {
    return source(undefined, [{ line: 1, col: 1, path: '(root)', message: (e as Error).message }]);
  }
}

/** `a.b[2].c` for a path; keys that are not plain words are quoted. */
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      const word = /^[A-Za-z_][\w-]*$/.test(s) ? s : JSON.stringify(s);
      return i === 0 ? word : word.startsWith('"') ? `[${word}]` : `.${word}`;
    })
    .join('');
}

function yamlProblem(
  e: YAMLError,
  root: Node | null,
  pos: (o: number) => { line: number; col: number },
): Problem {
  const at = pos(e.pos[0]);
  // After a tab or a second document the tree says nothing reliable about where we are.
  const treeless = e.code === 'MULTIPLE_DOCS' || e.code === 'TAB_AS_INDENT';
  const path = formatPath(treeless ? [] : pathAt(root, e.pos[0]));
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const messages: Partial<Record<string, string>> = {
    DUPLICATE_KEY: 'duplicate key: this key appears earlier in the same mapping',
    TAB_AS_INDENT: 'tab used for indentation: YAML indents with spaces only',
    MULTIPLE_DOCS: 'a job file holds one YAML document: remove the second "---"',
    BAD_ALIAS: 'unknown alias',
  };
  return { ...at, path, message: messages[e.code] ?? `YAML syntax error: ${first}` };
}

/** Offset in the text of the node at `path` (or the closest thing to it). */
function offsetOf(root: Node | null, path: readonly Segment[], at: Anchor): number {
  const rootStart = root?.range?.[0] ?? 0;
  const target = at === 'parent' ? path.slice(0, -1) : path;
  let node: unknown = root;
  let keyStart = rootStart;
  let valueStart = rootStart;
  for (const segment of target) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return keyStart;
      keyStart = (pair.key as Node).range?.[0] ?? keyStart;
      node = pair.value;
      valueStart = (pair.value as Node | null)?.range?.[0] ?? keyStart;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      keyStart = valueStart = (node as Node).range?.[0] ?? keyStart;
    } else {
      return keyStart;
    }
  }
  // A block mapping or list as a whole is best shown at its key: its first line may be far below.
  const block = (isMap(node) || isSeq(node)) && !node.flow;
  return at === 'value' && !block ? valueStart : keyStart;
}

/** The path of the deepest key or item whose source contains `offset`. */
function pathAt(root: Node | null, offset: number): Segment[] {
  const path: Segment[] = [];
  let node: unknown = root;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const start = (p.key as Node | null)?.range?.[0] ?? Number.POSITIVE_INFINITY;
        const end = (p.value as Node | null)?.range?.[2] ?? (p.key as Node | null)?.range?.[2] ?? start;
        return isPair(p) && isScalar(p.key) && start <= offset && offset <= end;
      });
      if (!pair) return path;
      path.push(String((pair.key as { value: unknown }).value));
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => {
        const r = (item as Node | null)?.range;
        return r != null && r[0] <= offset && offset <= r[2];
      });
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else {
      return path;
    }
  }
}

/**
 * Duplicate keys and control characters, in one walk of the tree (linear in its size): a
 * repeated key is blamed where it repeats; a key may hold no control character, a value none
 * but tab and newline (Docker and the agent refuse NUL, terminals obey escape sequences).
 */
function treeProblems(root: Node, pos: (o: number) => { line: number; col: number }): Problem[] {
  const problems: Problem[] = [];
  const stack: { node: unknown; path: Segment[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const at = pos(keyNode?.range?.[0] ?? 0);
        const keyPath = [...path, key];
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          problems.push({
            ...at,
            path: formatPath(keyPath),
            message: `duplicate key: already set on line ${earlier}`,
          });
        } else {
          seen.set(key, at.line);
        }
        const control = firstControl(key, false);
        if (control !== undefined) {
          problems.push({
            ...at,
            path: formatPath(keyPath),
            message: `key contains a control character (${control})`,
          });
        }
        stack.push({ node: pair.value, path: keyPath });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        stack.push({ node: item, path: [...path, i] });
      });
    } else if (isScalar(node) && typeof node.value === 'string') {
      const control = firstControl(node.value, true);
      if (control !== undefined) {
        problems.push({
          ...pos(node.range?.[0] ?? 0),
          path: formatPath(path),
          message: `contains a control character (${control}); only tab and newline are allowed in values`,
        });
      }
    }
  }
  return problems;
}
