/** Errors of this package that are not link errors (those are `TransportError`s). */

/** Machine-readable reason of a {@link ConfigError}. */
export type ConfigErrorCode = 'BAD_OPTION' | 'BAD_KEY' | 'UNSUPPORTED';

/** Thrown synchronously for bad options or key material, before any network activity. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** What was wrong, for programs. */
  readonly code: ConfigErrorCode;

  constructor(code: ConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
