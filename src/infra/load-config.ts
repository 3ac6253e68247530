/**
 * Reads infra.yaml (optional) and command-line overrides into one validated `InfraConfig`.
 * Positions and messages come from the job.yaml machinery (src/spec): each problem names
 * file:line:col and its YAML path; a problem with a flag's value names the flag.
 */
import { MnbatchError } from '../errors.js';
import { problemsOf, sortProblems, specErrorMap } from '../spec/issues.js';
import { formatProblem } from '../spec/parse.js';
import { readYaml } from '../spec/source.js';
import { type InfraConfig, infraConfigSchema } from './config.js';

/** Values given on the command line; each replaces the file's top-level key of the same name. */
export type InfraOverrides = Readonly<Partial<Record<keyof InfraConfig, unknown>>>;

/** Validates `text` (the content of `file`, or undefined without a file) merged with `overrides`. */
export function parseInfraConfig(
  text: string | undefined,
  file: string | undefined,
  overrides: InfraOverrides = {},
): InfraConfig {
  const shown = file ?? 'infra settings';
  // An empty or absent file is fine: flags can give everything.
  const source = text === undefined || text.trim() === '' ? undefined : readYaml(text);
  if (source && source.problems.length > 0)
    throw invalid(
      shown,
      source.problems.map((p) => formatProblem(shown, p)),
    );
  const fromFile = (source?.value ?? {}) as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const result = infraConfigSchema.safeParse({ ...fromFile, ...given }, { error: specErrorMap });
  if (result.success) return result.data;

  const byFlag = result.error.issues.filter((i) => String(i.path[0]) in given);
  const inFile = result.error.issues.filter((i) => !(String(i.path[0]) in given));
  const lines = [
    ...byFlag.map((i) => `--${flagName(String(i.path[0]))}: ${i.message}`),
    ...(source
      ? sortProblems(problemsOf(inFile, source, infraConfigSchema)).map((p) => formatProblem(shown, p))
      : inFile.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)),
  ];
  throw invalid(shown, lines);
}

function invalid(file: string, lines: readonly string[]): MnbatchError {
  return new MnbatchError(
    'INFRA_CONFIG_INVALID',
    `${file}: ${lines.length} problem${lines.length === 1 ? '' : 's'}`,
    {
      details: lines,
    },
  );
}

/** The command-line flag that sets a key (see `flagOverrides` in command.ts). */
function flagName(key: string): string {
  const special: Record<string, string> = { vpcId: 'vpc', subnetId: 'subnet' };
  return special[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
