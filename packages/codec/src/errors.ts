/**
 * Machine-readable reason of a {@link CodecError}.
 *
 * - `TRUNCATED`: the input ended inside a field.
 * - `TOO_LARGE`: a frame, count, string, payload or other length exceeds a {@link CodecLimits} bound.
 * - `UNKNOWN_TYPE`: the frame type byte is not one this version knows (see PROTOCOL.md for why
 *   that can be survivable).
 * - `BAD_VERSION`: the envelope's version byte is not {@link PROTOCOL_VERSION}.
 * - `BAD_VARINT`: an unsigned LEB128 varint is overlong (non-minimal) or longer than 8 bytes.
 * - `BAD_PAYLOAD`: the app payload or presence data could not be encoded or decoded.
 * - `BAD_STRING`: a string is not well-formed UTF-8 / UTF-16 (lone surrogate), or is empty where
 *   an id is required.
 * - `UNKNOWN_SOURCE`: a peer-id reference names an index not yet defined on this link, or an
 *   event says "same source as the previous one" when there is none.
 * - `OUT_OF_RANGE`: a number is outside its field's range (negative, not an integer, not finite,
 *   index ≥ count, ...).
 * - `TRAILING_BYTES`: bytes remain after a complete frame.
 * - `BAD_FLAGS`: a flags byte has a reserved bit set or a combination that cannot be decoded.
 * - `DUPLICATE`: a source appears twice in one frontier vector.
 * - `BAD_FRAME`: (encoding only) the value given to the encoder is not a frame.
 * - `INTERNAL`: an unexpected exception inside the codec, wrapped so callers only ever see
 *   `CodecError` (a bug: the fuzz tests assert it never happens).
 */
export type CodecErrorCode =
  | 'TRUNCATED'
  | 'TOO_LARGE'
  | 'UNKNOWN_TYPE'
  | 'BAD_VERSION'
  | 'BAD_VARINT'
  | 'BAD_PAYLOAD'
  | 'BAD_STRING'
  | 'UNKNOWN_SOURCE'
  | 'OUT_OF_RANGE'
  | 'TRAILING_BYTES'
  | 'BAD_FLAGS'
  | 'DUPLICATE'
  | 'BAD_FRAME'
  | 'INTERNAL';

/**
 * The only error the codec throws. `code` says what went wrong; `fatal` says whether the link's
 * decoder state may now differ from the sender's encoder state.
 *
 * When `fatal` is `false` (`BAD_PAYLOAD`, `UNKNOWN_TYPE`) the frame was structurally complete and
 * the per-link peer-id table is still in step with the sender, so the receiver may drop just this
 * frame and keep the link. When `fatal` is `true` the link should be closed.
 */
export class CodecError extends Error {
  /** Machine-readable reason. */
  readonly code: CodecErrorCode;
  /** `true` when the link's codec state can no longer be trusted (close the link). */
  readonly fatal: boolean;

  /**
   * @param code machine-readable reason
   * @param message human-readable detail
   * @param options `cause`: the underlying error (e.g. from a payload codec)
   */
  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
    this.code = code;
    this.fatal = code !== 'BAD_PAYLOAD' && code !== 'UNKNOWN_TYPE';
  }
}

/** `true` when `value` is a {@link CodecError} (optionally with the given code). */
export function isCodecError(value: unknown, code?: CodecErrorCode): value is CodecError {
  return value instanceof CodecError && (code === undefined || value.code === code);
}
