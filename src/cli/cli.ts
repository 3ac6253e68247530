import { Command, CommanderError } from 'commander';
import { EXIT } from '../contract/exit-codes.js';
import { isMnbatchError } from '../errors.js';
import { printable } from '../printable.js';
import type { CliContext, ForceStop } from '../ui/context.js';
import type { Output } from '../ui/output.js';
import { mnbatchVersion } from '../version.js';
import { commands } from './commands/index.js';
import { examplesText } from './examples.js';
import { addOutputOptions, applyOutputFormat, type OutputFlags } from './output-format.js';
import type { RegisterCommand } from './register.js';

/** Exit code for a bad command line (unknown option, missing argument). */
export const EXIT_USAGE = EXIT.usage;
/** Exit code for an unexpected internal error (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = EXIT.internal;

export interface ExecOptions {
  readonly output: Output;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Aborted when the user interrupts (Ctrl-C); never aborted when not given. */
  readonly signal?: AbortSignal;
  /** The second Ctrl-C, for commands that claim it. */
  readonly force?: ForceStop;
  /** stdin and stdout are a terminal. */
  readonly interactive?: boolean;
  /** Overrides the registered commands (tests). */
  readonly commands?: readonly RegisterCommand[];
}

/** Ends every command's --help with its examples (src/cli/examples.ts). */
function addExamples(command: Command, path: readonly string[] = []): void {
  for (const sub of command.commands) {
    const subPath = [...path, sub.name()];
    const text = examplesText(subPath.join(' '));
    if (text) sub.addHelpText('after', text);
    addExamples(sub, subPath);
  }
}

/** Runs the mnbatch CLI on `argv` (without node and script) and returns the exit code. */
export async function exec(argv: readonly string[], options: ExecOptions): Promise<number> {
  const { output } = options;
  const ctx: CliContext = {
    output,
    env: options.env ?? {},
    cwd: options.cwd ?? '.',
    signal: options.signal ?? new AbortController().signal,
    ...(options.force ? { force: options.force } : {}),
    ...(options.interactive ? { interactive: true } : {}),
    exitCode: 0,
  };
  const program = new Command('mnbatch')
    .description('MPI on AWS Batch multi-node parallel jobs, and the same job on one machine with Docker')
    .version(mnbatchVersion(), '-V, --version')
    .option('--debug', 'show stack traces of unexpected errors')
    .option(
      '--profile <name>',
      'AWS profile of every AWS command (default: AWS_PROFILE, else the default chain)',
    )
    .option(
      '--region <region>',
      'AWS region of every AWS command (default: region: in infra.yaml, AWS_REGION, the profile’s region)',
    )
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => output.out(s.replace(/\n$/, '')),
      writeErr: (s) => output.err(s.replace(/\n$/, '')),
    });
  addOutputOptions(program);
  // The global options may come anywhere on the line (`mnbatch submit job.yaml --region x`).
  program.hook('preAction', (_program, command) => {
    const { profile, region, ...format } = program.opts<
      { profile?: string; region?: string } & OutputFlags
    >();
    ctx.aws = { profile, region };
    applyOutputFormat(command, format, ctx.env);
  });
  for (const register of options.commands ?? commands) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  addExamples(program);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isMnbatchError(e)) {
      // Messages quote file names, values and other programs' output: never raw escape sequences.
      output.err(`error: ${printable(e.message)}`);
      for (const line of e.details) output.err(`  ${printable(line)}`);
      if (program.opts().debug && e.stack) output.err(e.stack);
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    output.err(`error: unexpected: ${printable(err.message)}`);
    if (program.opts().debug) output.err(err.stack ?? '');
    else output.err('  (run again with --debug for the stack trace)');
    return EXIT_INTERNAL;
  }
}
