import { CodecError } from './errors.js';
import { MAX_WIRE_INTEGER } from './limits.js';

/** Largest value an 8-byte varint may carry (JavaScript's safe-integer range). */
const MAX_VARINT = Number.MAX_SAFE_INTEGER;
const EMPTY = new Uint8Array(0);
// The package builds without DOM or Node typings; these globals exist in every supported runtime.
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean; ignoreBOM: boolean },
) => { decode(input: Uint8Array): string };
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
// Eight bytes and one view over them: an f64 is copied here and read, so no view is made per
// number (decoding is synchronous and single-threaded, so one scratch serves every reader).
const f64Bytes = new Uint8Array(8);
const f64View = new DataView(f64Bytes.buffer);

// The character codes of a short ASCII string being read (one array for every reader, as above).
const asciiCodes: number[] = [];

/** Lowercase hex of every byte value. */
export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The largest buffer a {@link Writer} keeps from one frame to the next (internal): every events,
 * SYNC, hash or presence frame fits; a larger frame gets a buffer of its own that goes with it.
 */
export const KEPT_BUFFER_BYTES = 4096;

/** Copies of at most this many bytes are made byte by byte (cheaper than a typed-array call). */
const SMALL_COPY = 16;

/** Growable output buffer (internal). */
export class Writer {
  buf: Uint8Array = new Uint8Array(256);
  pos = 0;
  private view: DataView = new DataView(this.buf.buffer);

  reset(): void {
    // Keep no buffer sized to a one-off big frame (a snapshot chunk, a frontier listing every
    // source): a link keeps its encoder for its whole life, so a kept buffer would follow the
    // longest frame the link ever sent, that is the number of sources heard of.
    if (this.buf.length > KEPT_BUFFER_BYTES) {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
    }
    this.pos = 0;
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned LEB128 of a safe non-negative integer (caller validated). */
  varint(v: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Zigzag then LEB128 of a signed integer with |v| ≤ 2^52 − 1. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n <= SMALL_COPY) {
      // A few bytes (an event's payload) are copied faster one by one than by `set`.
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = b[i]!;
      this.pos = pos;
      return;
    }
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /**
   * A new id as the encoder writes it (`length × 2 + 1`, then its bytes) when it is a non-empty
   * ASCII string of at most `max` characters, written with no bytes array of its own; `false`
   * (nothing written) otherwise.
   */
  asciiId(s: string, max: number): boolean {
    if (typeof s !== 'string') return false;
    const n = s.length;
    if (n === 0 || n > max) return false;
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return false;
    this.varint(n * 2 + 1);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
    return true;
  }

  /** A copy of what was written (a buffer of its own: offset 0, its length exactly). */
  finish(): Uint8Array {
    const n = this.pos;
    if (n > SMALL_COPY) return this.buf.slice(0, n);
    // Most frames (events, sync) are a few bytes: copied one by one into a fresh array.
    const buf = this.buf;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = buf[i]!;
    return out;
  }
}

/**
 * UTF-8 bytes of `s`; throws `BAD_STRING` for ill-formed UTF-16 (a lone surrogate would be
 * replaced by U+FFFD and not round-trip).
 */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new CodecError('BAD_STRING', 'string contains a lone surrogate');
  }
  return utf8Encoder.encode(s);
}

/** Bounds-checked cursor over one frame (internal). Every read throws `CodecError` only. */
export class Reader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;

  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
    this.end = buf.length;
  }

  release(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw truncated(this.pos);
    return this.buf[this.pos++]!;
  }

  /** Minimal unsigned LEB128, at most 8 bytes, value ≤ 2^53 − 1. */
  varint(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) throw truncated(pos);
    let byte = buf[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let result = byte & 0x7f;
    let mul = 0x80;
    for (let i = 1; ; i++) {
      if (pos >= end) throw truncated(pos);
      byte = buf[pos++]!;
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (byte === 0) throw new CodecError('BAD_VARINT', `overlong varint at byte ${this.pos}`);
        break;
      }
      if (i === 7) throw new CodecError('BAD_VARINT', `varint longer than 8 bytes at byte ${this.pos}`);
      mul *= 0x80;
    }
    if (result > MAX_VARINT) throw new CodecError('BAD_VARINT', `varint above 2^53-1 at byte ${this.pos}`);
    this.pos = pos;
    return result;
  }

  /** A varint that must be ≤ {@link MAX_WIRE_INTEGER}. */
  uint(what: string): number {
    const v = this.varint();
    if (v > MAX_WIRE_INTEGER) throw new CodecError('OUT_OF_RANGE', `${what} ${v} above 2^52-1`);
    return v;
  }

  /** Zigzag varint; |result| ≤ 2^52. */
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** A count bounded by `max` and by the bytes left (`minBytes` per item). */
  count(max: number, minBytes: number, what: string): number {
    const n = this.varint();
    if (n > max) throw new CodecError('TOO_LARGE', `${what}: ${n} > limit ${max}`);
    if (n * minBytes > this.end - this.pos) throw truncated(this.pos, `${what}: ${n} items cannot fit`);
    return n;
  }

  /** A length bounded by `max` and by the bytes left. */
  length(max: number, what: string): number {
    const n = this.varint();
    if (n > max) throw new CodecError('TOO_LARGE', `${what}: ${n} bytes > limit ${max}`);
    if (n > this.end - this.pos) throw truncated(this.pos, `${what}: ${n} bytes`);
    return n;
  }

  /** A copy of the next `n` bytes (the frame's buffer is not kept). */
  copy(n: number): Uint8Array {
    if (n > this.end - this.pos) throw truncated(this.pos);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skip `n` bytes, returning where they start (for in-place reads). */
  skip(n: number): number {
    const start = this.pos;
    if (n > this.end - start) throw truncated(start);
    this.pos = start + n;
    return start;
  }

  /** `n` bytes as a view (caller checked `n` against the remaining bytes or checks here). */
  view(n: number): Uint8Array {
    if (n > this.end - this.pos) throw truncated(this.pos);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  f64(what: string): number {
    const pos = this.pos;
    if (this.end - pos < 8) throw truncated(pos, what);
    const buf = this.buf;
    const b = f64Bytes;
    b[0] = buf[pos]!;
    b[1] = buf[pos + 1]!;
    b[2] = buf[pos + 2]!;
    b[3] = buf[pos + 3]!;
    b[4] = buf[pos + 4]!;
    b[5] = buf[pos + 5]!;
    b[6] = buf[pos + 6]!;
    b[7] = buf[pos + 7]!;
    this.pos = pos + 8;
    const v = f64View.getFloat64(0, true);
    if (!Number.isFinite(v)) throw new CodecError('OUT_OF_RANGE', `${what} is not finite`);
    return v;
  }

  /** A UTF-8 string of exactly `n` bytes (already bounds-checked by {@link length}). */
  utf8(n: number): string {
    const buf = this.buf;
    const start = this.pos;
    const stop = start + n;
    if (stop > this.end) throw truncated(start);
    this.pos = stop;
    if (n <= 64) {
      // ASCII (every id this runtime makes): one flat string. Appending a character at a time
      // would leave a rope of n pieces (tens of bytes each) in the peer-id table.
      let i = start;
      while (i < stop && buf[i]! < 0x80) i++;
      if (i === stop) {
        const codes = asciiCodes;
        codes.length = n;
        for (let k = 0; k < n; k++) codes[k] = buf[start + k]!;
        return String.fromCharCode.apply(null, codes);
      }
    }
    try {
      return utf8Decoder.decode(buf.subarray(start, stop));
    } catch (cause) {
      throw new CodecError('BAD_STRING', `invalid UTF-8 at byte ${start}`, { cause });
    }
  }

  /** A length-prefixed string of at most `max` bytes. */
  string(max: number, what: string): string {
    return this.utf8(this.length(max, what));
  }
}

function truncated(pos: number, what?: string): CodecError {
  return new CodecError('TRUNCATED', `frame ends at byte ${pos}${what === undefined ? '' : ` (${what})`}`);
}
