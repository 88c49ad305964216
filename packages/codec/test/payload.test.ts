import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesPayloadCodec,
  CodecError,
  createCodec,
  createMsgpackPayloadCodec,
  msgpackPayloadCodec,
  rectangleKeyCodec,
} from '../src/index.js';
import { jsonPayload, unhex } from './arbitraries.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof CodecError ? err.code : `not a CodecError: ${String(err)}`;
  }
  return undefined;
};

const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);

describe('msgpack payload codec', () => {
  it('round-trips JSON values', () => {
    fc.assert(
      fc.property(jsonPayload, (v) => {
        expect(msgpackPayloadCodec.decode(msgpackPayloadCodec.encode(v))).toStrictEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('copies binary values out of the input buffer', () => {
    const bytes = msgpackPayloadCodec.encode({ blob: new Uint8Array([1, 2, 3]) });
    const value = msgpackPayloadCodec.decode(bytes) as { blob: Uint8Array };
    bytes.fill(0);
    expect(value.blob).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('bounds nesting depth in both directions', () => {
    const codec = createMsgpackPayloadCodec({ maxDepth: 8 });
    expect(codec.decode(codec.encode(nest(8)))).toStrictEqual(nest(8));
    expect(codeOf(() => codec.encode(nest(9)))).toBe('BAD_PAYLOAD');
    expect(codeOf(() => codec.decode(msgpackPayloadCodec.encode(nest(9))))).toBe('BAD_PAYLOAD');
  });

  it('rejects __proto__ keys, extension types and non-plain objects', () => {
    expect(codeOf(() => msgpackPayloadCodec.decode(unhex('81 a9 5f5f70726f746f5f5f 01')))).toBe(
      'BAD_PAYLOAD',
    );
    expect(codeOf(() => msgpackPayloadCodec.encode(JSON.parse('{"__proto__": 1}')))).toBe('BAD_PAYLOAD');
    expect(codeOf(() => msgpackPayloadCodec.decode(unhex('d4 05 00')))).toBe('BAD_PAYLOAD'); // ext type 5
    expect(codeOf(() => msgpackPayloadCodec.encode(new Map()))).toBe('BAD_PAYLOAD');
    expect(codeOf(() => msgpackPayloadCodec.encode(10n))).toBe('BAD_PAYLOAD');
    expect(codeOf(() => msgpackPayloadCodec.decode(unhex('92 01')))).toBe('BAD_PAYLOAD'); // truncated
    expect(codeOf(() => msgpackPayloadCodec.decode(unhex('01 02')))).toBe('BAD_PAYLOAD'); // extra bytes
    expect(codeOf(() => msgpackPayloadCodec.decode(unhex('dd ffffffff')))).toBe('BAD_PAYLOAD'); // huge array
  });
});

describe('msgpack payload codec: one encoding per value', () => {
  it('accepts what encode gives, and nothing else for the same value', () => {
    fc.assert(
      fc.property(jsonPayload, (v) => {
        const bytes = msgpackPayloadCodec.encode(v);
        expect(msgpackPayloadCodec.encode(msgpackPayloadCodec.decode(bytes))).toStrictEqual(bytes);
      }),
      { numRuns: 500 },
    );
    const refused = [
      'ca 3f800000', // 1 as a float32 (encode gives 01)
      'cb 3ff0000000000000', // 1 as a float64
      'cd 0001', // 1 as a uint16
      'd9 01 61', // "a" in a str8 header (encode gives a1 61)
      'a1 80', // a string whose byte is not UTF-8 (decodes to U+FFFD, 3 bytes again)
      '82 a1 61 01 a1 61 02', // the key "a" twice
      'cb 8000000000000000', // -0 (encode gives 00)
    ];
    for (const hex of refused)
      expect(codeOf(() => msgpackPayloadCodec.decode(unhex(hex)))).toBe('BAD_PAYLOAD');
    expect(msgpackPayloadCodec.decode(unhex('01'))).toBe(1);
    expect(msgpackPayloadCodec.decode(unhex('a1 61'))).toBe('a');
  });

  it('a payload read within the limit encodes again within it: an events frame of one that would grow is refused', () => {
    // 200 bytes that are not UTF-8 in a str8: 202 bytes on the wire, 403 if encoded again.
    const grows = new Uint8Array(202);
    grows[0] = 0xd9;
    grows[1] = 200;
    grows.fill(0x80, 2);
    expect(codeOf(() => msgpackPayloadCodec.decode(grows))).toBe('BAD_PAYLOAD');
    const codec = createCodec({ limits: { maxPayloadBytes: 256 } });
    const sender = codec.encoder();
    const frame = sender.encode({
      type: 'events',
      events: [{ source: 'p', seq: 1, tick: 5, payload: 'x'.repeat(200) }],
    });
    // Swap the honest payload's bytes (str8, 200 x) for the ones that would grow.
    const at = frame.length - 202;
    expect([frame[at], frame[at + 1]]).toEqual([0xd9, 200]);
    frame.set(grows, at);
    expect(codeOf(() => codec.decoder().decode(frame))).toBe('BAD_PAYLOAD');
  });
});

describe('rectangle key codec', () => {
  it('one byte per key 0..4, nothing else', () => {
    for (let k = 0; k <= 4; k++) {
      expect(rectangleKeyCodec.encode(k)).toStrictEqual(new Uint8Array([k]));
      expect(rectangleKeyCodec.decode(new Uint8Array([k]))).toBe(k);
    }
    for (const bad of [-1, 5, 1.5, Number.NaN])
      expect(codeOf(() => rectangleKeyCodec.encode(bad))).toBe('BAD_PAYLOAD');
    for (const bad of [[], [5], [1, 1]]) {
      expect(codeOf(() => rectangleKeyCodec.decode(new Uint8Array(bad)))).toBe('BAD_PAYLOAD');
    }
  });
});

describe('custom payload codecs', () => {
  it('bytes codec copies', () => {
    const input = new Uint8Array([1, 2]);
    const encoded = bytesPayloadCodec.encode(input);
    input[0] = 9;
    expect(bytesPayloadCodec.decode(encoded)).toStrictEqual(new Uint8Array([1, 2]));
  });

  it('any exception from a user codec becomes BAD_PAYLOAD with the cause kept', () => {
    const boom = new TypeError('boom');
    const codec = createCodec<string>({
      payload: {
        encode: (s) => {
          if (s === 'bad') throw boom;
          return new Uint8Array([s.length]);
        },
        decode: () => {
          throw boom;
        },
      },
    });
    const frame = { type: 'events' as const, events: [{ source: 'a', seq: 1, tick: 0, payload: 'bad' }] };
    try {
      codec.encoder().encode(frame);
      expect.unreachable();
    } catch (err) {
      expect((err as CodecError).code).toBe('BAD_PAYLOAD');
      expect((err as CodecError).cause).toBe(boom);
    }
    const bytes = codec.encoder().encode({ ...frame, events: [{ ...frame.events[0]!, payload: 'ok' }] });
    try {
      codec.decoder().decode(bytes);
      expect.unreachable();
    } catch (err) {
      expect((err as CodecError).code).toBe('BAD_PAYLOAD');
      expect((err as CodecError).cause).toBe(boom);
    }
  });
});
