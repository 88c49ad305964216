import { describe, expect, it } from 'vitest';
import type { CodecErrorCode } from '../src/index.js';
import {
  bytesPayloadCodec,
  CodecError,
  createCodec,
  DEFAULT_LIMITS,
  isCodecError,
  MAX_WIRE_INTEGER,
  rectangleKeyCodec,
} from '../src/index.js';
import { unhex } from './arbitraries.js';

/** The code of the CodecError `fn` throws (fails the test if it throws anything else or nothing). */
function codeOf(fn: () => unknown): CodecErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
  throw new Error('expected a CodecError, nothing was thrown');
}

const rect = createCodec({ payload: rectangleKeyCodec });
const dec = (hexString: string, codec: { decoder(): { decode(b: Uint8Array): unknown } } = rect) =>
  codeOf(() => codec.decoder().decode(unhex(hexString)));

describe('decoder rejects malformed input with the right code', () => {
  it('envelope', () => {
    expect(dec('')).toBe('TRUNCATED');
    expect(dec('05')).toBe('TRUNCATED');
    expect(dec('0008')).toBe('BAD_VERSION');
    expect(dec('0108')).toBe('BAD_VERSION'); // a version-1 frame
    expect(dec('0208')).toBe('BAD_VERSION'); // a version-2 frame
    expect(dec('0308')).toBe('BAD_VERSION'); // a version-3 frame
    expect(dec('0408')).toBe('BAD_VERSION'); // a version-4 frame
    expect(dec('0608')).toBe('BAD_VERSION'); // a later version
    expect(dec('0500')).toBe('UNKNOWN_TYPE');
    expect(dec('050f')).toBe('UNKNOWN_TYPE');
    expect(dec('050800')).toBe('TRAILING_BYTES');
    expect(codeOf(() => rect.decoder().decode('0108' as unknown as Uint8Array))).toBe('BAD_FRAME');
    const small = createCodec({ limits: { maxFrameBytes: 4 } });
    expect(dec('050a03627965', small)).toBe('TOO_LARGE');
  });

  it('authentication frames: nonce length, empty signature, evidence of two different events', () => {
    // challenge with a 15-byte nonce (16..64 required)
    expect(dec(`050b0f${'00'.repeat(15)}`)).toBe('OUT_OF_RANGE');
    expect(dec(`050b41${'00'.repeat(65)}`)).toBe('TOO_LARGE');
    // auth with an empty signature
    expect(dec('050c0000')).toBe('OUT_OF_RANGE');
    const enc = rect.encoder();
    const ev = { source: 'a~1', seq: 1, tick: 5, payload: 0, signature: new Uint8Array(64) };
    expect(codeOf(() => enc.encode({ type: 'evidence', events: [ev, { ...ev, seq: 2 }] }))).toBe('BAD_FRAME');
    expect(codeOf(() => enc.encode({ type: 'challenge', nonce: new Uint8Array(8) }))).toBe('OUT_OF_RANGE');
  });

  it('UNKNOWN_TYPE and BAD_PAYLOAD are not fatal, the rest are', () => {
    const fatal = (hexString: string) => {
      try {
        rect.decoder().decode(unhex(hexString));
      } catch (err) {
        return (err as CodecError).fatal;
      }
      return undefined;
    };
    expect(fatal('0520')).toBe(false);
    expect(fatal('0503 01 21 0361 01 01 07')).toBe(false); // key 7 is not a rectangle key
    expect(fatal('0503')).toBe(true);
    expect(isCodecError(new CodecError('BAD_FLAGS', 'x'), 'BAD_FLAGS')).toBe(true);
    expect(isCodecError(new Error('x'))).toBe(false);
  });

  it('varints', () => {
    expect(dec('0503 8000')).toBe('BAD_VARINT'); // overlong zero
    expect(dec('0503 ffffffffffffffff01')).toBe('BAD_VARINT'); // 9 bytes
    expect(dec('0503 8080808080808010')).toBe('BAD_VARINT'); // 2^53
    expect(dec('0503 ff')).toBe('TRUNCATED');
    // tick = 2^52 (8-byte varint 80 80 80 80 80 80 80 08) is above MAX_WIRE_INTEGER
    expect(dec('0503 01 21 0361 01 8080808080808008 01')).toBe('OUT_OF_RANGE');
  });

  it('counts are checked against the limit and the bytes left before anything is allocated', () => {
    expect(dec('0503 812001')).toBe('TOO_LARGE'); // 4097 events > maxBatchEvents
    expect(dec('0503 e807 2101610101')).toBe('TRUNCATED'); // 1000 events in 5 bytes
    expect(dec('0502 ffffffff0f')).toBe('TOO_LARGE'); // 2^32-1 frontier entries
    expect(dec('0506 0a 00 0001020304050607')).toBe('TRUNCATED'); // 10 hash reports in 9 bytes
    const huge = createCodec({ limits: { maxSnapshotChunkBytes: 2 ** 40 } });
    expect(dec('0509 00 00 01 ffffffffff1f', huge)).toBe('TRUNCATED'); // 2^40 bytes declared, none sent
  });

  it('events', () => {
    expect(dec('0503 01 29 0361 01 01 01 02')).toBe('OUT_OF_RANGE'); // re-stamp of seq 0 (1 - 1)
    expect(dec('0503 01 29 0361 03 01 00 02')).toBe('OUT_OF_RANGE'); // re-stamp of itself (3 - 0)
    expect(dec('0503 01 20 01 01 02')).toBe('UNKNOWN_SOURCE'); // first event without a source
    expect(dec('0503 01 23 07616263 01 02')).toBe('BAD_FLAGS'); // next-seq with no earlier event
    expect(dec('0503 01 21 07616263 00 01 02')).toBe('OUT_OF_RANGE'); // seq 0
    expect(dec('0503 01 21 02 01 01 02')).toBe('UNKNOWN_SOURCE'); // index 1 never defined
    expect(dec('0503 01 21 01 01 01 02')).toBe('BAD_STRING'); // empty id
    expect(dec('0503 01 21 07 61ff63 01 01 02')).toBe('BAD_STRING'); // invalid UTF-8
    expect(dec('0503 01 21 07 eda080 01 01 02')).toBe('BAD_STRING'); // encoded surrogate
    expect(dec(`0503 01 21 8302 ${'61'.repeat(129)} 01 01 02`)).toBe('TOO_LARGE'); // 129-byte id
    // second event's tick delta -3 from tick 1 is negative
    expect(dec('0503 02 21 07616263 01 01 02 20 02 05 02')).toBe('OUT_OF_RANGE');
    expect(dec(`0503 01 01 07616263 01 01 818004`)).toBe('TOO_LARGE'); // payload 65537 > limit
    expect(dec(`0503 01 25 07616263 01 01 02 8101 ${'00'.repeat(129)}`)).toBe('TOO_LARGE'); // signature
    expect(dec('0503 01 21 07616263 01 01')).toBe('TRUNCATED'); // payload missing
    expect(dec('0503 01 21 07616263 01 01 05')).toBe('BAD_PAYLOAD'); // key 5
    expect(dec('0503 01 31 07616263 01 01 0202')).toBe('BAD_PAYLOAD'); // two-byte key
    expect(dec('0503 01 71 07616263 01 01 c1c1c1c1c1c1', createCodec())).toBe('BAD_PAYLOAD'); // msgpack 0xc1
  });

  it('frontier, request, hash', () => {
    expect(dec('0502 02 07616263 01 00 00 02')).toBe('DUPLICATE');
    expect(dec('0502 01 07616263 01 41')).toBe('TOO_LARGE'); // 65 pairs past holes > maxFrontierRanges
    expect(dec('0502 01 07616263 01 01 ffffffffffffff07 00')).toBe('OUT_OF_RANGE'); // from beyond 2^52
    expect(dec('0502 01 07616263 01 02 00 00')).toBe('TRUNCATED'); // second pair missing
    expect(dec('0504 01 07616263 00 00')).toBe('OUT_OF_RANGE'); // fromSeq 0
    expect(dec('0504 01 07616263 ffffffffffffff07 01')).toBe('OUT_OF_RANGE'); // from 2^52-1 + 1
    expect(dec('0506 02 05 0001020304050607 0b 0001020304050607')).toBe('OUT_OF_RANGE'); // tick 5 - 6
  });

  it('sync', () => {
    expect(dec(`0505 02 ${'00'.repeat(16)}`)).toBe('BAD_FLAGS');
    expect(dec(`0505 00 000000000000f87f ${'00'.repeat(8)}`)).toBe('OUT_OF_RANGE'); // NaN time
    expect(dec(`0505 00 ${'00'.repeat(8)} 000000000000f0ff`)).toBe('OUT_OF_RANGE'); // -Infinity tick
    expect(dec(`0505 00 ${'00'.repeat(8)} 000000000000f0bf`)).toBe('OUT_OF_RANGE'); // tick -1
    expect(dec(`0505 01 ${'00'.repeat(24)} 000000000000f0bf`)).toBe('OUT_OF_RANGE'); // holdMs -1
    expect(dec(`0505 01 ${'00'.repeat(20)}`)).toBe('TRUNCATED');
  });

  it('presence, snapshot, hello, bye', () => {
    expect(dec('0507 07616263 01 8002 01c0', createCodec())).toBe('OUT_OF_RANGE'); // hops 256
    expect(dec('0507 07616263 01 01 01c1', createCodec())).toBe('BAD_PAYLOAD');
    expect(dec('0507 07616263 01 01 01c7', createCodec())).toBe('BAD_PAYLOAD'); // truncated msgpack
    expect(dec('0507 07616263 01 01 06d6ff00000000', createCodec())).toBe('BAD_PAYLOAD'); // Date ext
    expect(dec('0509 00 03 03 00')).toBe('OUT_OF_RANGE'); // index 3 of 3
    expect(dec('0509 00 00 00 00')).toBe('OUT_OF_RANGE'); // count 0
    expect(dec('0509 00 00 01 8080808001')).toBe('TOO_LARGE'); // 2^28 bytes > chunk limit
    expect(dec('0501 00 00 0161 00 00')).toBe('OUT_OF_RANGE'); // fps 0
    expect(dec('0501 00 32 00 00 00')).toBe('BAD_STRING'); // empty peer id
    expect(dec('0501 00 32 0161 8080808010 00')).toBe('OUT_OF_RANGE'); // capabilities 2^32
    expect(dec(`050a 8102 ${'61'.repeat(257)}`)).toBe('TOO_LARGE'); // reason > 256 bytes
  });
});

describe('encoder refuses frames the decoder would reject', () => {
  const enc = (frame: unknown, codec: { encoder(): { encode(f: never): Uint8Array } } = rect) =>
    codeOf(() => codec.encoder().encode(frame as never));
  const ev = (e: object) => ({
    type: 'events',
    events: [{ source: 'a', seq: 1, tick: 1, payload: 1, ...e }],
  });

  it('numbers, strings, payloads, limits', () => {
    expect(enc({ type: 'nope' })).toBe('BAD_FRAME');
    expect(enc(null)).toBe('BAD_FRAME');
    expect(enc(ev({ seq: 0 }))).toBe('OUT_OF_RANGE');
    const frontier = (above: number[]) => ({ type: 'frontier', entries: [{ source: 'abc', seq: 3, above }] });
    expect(enc(frontier([4, 6]))).toBe('OUT_OF_RANGE'); // no hole before 4
    expect(enc(frontier([5, 4]))).toBe('OUT_OF_RANGE'); // to before from
    expect(enc(frontier([5, 7, 8, 9]))).toBe('OUT_OF_RANGE'); // no hole before 8
    expect(enc(frontier([5]))).toBe('OUT_OF_RANGE'); // half a pair
    expect(enc(ev({ tick: 1.5 }))).toBe('OUT_OF_RANGE');
    expect(enc(ev({ tick: MAX_WIRE_INTEGER + 1 }))).toBe('OUT_OF_RANGE');
    expect(enc(ev({ source: '' }))).toBe('BAD_STRING');
    expect(enc(ev({ source: 'a\ud800b' }))).toBe('BAD_STRING');
    expect(enc(ev({ source: 'x'.repeat(129) }))).toBe('TOO_LARGE');
    expect(enc(ev({ payload: 5 }))).toBe('BAD_PAYLOAD');
    expect(enc(ev({ signature: new Uint8Array(129) }))).toBe('TOO_LARGE');
    expect(enc(ev({ payload: () => 1 }), createCodec())).toBe('BAD_PAYLOAD');
    expect(enc(ev({ payload: new Date() }), createCodec())).toBe('BAD_PAYLOAD');
    expect(enc(ev({ payload: new Uint8Array(70_000) }), createCodec({ payload: bytesPayloadCodec }))).toBe(
      'TOO_LARGE',
    );
    const events = Array.from({ length: DEFAULT_LIMITS.maxBatchEvents + 1 }, (_, i) => ({
      source: 'a',
      seq: i + 1,
      tick: 1,
      payload: 1,
    }));
    expect(enc({ type: 'events', events })).toBe('TOO_LARGE');
    const small = createCodec({ payload: bytesPayloadCodec, limits: { maxFrameBytes: 100 } });
    expect(enc(ev({ payload: new Uint8Array(100) }), small)).toBe('TOO_LARGE');
    expect(
      enc({
        type: 'frontier',
        entries: [
          { source: 'a', seq: 1 },
          { source: 'a', seq: 2 },
        ],
      }),
    ).toBe('DUPLICATE');
    expect(enc({ type: 'request', ranges: [{ source: 'a', fromSeq: 5, toSeq: 4 }] })).toBe('OUT_OF_RANGE');
    expect(enc({ type: 'sync', time: Number.NaN, tick: 0 })).toBe('OUT_OF_RANGE');
    expect(enc({ type: 'sync', time: 0, tick: 0, echo: { time: 0, holdMs: -1 } })).toBe('OUT_OF_RANGE');
    expect(enc({ type: 'hash', reports: [{ tick: 1, hash: 'ABCDEF0123456789' }] })).toBe('OUT_OF_RANGE');
    expect(enc({ type: 'snapshot', tick: 1, index: 2, count: 2, data: new Uint8Array(1) })).toBe(
      'OUT_OF_RANGE',
    );
    expect(enc({ type: 'presence', source: 'a', seq: 1, hops: 256, data: null })).toBe('OUT_OF_RANGE');
    expect(
      enc({ type: 'hello', version: 1, room: '', fps: 0, peerId: 'p', capabilities: 0, appId: '' }),
    ).toBe('OUT_OF_RANGE');
    expect(enc({ type: 'bye', reason: 'x'.repeat(257) })).toBe('TOO_LARGE');
  });

  it('limits must be sane', () => {
    expect(codeOf(() => createCodec({ limits: { maxFrameBytes: -1 } }))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => createCodec({ limits: { maxIdLength: 1.5 } }))).toBe('OUT_OF_RANGE');
  });
});
