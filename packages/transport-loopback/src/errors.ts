/** Machine-readable reason of a {@link LoopbackError}. */
export type LoopbackErrorCode =
  /** An option of {@link LoopbackNetworkOptions} is out of range or of the wrong type. */
  | 'BAD_OPTIONS'
  /** A {@link LatencyModel} is malformed (unknown `dist`, negative or non-finite numbers, min > max). */
  | 'BAD_LATENCY'
  /** An address is not a non-empty string. */
  | 'BAD_ADDRESS'
  /** A virtual-time operation (`runUntil`) was used on a real-time network. */
  | 'WRONG_TIME_MODE'
  /** `runUntil` was called from inside a handler that `runUntil` itself was running. */
  | 'REENTRANT';

/**
 * Misuse of the {@link LoopbackNetwork} API itself (bad options, bad latency model, virtual-time
 * call on a real-time network). Link-level failures are `TransportError`s, as for every
 * transport.
 */
export class LoopbackError extends Error {
  override readonly name = 'LoopbackError';
  /** What went wrong, for programs. */
  readonly code: LoopbackErrorCode;

  constructor(code: LoopbackErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** `true` when `value` is a {@link LoopbackError} (also across bundled copies of this package). */
export function isLoopbackError(value: unknown): value is LoopbackError {
  return value instanceof Error && (value as { name?: unknown }).name === 'LoopbackError' && 'code' in value;
}
