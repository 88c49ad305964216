import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, LengthPrefixedReader, lengthPrefix, varintLength, writeVarint } from '../src/index.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

describe('length-prefix framing', () => {
  it('any frames, any chunking: the reader gives back exactly the frames', () => {
    fc.assert(
      fc.property(
        // Frames past 127 bytes (a two-byte length) and past the chunks they arrive in.
        fc.array(fc.uint8Array({ maxLength: 3000, size: 'max' }), { maxLength: 12, size: 'max' }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30, size: 'max' }),
        (frames, cuts) => {
          const stream = concat(frames.map(lengthPrefix));
          const reader = new LengthPrefixedReader();
          const got: Uint8Array[] = [];
          let pos = 0;
          for (let i = 0; pos < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            got.push(...reader.push(stream.subarray(pos, pos + n)));
            pos += n;
          }
          expect(got).toStrictEqual(frames);
          expect(reader.buffered).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returned frames are copies, not views of the pushed chunk', () => {
    const chunk = lengthPrefix(new Uint8Array([1, 2, 3]));
    const [frame] = new LengthPrefixedReader().push(chunk);
    chunk.fill(0);
    expect(frame).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('rejects an oversized length from the header alone, before the body arrives', () => {
    const reader = new LengthPrefixedReader({ maxFrameBytes: 100 });
    expect(reader.push(lengthPrefix(new Uint8Array(100))).length).toBe(1);
    expect(() => reader.push(new Uint8Array([101]))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    // 2^32 - 1 declared: rejected as soon as the partial value passes the limit.
    const r2 = new LengthPrefixedReader({ maxFrameBytes: 1 << 20 });
    expect(() => r2.push(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' }),
    );
    expect(r2.buffered).toBeLessThanOrEqual(3);
  });

  it('rejects malformed headers and stays failed afterwards', () => {
    const reader = new LengthPrefixedReader();
    expect(() => reader.push(new Uint8Array([0x80, 0x00]))).toThrow(
      expect.objectContaining({ code: 'BAD_VARINT' }),
    );
    expect(() => reader.push(lengthPrefix(new Uint8Array([1])))).toThrow(CodecError);
    const long = new LengthPrefixedReader({ maxFrameBytes: Number.MAX_SAFE_INTEGER });
    expect(() => long.push(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      expect.objectContaining({ code: 'BAD_VARINT' }),
    );
  });

  it('passes empty frames through and reports partial bytes held', () => {
    const reader = new LengthPrefixedReader();
    expect(reader.push(new Uint8Array([0, 0]))).toStrictEqual([new Uint8Array(0), new Uint8Array(0)]);
    const framed = lengthPrefix(new Uint8Array(500).fill(9));
    expect(reader.push(framed.subarray(0, 1))).toStrictEqual([]);
    expect(reader.buffered).toBe(1);
    expect(reader.push(framed.subarray(1, 102))).toStrictEqual([]);
    expect(reader.buffered).toBe(100);
    expect(reader.push(framed.subarray(102))).toStrictEqual([new Uint8Array(500).fill(9)]);
  });

  it('frames are copies even when the chunk is a view-slicing Uint8Array (a Node Buffer)', () => {
    /** Slices like Node's Buffer: a view of the same memory. */
    class ViewSlicing extends Uint8Array {
      override slice(start = 0, end = this.length): Uint8Array<ArrayBuffer> {
        return new Uint8Array(this.buffer, this.byteOffset + start, end - start);
      }
    }
    const wire = lengthPrefix(new Uint8Array([1, 2, 3]));
    const chunk = new ViewSlicing(wire.length);
    chunk.set(wire);
    const [frame] = new LengthPrefixedReader().push(chunk);
    chunk.fill(9);
    expect(frame).toStrictEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('varint helpers', () => {
  it('write the minimal unsigned LEB128 of any safe integer, in varintLength bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), fc.maxSafeNat()), (n) => {
        const out = new Uint8Array(10);
        const end = writeVarint(n, out, 1);
        expect(end - 1).toBe(varintLength(n));
        let value = 0;
        let scale = 1;
        for (let i = 1; i < end; i++) {
          value += (out[i]! & 0x7f) * scale;
          scale *= 0x80;
          expect(out[i]! >= 0x80).toBe(i < end - 1);
        }
        expect(value).toBe(n);
        if (end - 1 > 1) expect(out[end - 1]).not.toBe(0);
      }),
    );
  });

  it('lengthPrefix is the varint of the length followed by the frame', () => {
    const frame = new Uint8Array(300).fill(7);
    const wire = lengthPrefix(frame);
    expect(wire.subarray(0, 2)).toStrictEqual(new Uint8Array([0xac, 0x02]));
    expect(wire.subarray(2)).toStrictEqual(frame);
    expect(lengthPrefix(new Uint8Array(0))).toStrictEqual(new Uint8Array([0]));
  });
});
