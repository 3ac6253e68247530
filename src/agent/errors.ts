import type { AgentExitName } from '../contract/exit-codes.js';
import { AGENT_EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';

/**
 * A failure the agent reports in one line and turns into one of its documented exit codes:
 * the project's one error type, with the code `AGENT_<kind>` and the agent's exit code.
 */
export class AgentError extends MnbatchError {
  constructor(kind: AgentExitName, message: string, options?: { readonly cause?: unknown }) {
    super(`AGENT_${kind}`, message, {
      origin: 'internal',
      exitCode: AGENT_EXIT[kind],
      cause: options?.cause,
    });
    this.name = 'AgentError';
  }
}

/** A one-line message for any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
