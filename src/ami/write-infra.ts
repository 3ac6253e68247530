/**
 * `--write-infra infra.yaml`: puts the baked AMI into the user's infra.yaml and changes nothing
 * else. yaml's Document API finds the node, but its `toString()` re-renders the whole file (flow
 * lists get spaces, quoting and blank lines may change), so the new value is spliced into the
 * original text at the node's source range instead: every other byte stays as the user wrote it.
 */
import { isMap, isScalar, type Pair, parseDocument, Scalar, type YAMLMap } from 'yaml';
import { MnbatchError } from '../errors.js';

/** `text` (an infra.yaml) with `ami: imageId`, and `hyperthreading: offViaAmi` when nr_cpus was baked. */
export function setInfraAmi(
  text: string,
  imageId: string,
  hyperthreadingOff: boolean,
  file = 'infra.yaml',
): string {
  const withAmi = setTopLevelValue(text, 'ami', imageId, file);
  return hyperthreadingOff ? setTopLevelValue(withAmi, 'hyperthreading', 'offViaAmi', file) : withAmi;
}

/** The top-level mapping of `text`, or null for an empty document; throws when it is not one. */
function topLevelMap(text: string, file: string): YAMLMap | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new MnbatchError('AMI_INFRA_YAML_INVALID', `${file} is not valid YAML; ami not written`, {
      details: doc.errors.map((e) => e.message.split('\n')[0] ?? ''),
    });
  }
  if (doc.contents === null) return null;
  if (!isMap(doc.contents)) {
    throw new MnbatchError('AMI_INFRA_YAML_INVALID', `${file} is not a mapping; ami not written`);
  }
  return doc.contents;
}

/** 1-based line of `offset` in `text`, for messages. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** `value` written the way the old value was (plain, 'single' or "double" quoted). */
function styled(value: string, type: Scalar['type']): string {
  if (type === Scalar.QUOTE_DOUBLE) return `"${value}"`;
  if (type === Scalar.QUOTE_SINGLE) return `'${value}'`;
  return value;
}

/** `text` with the top-level `key` set to `value`, checked by parsing the result again. */
function setTopLevelValue(text: string, key: string, value: string, file: string): string {
  const out = spliceTopLevelValue(text, key, value, file);
  const check = parseDocument(out);
  if (check.errors.length > 0 || check.get(key) !== value) {
    // E.g. a document end marker (`...`) after the mapping: appending would start a new document.
    throw new MnbatchError(
      'AMI_INFRA_YAML_UNSUPPORTED',
      `${file}: cannot add ${key} without rewriting the file`,
      {
        details: [`set it by hand: ${key}: ${value}`],
      },
    );
  }
  return out;
}

/** `text` with the top-level `key` set to `value` (a plain-safe scalar), all other bytes kept. */
function spliceTopLevelValue(text: string, key: string, value: string, file: string): string {
  const map = topLevelMap(text, file);
  const pair = map?.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
  if (!pair) return appendKey(text, map, key, value, file);
  const node = pair.value;
  if (
    !isScalar(node) ||
    !node.range ||
    node.type === Scalar.BLOCK_FOLDED ||
    node.type === Scalar.BLOCK_LITERAL
  ) {
    const at = isScalar(pair.key) && pair.key.range ? ` (line ${lineOf(text, pair.key.range[0])})` : '';
    throw new MnbatchError(
      'AMI_INFRA_YAML_INVALID',
      `${file}: ${key}${at} is not a single value; ${key} not written`,
      { details: [`set it by hand: ${key}: ${value}`] },
    );
  }
  const [start, end] = node.range;
  // `ami:` with no value: the empty scalar sits right after the colon (needs a space) or at a
  // comment (which needs a space before its `#`).
  const written =
    start === end
      ? `${/[ \t]/.test(text.charAt(start - 1)) ? '' : ' '}${value}${text.charAt(start) === '#' ? ' ' : ''}`
      : styled(value, node.type);
  return text.slice(0, start) + written + text.slice(end);
}

/** `text` with `key: value` added as the last line of the top-level mapping. */
function appendKey(text: string, map: YAMLMap | null, key: string, value: string, file: string): string {
  if (map?.flow) {
    throw new MnbatchError('AMI_INFRA_YAML_INVALID', `${file} is a flow mapping ({…}); ${key} not written`, {
      details: [`add it by hand: ${key}: ${value}`],
    });
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // Keys of an indented top-level mapping keep its indentation.
  const first = map?.items[0]?.key;
  const firstStart = isScalar(first) && first.range ? first.range[0] : 0;
  const indent = firstStart - (text.lastIndexOf('\n', firstStart - 1) + 1);
  const body = text === '' || text.endsWith('\n') ? text : `${text}${eol}`;
  return `${body}${' '.repeat(Math.max(indent, 0))}${key}: ${value}${eol}`;
}
