import type { AgentExitName } from '../contract/exit-codes.js';
import { AGENT_EXIT } from '../contract/exit-codes.js';

/** A failure the agent reports in one line and turns into one of its documented exit codes. */
export class AgentError extends Error {
  readonly exitCode: number;

  constructor(kind: AgentExitName, message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.exitCode = AGENT_EXIT[kind];
  }
}

/** A one-line message for any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
