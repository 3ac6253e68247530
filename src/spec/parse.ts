/** job.yaml text → validated JobSpec, or every problem of the file with its position. */
import { dirname, resolve } from 'node:path';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { printable } from '../printable.js';
import { crossFieldProblems } from './cross-rules.js';
import { problemsOf, sortProblems, specErrorMap } from './issues.js';
import { readJobFile } from './read-file.js';
import { type JobSpec, jobSpecSchema } from './schema.js';
import { type Anchor, formatPath, type Problem, readYaml, type Segment } from './source.js';

/** A valid spec, or the problems of the file; `locate` names the position of any path. */
export interface SpecCheck {
  readonly spec: JobSpec | undefined;
  readonly problems: readonly Problem[];
  /** `file:line:col: path: message` for a problem about `path` found later (e.g. by the planner). */
  problemLine(path: readonly Segment[], message: string, at?: Anchor): string;
}

/** Checks `text` (the content of `file`) without throwing. */
export function checkJobSpec(text: string, file: string): SpecCheck {
  const source = readYaml(text);
  const problemLine = (path: readonly Segment[], message: string, at: Anchor = 'key') =>
    formatProblem(file, { ...source.locate(path, at), path: formatPath(path), message });
  if (source.problems.length > 0)
    return { spec: undefined, problems: sortProblems(source.problems), problemLine };
  const result = jobSpecSchema.safeParse(source.value, { error: specErrorMap });
  if (result.success) return { spec: result.data, problems: [], problemLine };
  // The schema checks rules between fields only when the fields themselves are valid; check
  // them on the raw value too, so that one run reports every problem of the file.
  const rules = crossFieldProblems(source.value).map((p) => ({
    ...source.locate(p.path, 'value'),
    path: formatPath(p.path),
    message: p.message,
  }));
  const problems = [...problemsOf(result.error.issues, source, jobSpecSchema), ...rules];
  return { spec: undefined, problems: sortProblems(problems), problemLine };
}

/** `file:line:col: path: message`. */
export function formatProblem(file: string, p: Problem): string {
  return printable(`${file}:${p.line}:${p.col}: ${p.path}: ${p.message}`);
}

/** The error for a file with problems: one line, then one detail line per problem. */
export function specInvalid(file: string, lines: readonly string[]): MnbatchError {
  return new MnbatchError(
    'SPEC_INVALID',
    `${printable(file)}: ${lines.length} problem${lines.length === 1 ? '' : 's'}`,
    {
      exitCode: EXIT.invalidInput,
      details: lines,
    },
  );
}

/** Validates job.yaml text; throws MnbatchError SPEC_INVALID listing every problem. */
export function parseJobSpec(text: string, file: string): JobSpec {
  const check = checkJobSpec(text, file);
  if (check.spec === undefined) {
    throw specInvalid(
      file,
      check.problems.map((p) => formatProblem(file, p)),
    );
  }
  return check.spec;
}

/** Reads and validates a job file; `dir` is its folder (build.context is relative to it). */
export async function loadJobSpec(file: string): Promise<{ spec: JobSpec; file: string; dir: string }> {
  const text = await readJobFile(file);
  return { spec: parseJobSpec(text, file), file, dir: dirname(resolve(file)) };
}

export { readJobFile } from './read-file.js';
