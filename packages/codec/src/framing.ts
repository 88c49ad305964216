import { CodecError } from './errors.js';
import { DEFAULT_LIMITS } from './limits.js';

/** Bytes the unsigned LEB128 varint of `n` (a non-negative safe integer) takes. */
export function varintLength(n: number): number {
  let bytes = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) bytes++;
  return bytes;
}

/** Writes the unsigned LEB128 varint of `n` into `out` at `offset`; returns the offset after it. */
export function writeVarint(n: number, out: Uint8Array, offset: number): number {
  let v = n;
  let pos = offset;
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

/**
 * Prefix `frame` with its length as an unsigned LEB128 varint, for stream transports (TCP,
 * yamux streams) that do not keep message boundaries. Read back with {@link LengthPrefixedReader}.
 */
export function lengthPrefix(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(varintLength(frame.length) + frame.length);
  out.set(frame, writeVarint(frame.length, out, 0));
  return out;
}

/** Options of {@link LengthPrefixedReader}. */
export interface LengthPrefixedReaderOptions {
  /** Largest frame accepted (default {@link DEFAULT_LIMITS}.maxFrameBytes). */
  maxFrameBytes?: number;
}

/**
 * Splits a byte stream of {@link lengthPrefix}ed frames back into frames, whatever the chunking.
 * A frame's buffer is allocated only once its declared length is known to be within
 * `maxFrameBytes`. After it throws, the stream is out of step: every later `push` throws the same
 * error, and the link should be closed.
 */
export class LengthPrefixedReader {
  private readonly maxFrameBytes: number;
  /** Length of the frame being read, or -1 while reading a header. */
  private need = -1;
  /** Header varint being accumulated. */
  private header = 0;
  private headerBytes = 0;
  private mul = 1;
  private frame: Uint8Array | undefined;
  private filled = 0;
  private failed: CodecError | undefined;

  /** @param limits `maxFrameBytes`: largest frame accepted. */
  constructor(limits: LengthPrefixedReaderOptions = {}) {
    const max = limits.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new CodecError('OUT_OF_RANGE', `maxFrameBytes must be a non-negative safe integer, got ${max}`);
    }
    this.maxFrameBytes = max;
  }

  /** Bytes held for a frame that is not complete yet (including a partial header). */
  get buffered(): number {
    return this.need < 0 ? this.headerBytes : this.filled;
  }

  /**
   * Feed the next chunk of the stream; returns the frames it completed (each a fresh copy), in
   * order. Throws {@link CodecError} `TOO_LARGE` for a declared length above `maxFrameBytes`
   * (before allocating anything for it) and `BAD_VARINT` for a malformed length.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed !== undefined) throw this.failed;
    const out: Uint8Array[] = [];
    let pos = 0;
    const len = chunk.length;
    try {
      while (pos < len) {
        if (this.need < 0) {
          const byte = chunk[pos++]!;
          this.header += (byte & 0x7f) * this.mul;
          this.headerBytes++;
          if (this.header > this.maxFrameBytes) {
            throw new CodecError('TOO_LARGE', `frame length ${this.header}+ > limit ${this.maxFrameBytes}`);
          }
          if (byte >= 0x80) {
            if (this.headerBytes >= 8) throw new CodecError('BAD_VARINT', 'frame length varint too long');
            this.mul *= 0x80;
            continue;
          }
          if (byte === 0 && this.headerBytes > 1) throw new CodecError('BAD_VARINT', 'overlong frame length');
          this.need = this.header;
          this.filled = 0;
          if (this.need === 0) {
            out.push(new Uint8Array(0));
            this.resetHeader();
            continue;
          }
          // Fast path: the whole frame is in this chunk. Copied with `set`, not `slice`: a
          // Node Buffer's `slice` is a view of the caller's memory.
          if (len - pos >= this.need) {
            const whole = new Uint8Array(this.need);
            whole.set(chunk.subarray(pos, pos + this.need));
            out.push(whole);
            pos += this.need;
            this.resetHeader();
            continue;
          }
          this.frame = new Uint8Array(this.need);
        }
        const frame = this.frame!;
        const take = Math.min(this.need - this.filled, len - pos);
        frame.set(chunk.subarray(pos, pos + take), this.filled);
        this.filled += take;
        pos += take;
        if (this.filled === this.need) {
          out.push(frame);
          this.resetHeader();
        }
      }
    } catch (err) {
      this.failed = err instanceof CodecError ? err : new CodecError('INTERNAL', String(err), { cause: err });
      throw this.failed;
    }
    return out;
  }

  private resetHeader(): void {
    this.need = -1;
    this.header = 0;
    this.headerBytes = 0;
    this.mul = 1;
    this.frame = undefined;
    this.filled = 0;
  }
}
