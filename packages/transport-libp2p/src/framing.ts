/**
 * Length-prefixed framing on a byte stream: every frame is an unsigned LEB128 varint length
 * followed by that many bytes. Zero-length frames are allowed. The decoder is incremental
 * (feed it chunks as they arrive) and strict: a length above the limit or a varint longer
 * than needed for the limit is a typed error, so a hostile sender cannot make it buffer
 * without bound.
 */
import { TransportError } from '@symmetric/transport';

/** Bytes needed to encode `n` (a non-negative safe integer below 2^53) as a varint. */
export function varintLength(n: number): number {
  let len = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    len++;
  }
  return len;
}

/** Writes the varint of `n` into `out` at `offset`; returns the offset after it. */
export function writeVarint(n: number, out: Uint8Array, offset: number): number {
  let v = n;
  let i = offset;
  while (v >= 0x80) {
    out[i++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[i++] = v;
  return i;
}

/** One frame as it goes on the wire: varint length, then the bytes (copied). */
export function encodeFrame(frame: Uint8Array): Uint8Array {
  const prefix = varintLength(frame.length);
  const out = new Uint8Array(prefix + frame.length);
  writeVarint(frame.length, out, 0);
  out.set(frame, prefix);
  return out;
}

/** Something that yields byte chunks: a `Uint8Array` or a `Uint8ArrayList` (libp2p streams). */
export type Chunk = Uint8Array | { subarray(): Uint8Array; readonly byteLength: number };

/**
 * Incremental decoder for {@link encodeFrame} output. `push` returns the complete frames in
 * order; partial data is kept until the rest arrives. Throws {@link TransportError}
 * `FRAME_TOO_LARGE` for a declared length above `maxFrameBytes` and `PROTOCOL` for a
 * malformed varint; after a throw the decoder is unusable (close the stream).
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly maxPrefix: number;
  private buffer: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** @param maxFrameBytes Largest frame accepted. */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
    this.maxPrefix = varintLength(maxFrameBytes);
  }

  /** Bytes received but not yet returned as frames. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Adds `chunk` and returns every frame it completes. */
  push(chunk: Chunk): Uint8Array[] {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    this.append(bytes);
    const frames: Uint8Array[] = [];
    for (;;) {
      const header = this.readHeader();
      if (header === undefined) break;
      const [length, headerBytes] = header;
      if (this.end - this.start < headerBytes + length) break;
      const from = this.start + headerBytes;
      // Copy out: the buffer is reused, and frames must stay valid after delivery. (Not
      // `.slice()`: on a Node Buffer that is a view, not a copy.)
      const frame = new Uint8Array(length);
      frame.set(this.buffer.subarray(from, from + length));
      frames.push(frame);
      this.start = from + length;
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return frames;
  }

  /** `[length, prefixBytes]` of the next frame, or `undefined` when the prefix is incomplete. */
  private readHeader(): [number, number] | undefined {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < this.maxPrefix; i++) {
      if (this.start + i >= this.end) return undefined;
      const byte = this.buffer[this.start + i]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (i > 0 && byte === 0) {
          throw new TransportError('PROTOCOL', 'non-minimal varint length prefix');
        }
        if (value > this.maxFrameBytes) {
          throw new TransportError(
            'FRAME_TOO_LARGE',
            `incoming frame of ${value} bytes exceeds the limit of ${this.maxFrameBytes}`,
          );
        }
        return [value, i + 1];
      }
      scale *= 128;
    }
    // The prefix is longer than any length up to the limit can need.
    throw new TransportError(
      'FRAME_TOO_LARGE',
      `incoming frame length prefix exceeds ${this.maxPrefix} bytes (limit ${this.maxFrameBytes})`,
    );
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const used = this.end - this.start;
    if (this.end + bytes.length <= this.buffer.length) {
      this.buffer.set(bytes, this.end);
      this.end += bytes.length;
      return;
    }
    if (used === 0 && this.buffer.length < bytes.length) {
      // Nothing buffered: take a private copy of the chunk (a plain Uint8Array, never a
      // Node Buffer view of a pooled allocation).
      this.buffer = new Uint8Array(bytes);
      this.start = 0;
      this.end = bytes.length;
      return;
    }
    const need = used + bytes.length;
    const next =
      need <= this.buffer.length ? this.buffer : new Uint8Array(Math.max(need, this.buffer.length * 2));
    if (next === this.buffer) {
      this.buffer.copyWithin(0, this.start, this.end);
    } else {
      next.set(this.buffer.subarray(this.start, this.end), 0);
    }
    next.set(bytes, used);
    this.buffer = next;
    this.start = 0;
    this.end = need;
  }
}
