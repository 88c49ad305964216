/** Machine-readable reasons a {@link TimelineError} is thrown. */
export type TimelineErrorCode =
  /** An event is not an object with `tick`, `source`, `seq` fields. */
  | 'BAD_EVENT'
  /** A tick is not a non-negative safe integer. */
  | 'BAD_TICK'
  /** A seq is not a safe integer >= 1. */
  | 'BAD_SEQ'
  /** A source is not a non-empty string. */
  | 'BAD_SOURCE'
  /** A snapshot handed to `Timeline.fromSnapshot` is malformed. */
  | 'BAD_SNAPSHOT'
  /** A constructor or function option is out of range. */
  | 'BAD_OPTION'
  /** A method argument is out of range. */
  | 'BAD_ARGUMENT'
  /** A timeline method was called from inside an app callback. */
  | 'REENTRANT'
  /** `stateHash` met a value it cannot hash (function, symbol, cycle, too deep). */
  | 'UNHASHABLE'
  /** The default snapshot needs `structuredClone`, which this runtime lacks: give `snapshot`/`restore`. */
  | 'NO_STRUCTURED_CLONE'
  /**
   * `compact(beforeTick)` cannot move the base as asked: the snapshot ring no longer holds a
   * snapshot at or before `beforeTick` (it was overwritten). Size `snapshotEvery × maxSnapshots`
   * above the horizon plus the compaction period.
   */
  | 'NO_SNAPSHOT';

/**
 * The one error type `@symmetric/core` throws for bad input. `code` says why, `message` says
 * where. Errors thrown by app callbacks are not wrapped: they are caught and counted instead
 * (see `TimelineOptions.onAppError`).
 */
export class TimelineError extends Error {
  /** Machine-readable reason. */
  readonly code: TimelineErrorCode;

  /** @param code machine-readable reason; @param message human-readable detail. */
  constructor(code: TimelineErrorCode, message: string) {
    super(message);
    this.name = 'TimelineError';
    this.code = code;
  }
}
