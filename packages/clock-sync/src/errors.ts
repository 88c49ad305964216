/**
 * Machine-readable reason of a {@link ClockError}.
 *
 * - `BAD_OPTIONS`: a `ClockOptions` value is missing, not finite or out of its range.
 * - `BAD_TIME`: a `nowMs` argument is not a finite number.
 * - `TIME_WENT_BACKWARDS`: a `nowMs` argument is more than 1 s before one given before (the
 *   injected clock must be monotonic; a time up to 1 s stale is accepted as the latest one).
 * - `BAD_LINK`: a link id is not a non-empty string.
 * - `BAD_MESSAGE`: a `SyncMessage` is not an object of the documented shape, or one of its
 *   numbers is not finite or out of range (negative tick, negative hold, ...).
 * - `BAD_ECHO`: a SYNC's `echo` cannot be an answer to a SYNC this clock sent on that link (it
 *   names a time in the future or before the first SYNC sent on the link, or the round trip it
 *   implies is negative).
 * - `CLOCK_LIE`: a SYNC claims a clock more than `lieThresholdMs` ahead of an established clock
 *   and nothing else (another neighbour, a witnessed event) comes near it, or ahead of an
 *   anchored joiner's clock and another neighbour that speaks for the room contradicts it: a
 *   minority lying about time. Nothing is adopted; the runtime should close that link.
 * - `BAD_TICK`: a tick given to `Clock.adopt` or `Clock.fastForward` is not a finite,
 *   non-negative number (an integer for `fastForward`).
 */
export type ClockErrorCode =
  | 'BAD_OPTIONS'
  | 'BAD_TIME'
  | 'TIME_WENT_BACKWARDS'
  | 'BAD_LINK'
  | 'BAD_MESSAGE'
  | 'BAD_ECHO'
  | 'CLOCK_LIE'
  | 'BAD_TICK';

/**
 * The only error `@symmetric/clock-sync` throws. A call that throws leaves the clock's state
 * exactly as it was before the call (the rejected input is only counted in
 * `ClockStats.rejected`).
 */
export class ClockError extends Error {
  /** Machine-readable reason. */
  readonly code: ClockErrorCode;

  /**
   * @param code machine-readable reason
   * @param message human-readable detail
   */
  constructor(code: ClockErrorCode, message: string) {
    super(message);
    this.name = 'ClockError';
    this.code = code;
  }
}

/** `true` when `value` is a {@link ClockError} (optionally with the given code). */
export function isClockError(value: unknown, code?: ClockErrorCode): value is ClockError {
  return value instanceof ClockError && (code === undefined || value.code === code);
}
