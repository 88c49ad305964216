/**
 * The typed error every store raises.
 */

/**
 * What went wrong, for programs.
 *
 * - `OPEN_FAILED`: the backend could not be opened (file unreadable, database blocked).
 * - `WRONG_ROOM` / `WRONG_APP`: the store belongs to another room or app.
 * - `UNSUPPORTED_FORMAT`: the store was written in another format version.
 * - `CORRUPT`: the store's header or identity is unreadable or fails its checksum, or the
 *   location holds something that is not a Symmetric store.
 * - `BAD_INPUT`: a malformed argument (negative tick, seq not a positive integer, bytes not a
 *   `Uint8Array`, an own event of another source).
 * - `BAD_IDENTITY`: an identity for another room, app or peer than the store's, or an
 *   incarnation that goes back.
 * - `NO_IDENTITY`: an own event appended before any identity was set.
 * - `BAD_SEQ`: an own event whose seq is not above the last own seq.
 * - `WRITE_FAILED`: the backend failed to write a batch; the store accepts nothing more.
 * - `READ_FAILED`: the backend failed to read.
 * - `CLOSED`: the store was closed (or failed) before the call.
 */
export type StoreErrorCode =
  | 'OPEN_FAILED'
  | 'WRONG_ROOM'
  | 'WRONG_APP'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT'
  | 'BAD_INPUT'
  | 'BAD_IDENTITY'
  | 'NO_IDENTITY'
  | 'BAD_SEQ'
  | 'WRITE_FAILED'
  | 'READ_FAILED'
  | 'CLOSED';

/** An error raised by a {@link PeerStore} or while opening one. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** What went wrong, for programs. */
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** `true` when `value` is a {@link StoreError} (also across bundled copies of this package). */
export function isStoreError(value: unknown): value is StoreError {
  return value instanceof Error && (value as { name?: unknown }).name === 'StoreError' && 'code' in value;
}
