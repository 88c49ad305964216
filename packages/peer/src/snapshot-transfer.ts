/**
 * Snapshot transfer: a snapshot blob (snapshot-blob.ts) cut into `snapshot` chunk frames by the
 * server and put back together by the joiner. An empty single chunk is a refusal.
 * @internal
 */
import type { Codec, SnapshotChunkFrame } from '@symmetric/codec';

/** Chunk size of snapshot transfers (bytes). */
const SNAPSHOT_CHUNK_BYTES = 65_536;

/** The refusal: one empty chunk. @internal */
export const REFUSAL: SnapshotChunkFrame = {
  type: 'snapshot',
  tick: 0,
  index: 0,
  count: 1,
  data: new Uint8Array(0),
};

/** `true` when `f` is a refusal. @internal */
export function isRefusal(f: SnapshotChunkFrame): boolean {
  return f.index === 0 && f.count === 1 && f.data.length === 0;
}

/**
 * The chunk frames of `blob` (a snapshot at `tick`), or `undefined` when it needs more chunks
 * than the codec allows.
 * @internal
 */
export function chunkSnapshot<E>(
  blob: Uint8Array,
  tick: number,
  codec: Codec<E>,
): SnapshotChunkFrame[] | undefined {
  const size = Math.max(1, Math.min(SNAPSHOT_CHUNK_BYTES, codec.limits.maxSnapshotChunkBytes));
  const count = Math.max(1, Math.ceil(blob.length / size));
  if (count > codec.limits.maxSnapshotChunks) return undefined;
  const out: SnapshotChunkFrame[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ type: 'snapshot', tick, index: i, count, data: blob.subarray(i * size, (i + 1) * size) });
  }
  return out;
}

/** One snapshot being received from a neighbour. @internal */
export class SnapshotTransfer {
  private tick = -1;
  private count = 0;
  private readonly chunks: Uint8Array[] = [];
  private received = 0;

  constructor(
    /** The link it was asked on. */
    readonly linkKey: string,
    /** Local time it was asked. */
    readonly requestedAt: number,
  ) {}

  /** Bytes received so far. */
  get bytes(): number {
    return this.received;
  }

  /**
   * Take the next chunk: `'more'` to wait for the rest, the whole blob once complete, or
   * `'inconsistent'` when its numbering does not follow.
   */
  add(f: SnapshotChunkFrame): 'more' | 'inconsistent' | Uint8Array {
    if (this.chunks.length === 0) {
      this.tick = f.tick;
      this.count = f.count;
    }
    if (f.tick !== this.tick || f.count !== this.count || f.index !== this.chunks.length)
      return 'inconsistent';
    this.chunks.push(f.data);
    this.received += f.data.length;
    if (this.chunks.length < this.count) return 'more';
    let total = 0;
    for (const c of this.chunks) total += c.length;
    const blob = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      blob.set(c, at);
      at += c.length;
    }
    return blob;
  }
}
