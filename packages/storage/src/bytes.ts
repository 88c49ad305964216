/**
 * Little-endian byte writer and reader for the record encodings (records.ts).
 * @internal
 */

// The WHATWG text codecs of every JavaScript runtime (declared here: no DOM or Node typings).
declare const TextEncoder: new () => { encode(input: string): Uint8Array };
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean },
) => { decode(input: Uint8Array): string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Grows a buffer as fields are written. @internal */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  /** A length-prefixed byte string. */
  bytes(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }

  /** A length-prefixed UTF-8 string. */
  str(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  /** The bytes written so far (a view of the internal buffer). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** Thrown by {@link ByteReader} when a field runs past the end or is not valid UTF-8. @internal */
export class Truncated extends Error {}

/** Reads the fields {@link ByteWriter} wrote, within `[0, end)`. @internal */
export class ByteReader {
  private readonly view: DataView;
  at = 0;

  constructor(
    private readonly buf: Uint8Array,
    readonly end: number = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.end) throw new Truncated(`needs ${n} bytes at ${this.at}, ends at ${this.end}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.u32());
  }

  str(): string {
    try {
      return decoder.decode(this.bytes());
    } catch (e) {
      if (e instanceof Truncated) throw e;
      throw new Truncated('not UTF-8');
    }
  }
}
