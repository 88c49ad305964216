import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Frame, WireEvent } from '../src/index.js';
import {
  bytesPayloadCodec,
  CodecError,
  createCodec,
  DEFAULT_LIMITS,
  FRAME_TYPE_CODES,
  MAX_FRONTIER_PRINTS,
  PROTOCOL_VERSION,
  rectangleKeyCodec,
  SOURCE_TABLE_SIZE,
} from '../src/index.js';
import { frameArb, frameArbs, GENERATED_LIMITS, GENERATED_MAX_PRINTS, jsonPayload } from './arbitraries.js';

const RUNS = 300;

describe('round trip of every frame type (fresh encoder/decoder per frame)', () => {
  const codec = createCodec();
  it('the generated frames fill the limits of the codec as it is', () => {
    for (const [key, value] of Object.entries(GENERATED_LIMITS))
      expect(DEFAULT_LIMITS[key as keyof typeof GENERATED_LIMITS], key).toBe(value);
    expect(MAX_FRONTIER_PRINTS).toBe(GENERATED_MAX_PRINTS);
  });

  for (const [type, arb] of Object.entries(frameArbs(jsonPayload))) {
    it(type, () => {
      fc.assert(
        fc.property(arb, (frame) => {
          const bytes = codec.encoder().encode(frame);
          expect(bytes[0]).toBe(PROTOCOL_VERSION);
          expect(bytes[1]).toBe(FRAME_TYPE_CODES[frame.type]);
          expect(codec.decoder().decode(bytes)).toStrictEqual(frame);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

/**
 * Runs of a sequence test: a sequence holds up to 25 frames (about 12 on average, where it held
 * about 5 at the default size), so fewer runs send as many frames as before.
 */
const SEQUENCE_RUNS = 100;

describe('round trip through one encoder/decoder pair over a sequence (interning)', () => {
  it('JSON payloads (msgpack)', () => {
    const codec = createCodec();
    fc.assert(
      fc.property(fc.array(frameArb(jsonPayload), { maxLength: 25, size: 'max' }), (frames) => {
        const tx = codec.encoder();
        const rx = codec.decoder();
        for (const frame of frames) expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
        expect(rx.sourceCount).toBe(tx.sourceCount);
      }),
      { numRuns: SEQUENCE_RUNS },
    );
  });

  it('rectangle keys (one byte each)', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    fc.assert(
      fc.property(
        fc.array(frameArb(fc.integer({ min: 0, max: 4 })), { maxLength: 25, size: 'max' }),
        (frames) => {
          const tx = codec.encoder();
          const rx = codec.decoder();
          for (const frame of frames) expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
        },
      ),
      { numRuns: SEQUENCE_RUNS },
    );
  });

  it('raw byte payloads of any length (inline and long length forms)', () => {
    const codec = createCodec({ payload: bytesPayloadCodec });
    // Payloads past the 14 bytes an event header holds take the long length form.
    const payload = fc.uint8Array({ maxLength: 300, size: 'max' });
    fc.assert(
      fc.property(fc.array(frameArb(payload), { maxLength: 15, size: 'max' }), (frames) => {
        const tx = codec.encoder();
        const rx = codec.decoder();
        for (const frame of frames) expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
      }),
      { numRuns: SEQUENCE_RUNS },
    );
  });

  it('a later frame names an interned id by index only', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    const id = 'x'.repeat(100);
    const ev = (seq: number): Frame<number> => ({
      type: 'events',
      events: [{ source: id, seq, tick: 10 * seq, payload: 1 }],
    });
    const first = tx.encode(ev(1));
    const second = tx.encode(ev(2));
    expect(first.length).toBeGreaterThan(100);
    expect(second.length).toBeLessThan(10);
    expect(rx.decode(first)).toStrictEqual(ev(1));
    expect(rx.decode(second)).toStrictEqual(ev(2));
    // A fresh decoder has never seen the definition.
    expect(() => codec.decoder().decode(second)).toThrow(expect.objectContaining({ code: 'UNKNOWN_SOURCE' }));
  });

  it('past SOURCE_TABLE_SIZE ids the least recently used are evicted; everything still round-trips', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    const ids = Array.from({ length: SOURCE_TABLE_SIZE + 50 }, (_, i) => `peer-${i}`);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < ids.length; i += 100) {
        const events: WireEvent<number>[] = ids
          .slice(i, i + 100)
          .map((source, k) => ({ source, seq: round + 1, tick: i + k, payload: k % 5 }));
        expect(rx.decode(tx.encode({ type: 'events', events }))).toStrictEqual({ type: 'events', events });
      }
    }
    expect(tx.sourceCount).toBe(SOURCE_TABLE_SIZE);
    expect(rx.sourceCount).toBe(SOURCE_TABLE_SIZE);
    // The newest ids are held (a reference), the 50 oldest were evicted (a literal again).
    const held = tx.encode({ type: 'frontier', entries: [{ source: ids.at(-1)!, seq: 1 }] });
    expect(held.length).toBeLessThan(8);
    const evicted = tx.encode({ type: 'frontier', entries: [{ source: ids[0]!, seq: 1 }] });
    expect(evicted.length).toBeGreaterThan(ids[0]!.length);
    for (const frame of [held, evicted]) expect(rx.decode(frame).type).toBe('frontier');
  });

  it('an encode that throws leaves the table as it was (no phantom definitions)', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    expect(() =>
      tx.encode({
        type: 'events',
        events: [
          { source: 'new-peer', seq: 1, tick: 5, payload: 1 },
          { source: 'other', seq: 1, tick: 5, payload: 9 }, // not a rectangle key
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'BAD_PAYLOAD' }));
    expect(tx.sourceCount).toBe(0);
    const frame: Frame<number> = { type: 'frontier', entries: [{ source: 'new-peer', seq: 1 }] };
    expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
  });

  it('a BAD_PAYLOAD frame keeps the link in step (not fatal); a truncated one rolls back', () => {
    const codec = createCodec({ payload: bytesPayloadCodec });
    const strict = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = strict.decoder();
    const bad = tx.encode({
      type: 'events',
      events: [{ source: 'zed', seq: 1, tick: 1, payload: new Uint8Array([7]) }],
    });
    try {
      rx.decode(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CodecError);
      expect((err as CodecError).code).toBe('BAD_PAYLOAD');
      expect((err as CodecError).fatal).toBe(false);
    }
    expect(rx.sourceCount).toBe(1);
    const good = tx.encode({
      type: 'events',
      events: [{ source: 'zed', seq: 2, tick: 2, payload: new Uint8Array([3]) }],
    });
    expect(rx.decode(good)).toStrictEqual({
      type: 'events',
      events: [{ source: 'zed', seq: 2, tick: 2, payload: 3 }],
    });

    const tx2 = codec.encoder();
    const rx2 = codec.decoder();
    const defining = tx2.encode({ type: 'frontier', entries: [{ source: 'yann', seq: 4 }] });
    expect(() => rx2.decode(defining.subarray(0, defining.length - 1))).toThrow(CodecError);
    expect(rx2.sourceCount).toBe(0);
  });
});

describe('hello and bye keep their layout across versions', () => {
  it('a hello of a later version decodes (with trailing extension bytes) and reports its version', () => {
    const codec = createCodec();
    const later = PROTOCOL_VERSION + 1;
    const hello: Frame = {
      type: 'hello',
      version: later,
      room: 'r',
      fps: 50,
      peerId: 'p',
      capabilities: 3,
      appId: '',
    };
    const bytes = codec.encoder().encode(hello);
    expect(bytes[0]).toBe(later);
    const extended = new Uint8Array([...bytes, 0xde, 0xad]);
    expect(codec.decoder().decode(extended)).toStrictEqual(hello);
    // An earlier version's hello decodes too (so the peer can say why it refuses it).
    const v1 = codec.encoder().encode({ ...hello, version: 1 });
    expect(codec.decoder().decode(v1)).toStrictEqual({ ...hello, version: 1 });
    // In this version and earlier ones the same trailing bytes are an error.
    for (const version of [1, PROTOCOL_VERSION]) {
      const same = codec.encoder().encode({ ...hello, version });
      expect(() => codec.decoder().decode(new Uint8Array([...same, 0]))).toThrow(
        expect.objectContaining({ code: 'TRAILING_BYTES' }),
      );
    }
  });

  it('any other frame of another version is BAD_VERSION', () => {
    const codec = createCodec();
    const bytes = codec.encoder().encode({ type: 'sync', time: 1, tick: 2 });
    for (const version of [1, PROTOCOL_VERSION + 1]) {
      bytes[0] = version;
      expect(() => codec.decoder().decode(bytes)).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));
    }
  });
});

describe('frontier prints', () => {
  it('travel after the entries, and a frame without them keeps its bytes', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    const entries = [{ source: 'ana', seq: 3 }];
    const bare = tx.encode({ type: 'frontier', entries });
    const prints = [
      { tick: 1_200, count: 41, digest: 2 ** 48 - 1 },
      { tick: 1_400, count: 57, digest: 12_345 },
    ];
    const printed = tx.encode({ type: 'frontier', entries, prints });
    expect(printed.length).toBeGreaterThan(bare.length);
    expect(rx.decode(bare)).toEqual({ type: 'frontier', entries });
    expect(rx.decode(printed)).toEqual({ type: 'frontier', entries, prints });
  });

  it('refuses more than MAX_FRONTIER_PRINTS prints and a digest of 2^48 or more', () => {
    const tx = createCodec({ payload: rectangleKeyCodec }).encoder();
    const p = { tick: 1, count: 1, digest: 1 };
    const many = Array.from({ length: MAX_FRONTIER_PRINTS + 1 }, () => p);
    expect(() => tx.encode({ type: 'frontier', entries: [], prints: many })).toThrow(CodecError);
    expect(() => tx.encode({ type: 'prints', prints: many })).toThrow(CodecError);
    expect(() => tx.encode({ type: 'prints', prints: [] })).toThrow(CodecError);
    expect(() => tx.encode({ type: 'frontier', entries: [], prints: [{ ...p, digest: 2 ** 48 }] })).toThrow(
      CodecError,
    );
    expect(() => tx.encode({ type: 'prints', prints: [{ ...p, digest: 2 ** 48 }] })).toThrow(CodecError);
  });

  it('a prints frame carries the newest prints alone', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const prints = Array.from({ length: MAX_FRONTIER_PRINTS }, (_, i) => ({
      tick: 100 * (i + 1),
      count: i * 3,
      digest: (i * 7_919) % 2 ** 48,
    }));
    const bytes = codec.encoder().encode({ type: 'prints', prints });
    expect(codec.decoder().decode(bytes)).toEqual({ type: 'prints', prints });
    // Version, type, count, then three varints per print.
    expect(
      codec.decoder().decode(codec.encoder().encode({ type: 'prints', prints: prints.slice(0, 1) })),
    ).toEqual({
      type: 'prints',
      prints: prints.slice(0, 1),
    });
  });
});
