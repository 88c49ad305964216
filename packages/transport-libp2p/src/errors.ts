/**
 * Errors of this package. Link and dial failures are `TransportError`s of `@symmetric/transport`;
 * bad options and key material are {@link ConfigError}s.
 */
import { isTransportError, TransportError, type TransportErrorCode } from '@symmetric/transport';

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

/** `true` when `value` is a {@link ConfigError} (also across bundled copies of this package). */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof Error && (value as { name?: unknown }).name === 'ConfigError' && 'code' in value;
}

/** `name: message` of an error, or the value as a string. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * `cause` as a {@link TransportError}: kept as is when it already is one, `TIMEOUT` for libp2p's
 * timeouts and aborts, otherwise `code` with `message` and the cause's description.
 */
export function toTransportError(code: TransportErrorCode, message: string, cause: unknown): TransportError {
  if (isTransportError(cause)) return cause;
  const name = (cause as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransportError('TIMEOUT', `${message}: timed out`, { cause });
  }
  return new TransportError(code, `${message}: ${describeError(cause)}`, { cause });
}
