/** Where an error came from: the user's input or environment, or a bug / unexpected state in mnbatch. */
export type ErrorOrigin = 'user' | 'aws' | 'docker' | 'internal';

/**
 * The one error type mnbatch throws on purpose. `code` is a stable machine-readable name
 * (e.g. `SPEC_INVALID`), `exitCode` what the CLI exits with, `details` extra lines shown under
 * the one-line message (for example the list of spec errors).
 */
export class MnbatchError extends Error {
  readonly code: string;
  readonly origin: ErrorOrigin;
  readonly exitCode: number;
  readonly details: readonly string[];

  constructor(
    code: string,
    message: string,
    options: {
      readonly origin?: ErrorOrigin;
      readonly exitCode?: number;
      readonly details?: readonly string[];
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MnbatchError';
    this.code = code;
    this.origin = options.origin ?? 'user';
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details ?? [];
  }
}

/** True when `e` is an MnbatchError (also across duplicated module instances). */
export function isMnbatchError(e: unknown): e is MnbatchError {
  return e instanceof MnbatchError || (e instanceof Error && e.name === 'MnbatchError' && 'code' in e);
}
