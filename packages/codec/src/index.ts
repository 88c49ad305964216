/**
 * @packageDocumentation
 * `@symmetric/codec`: the Symmetric wire format. Every frame that crosses a transport (hello,
 * frontier, events, request, sync, hash, presence, snapshot, bye) as a compact, versioned binary
 * envelope with per-link interning of peer ids, a pluggable payload codec, and strict decoding
 * that throws only {@link CodecError}. Sans-I/O: bytes in, frames out. The byte-level format is in
 * the package's PROTOCOL.md.
 */

export type { Codec, CodecOptions, FrameDecoder, FrameEncoder } from './codec.js';
export { createCodec, FRAME_TYPE_CODES } from './codec.js';
export type { CodecErrorCode } from './errors.js';
export { CodecError, isCodecError } from './errors.js';
export * from './frames.js';
export type { LengthPrefixedReaderOptions } from './framing.js';
export { LengthPrefixedReader, lengthPrefix, varintLength, writeVarint } from './framing.js';
export { IdRegistry } from './id-registry.js';
export type { CodecLimits } from './limits.js';
export { DEFAULT_LIMITS, MAX_WIRE_INTEGER, SOURCE_TABLE_SIZE } from './limits.js';
export type { MsgpackPayloadOptions, PayloadCodec } from './payload.js';
export {
  bytesPayloadCodec,
  createMsgpackPayloadCodec,
  msgpackPayloadCodec,
  rectangleKeyCodec,
} from './payload.js';
export {
  authSignedBytes,
  eventSignedBytes,
  NONCE_MAX_BYTES,
  NONCE_MIN_BYTES,
  presenceSignedBytes,
} from './security.js';
