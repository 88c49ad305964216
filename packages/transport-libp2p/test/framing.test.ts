import { lengthPrefix, varintLength, writeVarint } from '@symmetric/codec';
import { isTransportError } from '@symmetric/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamFrameReader } from '../src/framing.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('StreamFrameReader', () => {
  it('returns exactly the frames encoded, whatever the chunking (zero-length frames included)', () => {
    fc.assert(
      fc.property(
        // Frames past 127 bytes (a two-byte length) and past the chunks they arrive in.
        fc.array(fc.uint8Array({ maxLength: 300, size: 'max' }), { maxLength: 40, size: 'max' }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20, size: 'max' }),
        (frames, cuts) => {
          const wire = concat(frames.map(lengthPrefix));
          const decoder = new StreamFrameReader(1024);
          const out: Uint8Array[] = [];
          let at = 0;
          let k = 0;
          while (at < wire.length) {
            const size = cuts[k++ % cuts.length]!;
            out.push(...decoder.push(wire.subarray(at, at + size)));
            at += size;
          }
          expect(out).toEqual(frames);
          expect(decoder.pending).toBe(0);
        },
      ),
    );
  });

  it('frames stay intact after the decoder reuses its buffer', () => {
    const decoder = new StreamFrameReader(1 << 20);
    const a = lengthPrefix(new Uint8Array(100).fill(1));
    const b = lengthPrefix(new Uint8Array(100).fill(2));
    const first = decoder.push(a.subarray(0, 101));
    expect(first).toHaveLength(1);
    decoder.push(b);
    expect(first[0]).toEqual(new Uint8Array(100).fill(1));
  });

  it('varint encoding is minimal LEB128', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => {
        const out = new Uint8Array(10);
        const end = writeVarint(n, out, 0);
        expect(end).toBe(varintLength(n));
        let v = 0;
        let scale = 1;
        for (let i = 0; i < end; i++) {
          v += (out[i]! & 0x7f) * scale;
          scale *= 128;
          expect(out[i]! >= 0x80).toBe(i < end - 1);
        }
        expect(v).toBe(n);
      }),
    );
  });

  it('a declared length above the limit is FRAME_TOO_LARGE before the body arrives', () => {
    const decoder = new StreamFrameReader(1000);
    const header = new Uint8Array(2);
    writeVarint(1001, header, 0);
    let error: unknown;
    try {
      decoder.push(header);
    } catch (e) {
      error = e;
    }
    expect(isTransportError(error) && error.code).toBe('FRAME_TOO_LARGE');
  });

  it('an endless varint is rejected after the bytes a legal length can need', () => {
    const decoder = new StreamFrameReader(1 << 20);
    expect(() => decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(/length prefix|exceeds/);
  });

  it('a non-minimal varint is a PROTOCOL error', () => {
    const decoder = new StreamFrameReader(1 << 20);
    let error: unknown;
    try {
      decoder.push(new Uint8Array([0x81, 0x00]));
    } catch (e) {
      error = e;
    }
    expect(isTransportError(error) && error.code).toBe('PROTOCOL');
  });
});

describe('StreamFrameReader with Node Buffers', () => {
  it('never aliases the caller’s buffers (Buffer.slice is a view)', () => {
    const decoder = new StreamFrameReader(1024);
    const wire = Buffer.from(lengthPrefix(new Uint8Array([1, 2, 3])));
    const frames = decoder.push(wire.subarray(0, 3));
    frames.push(...decoder.push(wire.subarray(3)));
    wire.fill(9);
    expect(frames).toEqual([new Uint8Array([1, 2, 3])]);
    expect(Buffer.isBuffer(frames[0])).toBe(false);
  });

  it('a whole frame inside one Buffer chunk is copied out too', () => {
    const reader = new StreamFrameReader(1024);
    const wire = Buffer.from(lengthPrefix(new Uint8Array([4, 5, 6])));
    const frames = reader.push(wire);
    wire.fill(9);
    expect(frames).toEqual([new Uint8Array([4, 5, 6])]);
    expect(Buffer.isBuffer(frames[0])).toBe(false);
  });
});

describe('StreamFrameReader on libp2p chunks', () => {
  it('reads Uint8ArrayList-like chunks (as libp2p streams deliver them)', () => {
    const reader = new StreamFrameReader(1024);
    const wire = new Uint8Array([...lengthPrefix(new Uint8Array([1])), ...lengthPrefix(new Uint8Array(0))]);
    const list = { subarray: () => wire, byteLength: wire.length };
    expect(reader.push(list)).toEqual([new Uint8Array([1]), new Uint8Array(0)]);
    expect(reader.pending).toBe(0);
  });

  it('a fractional limit admits exactly the frames its whole part does', () => {
    const reader = new StreamFrameReader(2.5);
    expect(reader.push(lengthPrefix(new Uint8Array(2)))).toEqual([new Uint8Array(2)]);
    let error: unknown;
    try {
      reader.push(lengthPrefix(new Uint8Array(3)));
    } catch (e) {
      error = e;
    }
    expect(isTransportError(error) && error.code).toBe('FRAME_TOO_LARGE');
  });

  it('after a malformed prefix every later push fails too (the stream is out of step)', () => {
    const reader = new StreamFrameReader(1 << 20);
    expect(() => reader.push(new Uint8Array([0x81, 0x00]))).toThrow(/malformed frame length prefix/);
    expect(() => reader.push(lengthPrefix(new Uint8Array([1])))).toThrow(/malformed frame length prefix/);
  });
});
