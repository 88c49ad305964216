import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, LengthPrefixedReader, lengthPrefix } from '../src/index.js';

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
        fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
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
});
