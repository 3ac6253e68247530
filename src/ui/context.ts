/** What a command gets from the entry point (output, environment, interrupts, AWS flags): below every domain module, so none of them imports src/cli. */
import type { AwsOptions, ResolvedAwsOptions } from '../aws/clients.js';
import type { Output } from './output.js';

/** What every command gets from the entry point instead of reaching for `process`. */
export interface CliContext {
  readonly output: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on the first Ctrl-C / SIGTERM; long-running commands clean up and return. */
  readonly signal: AbortSignal;
  /**
   * The second Ctrl-C / SIGTERM. A command that `claim`s it gets `signal` aborted and handles
   * it (e.g. kills at once what it was stopping gracefully); otherwise the second one exits.
   */
  readonly force?: ForceStop;
  /** stdin and stdout are a terminal (`mnbatch exec` then asks for one in the container). */
  readonly interactive?: boolean;
  /** Set by a command's action: what `exec` returns. */
  exitCode: number;
  /** The global `--profile` / `--region`, set by `exec` once the command line is parsed. */
  aws?: { readonly profile?: string | undefined; readonly region?: string | undefined };
}

/**
 * The AWS options of `command` as the user chose them: `--profile` (else AWS_PROFILE, so messages
 * can name it) and `--region`. The region is resolved further by `resolveAwsOptions`.
 */
export function awsOptionsOf(ctx: CliContext, command: string): AwsOptions {
  const profile = ctx.aws?.profile ?? ctx.env.AWS_PROFILE;
  const region = ctx.aws?.region;
  return { command, ...(profile ? { profile } : {}), ...(region ? { region } : {}) };
}

/** The resolved AWS options of a job command (submit, status, …): the region known, or a clear error. */
export async function jobAwsOptions(ctx: CliContext, command: string): Promise<ResolvedAwsOptions> {
  const [{ resolveAwsOptions }, { BatchClient }] = await Promise.all([
    import('../aws/clients.js'),
    import('@aws-sdk/client-batch'),
  ]);
  return resolveAwsOptions(awsOptionsOf(ctx, command), BatchClient, ctx.env);
}

/** The second interrupt, for commands that stop gracefully on the first. */
export interface ForceStop {
  readonly signal: AbortSignal;
  /** The command handles the second interrupt itself; only a third exits at once. */
  claim(): void;
}
