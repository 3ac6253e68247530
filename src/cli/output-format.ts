/**
 * `--output json|text` (and `--json`, its alias): global options of every command, resolved as the
 * AWS CLI resolves its own: the flag, else MNBATCH_OUTPUT, else text. Commands that have a JSON
 * form mark themselves with `withJsonOutput`; asking one of the others for JSON on the command
 * line is a usage error, while MNBATCH_OUTPUT=json leaves them printing text (a preference, set
 * once for every command, must not break the commands that have only one form).
 */
import { type Command, Option } from 'commander';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';

/** What a command prints its result as. */
export type OutputFormat = 'json' | 'text';

/** The environment variable that sets the format when no flag does (AWS CLI: AWS_DEFAULT_OUTPUT). */
export const OUTPUT_ENV = 'MNBATCH_OUTPUT';

const FORMATS: readonly OutputFormat[] = ['json', 'text'];

/** Commands that print JSON when asked (the commander objects, so nested commands count too). */
const jsonCommands = new WeakSet<Command>();

/**
 * Marks `command` as having a JSON form (`what` it prints as JSON, for its help): its action sees
 * `json: true` in its flags when asked for JSON.
 */
export function withJsonOutput(command: Command, what: string): Command {
  jsonCommands.add(command);
  return command.addHelpText('after', `\nWith --output json (or --json): prints ${what} as JSON.`);
}

/** Adds `--output` and `--json` to the program. */
export function addOutputOptions(program: Command): Command {
  return program
    .addOption(
      new Option(
        '--output <format>',
        `output of commands that have a JSON form (default: ${OUTPUT_ENV}, else text)`,
      ).choices(FORMATS),
    )
    .option('--json', 'same as --output json');
}

/** The global flags as commander parsed them. */
export interface OutputFlags {
  readonly output?: OutputFormat;
  readonly json?: boolean;
}

/** The format the user chose (flag, else environment, else text), or a usage error. */
export function resolveOutputFormat(
  flags: OutputFlags,
  env: Readonly<Record<string, string | undefined>>,
): { readonly format: OutputFormat; readonly fromFlag: boolean } {
  if (flags.json && flags.output === 'text') {
    throw usage('--json and --output text disagree: give one of them');
  }
  if (flags.json || flags.output) return { format: flags.output ?? 'json', fromFlag: true };
  const fromEnv = env[OUTPUT_ENV]?.trim().toLowerCase();
  if (fromEnv === undefined || fromEnv === '') return { format: 'text', fromFlag: false };
  if (!(FORMATS as readonly string[]).includes(fromEnv)) {
    throw usage(`${OUTPUT_ENV}=${env[OUTPUT_ENV]}: must be json or text`);
  }
  return { format: fromEnv as OutputFormat, fromFlag: false };
}

/**
 * Applies the format to the command about to run: sets its `json` flag when it has a JSON form,
 * refuses a JSON flag when it has none. Returns the format the command prints.
 */
export function applyOutputFormat(
  command: Command,
  flags: OutputFlags,
  env: Readonly<Record<string, string | undefined>>,
): OutputFormat {
  const { format, fromFlag } = resolveOutputFormat(flags, env);
  if (jsonCommands.has(command)) {
    command.setOptionValue('json', format === 'json');
    return format;
  }
  if (format === 'json' && fromFlag) {
    throw usage(`mnbatch ${commandPath(command)} has no JSON output: leave out --output json / --json`);
  }
  return 'text';
}

/** `infra up`, `logs`: the command's words after `mnbatch`. */
function commandPath(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

function usage(message: string): MnbatchError {
  return new MnbatchError('USAGE', message, { exitCode: EXIT.usage });
}
