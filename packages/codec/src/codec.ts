import { encodeWith } from './checks.js';
import { Decoder } from './decoder.js';
import { Encoder } from './encoder.js';
import { CodecError } from './errors.js';
import type { Frame } from './frames.js';
import { IdRegistry } from './id-registry.js';
import type { CodecLimits } from './limits.js';
import { resolveLimits, SOURCE_TABLE_SIZE } from './limits.js';
import type { PayloadCodec } from './payload.js';
import { msgpackPayloadCodec } from './payload.js';
import { SourceTable } from './source-table.js';

export { FRAME_TYPE_CODES } from './layout.js';

/** Options of {@link createCodec}. */
export interface CodecOptions<E> {
  /** Codec for event payloads (default {@link msgpackPayloadCodec}). */
  payload?: PayloadCodec<E>;
  /** Codec for presence `data` (default {@link msgpackPayloadCodec}). */
  presence?: PayloadCodec<unknown>;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<CodecLimits>;
}

/**
 * Stateful encoder for one direction of one link. It interns peer ids: the first frame that
 * names an id carries the string and gives it a table index (the next one, or once the table holds
 * {@link SOURCE_TABLE_SIZE} ids that of the least recently used); later frames send the index.
 * Frames must be sent in the order they were encoded, and all of them, or the receiver's table
 * falls out of step (an encode that throws leaves the table as it was).
 */
export interface FrameEncoder<E> {
  /** Bytes of `frame`. Throws {@link CodecError} for a frame that violates the format or limits. */
  encode(frame: Frame<E>): Uint8Array;
  /** Peer ids interned on this link (at most {@link SOURCE_TABLE_SIZE}). */
  readonly sourceCount: number;
  /**
   * The link closed: give back the ids it interned (the codec's encoders and decoders share one
   * string per id). The encoder is not used afterwards.
   */
  dispose(): void;
}

/**
 * Stateful decoder for one direction of one link, mirroring the sender's {@link FrameEncoder}.
 * Feed it every frame of the link, in order.
 */
export interface FrameDecoder<E> {
  /**
   * The frame `bytes` encode. Throws {@link CodecError} and nothing else. After an error with
   * `fatal: true` the link should be closed; after `BAD_PAYLOAD` or `UNKNOWN_TYPE` the frame can
   * be dropped and the link kept.
   */
  decode(bytes: Uint8Array): Frame<E>;
  /** Peer ids interned on this link (at most {@link SOURCE_TABLE_SIZE}). */
  readonly sourceCount: number;
  /** The link closed: give back the ids it interned. The decoder is not used afterwards. */
  dispose(): void;
}

/** A configured codec: hands out one encoder/decoder per link direction. */
export interface Codec<E> {
  /**
   * A stateful per-link encoder: interns source peer ids (first use on the link carries the
   * string and assigns an index; later frames use the index), so long ids are not repeated per
   * event. One per link direction.
   */
  encoder(): FrameEncoder<E>;
  /** A stateful per-link decoder; pair it with the remote side's encoder. */
  decoder(): FrameDecoder<E>;
  /** The effective limits. */
  readonly limits: Readonly<CodecLimits>;
  /**
   * The payload codec's encoding of `payload` (what an event signature covers, see
   * `eventSignedBytes`). Throws {@link CodecError} `BAD_PAYLOAD` or `TOO_LARGE`.
   */
  payloadBytes(payload: E): Uint8Array;
  /**
   * The ids every encoder and decoder of this codec interns (one string and one map entry per
   * id for all the links): a runtime keeping per-link tables keyed by the same ids can share it.
   */
  readonly ids: IdRegistry;
}

/**
 * Create a codec. `E` is the event payload type; give `payload` for anything other than
 * JSON-like values.
 *
 * @example
 * ```ts
 * const codec = createCodec({ payload: rectangleKeyCodec });
 * const tx = codec.encoder(); // this side of the link
 * const rx = codec.decoder(); // the other side of the link
 * const bytes = tx.encode({ type: 'events', events: [{ source: 'alice', seq: 1, tick: 120, payload: 2 }] });
 * rx.decode(bytes); // same frame
 * ```
 */
export function createCodec<E = unknown>(options: CodecOptions<E> = {}): Codec<E> {
  const limits = resolveLimits(options.limits);
  const payload = (options.payload ?? msgpackPayloadCodec) as PayloadCodec<E>;
  const presence = options.presence ?? msgpackPayloadCodec;
  // One string and one map entry per id for all the links of this codec (see IdRegistry).
  const ids = new IdRegistry();
  return {
    limits,
    encoder: () => new Encoder<E>(limits, payload, presence, new SourceTable(true, SOURCE_TABLE_SIZE, ids)),
    decoder: () => new Decoder<E>(limits, payload, presence, new SourceTable(false, SOURCE_TABLE_SIZE, ids)),
    payloadBytes: (value) => encodeWith(payload, value, limits.maxPayloadBytes, 'event.payload'),
    ids,
  };
}
