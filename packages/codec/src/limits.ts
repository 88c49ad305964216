import { CodecError } from './errors.js';

/**
 * Bounds the decoder enforces on untrusted input (and the encoder on what it sends, so a peer
 * never emits a frame its neighbour would reject with the same limits). Lengths are in bytes.
 */
export interface CodecLimits {
  /** Largest encoded frame (also the default for {@link LengthPrefixedReader}). */
  maxFrameBytes: number;
  /** Most events in one `events` frame. */
  maxBatchEvents: number;
  /** Longest peer id, room or app id, in UTF-8 bytes. */
  maxIdLength: number;
  /** Largest encoded app payload of one event. */
  maxPayloadBytes: number;
  /** Largest event signature. */
  maxSignatureBytes: number;
  /** Most ranges in one `request` frame. */
  maxRanges: number;
  /** Most entries in one `frontier` frame. */
  maxFrontierEntries: number;
  /** Most `[from, to]` pairs of seqs held past a hole in one frontier entry. */
  maxFrontierRanges: number;
  /** Most reports in one `hash` frame. */
  maxHashReports: number;
  /** Largest `data` of one `snapshot` chunk. */
  maxSnapshotChunkBytes: number;
  /** Largest `count` of chunks in one snapshot transfer. */
  maxSnapshotChunks: number;
  /** Largest encoded presence `data`. */
  maxPresenceBytes: number;
  /** Largest presence `hops`. */
  maxPresenceHops: number;
  /** Longest `bye` reason, in UTF-8 bytes. */
  maxReasonBytes: number;
  /** Largest `fps` in a hello. */
  maxFps: number;
}

/** Safe defaults: generous for real use, small enough that a hostile peer cannot exhaust memory. */
export const DEFAULT_LIMITS: Readonly<CodecLimits> = Object.freeze({
  maxFrameBytes: 1_048_576,
  maxBatchEvents: 4096,
  maxIdLength: 128,
  maxPayloadBytes: 65_536,
  maxSignatureBytes: 128,
  maxRanges: 1024,
  maxFrontierEntries: 4096,
  maxFrontierRanges: 64,
  maxHashReports: 1024,
  maxSnapshotChunkBytes: 262_144,
  maxSnapshotChunks: 65_536,
  maxPresenceBytes: 16_384,
  maxPresenceHops: 255,
  maxReasonBytes: 256,
  maxFps: 1000,
});

/**
 * Size of the per-link, per-direction peer-id table. A protocol constant (not a limit), because
 * encoder and decoder must agree on when the table is full: a definition into a full table takes
 * the index of the least recently used entry (see PROTOCOL.md, "Peer-id interning").
 */
export const SOURCE_TABLE_SIZE = 16_384;

/**
 * Largest tick, seq, index or count on the wire (2^52 − 1), so that the zigzag difference of two
 * such values still fits a safe JavaScript integer.
 */
export const MAX_WIRE_INTEGER = 2 ** 52 - 1;

/** Merge user limits over {@link DEFAULT_LIMITS}, throwing {@link CodecError} `OUT_OF_RANGE` for nonsense values. */
export function resolveLimits(partial: Partial<CodecLimits> | undefined): Readonly<CodecLimits> {
  if (partial === undefined) return DEFAULT_LIMITS;
  const out: CodecLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof CodecLimits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new CodecError(
        'OUT_OF_RANGE',
        `codec limit ${key} must be a non-negative safe integer, got ${String(value)}`,
      );
    }
    out[key] = value;
  }
  return Object.freeze(out);
}
