import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/index.js';
import { bytesPayloadCodec, createCodec, lengthPrefix, rectangleKeyCodec } from '../src/index.js';
import { hex, unhex } from './arbitraries.js';

/**
 * Golden vectors pinning the wire format (version 3) byte by byte (derived by hand from PROTOCOL.md).
 * Each sequence runs through ONE fresh encoder and ONE fresh decoder, so interning state carries
 * from one vector to the next exactly as on a link. Changing any of these bytes is a protocol
 * change: see the versioning rule in PROTOCOL.md.
 */
interface Vector<E> {
  name: string;
  frame: Frame<E>;
  hex: string;
}

function check<E>(codec: ReturnType<typeof createCodec<E>>, vectors: Vector<E>[]): void {
  const tx = codec.encoder();
  const rx = codec.decoder();
  for (const v of vectors) {
    const bytes = tx.encode(v.frame);
    expect(hex(bytes), v.name).toBe(v.hex.replace(/\s+/g, ''));
    expect(rx.decode(unhex(v.hex)), v.name).toStrictEqual(v.frame);
  }
}

describe('golden vectors, default (msgpack) payloads', () => {
  it('every frame type', () => {
    check(createCodec(), [
      {
        name: 'hello',
        frame: {
          type: 'hello',
          version: 1,
          room: 'room',
          fps: 50,
          peerId: 'alice',
          capabilities: 5,
          appId: 'app',
        },
        // ver type | room: len 4 "room" | fps 50 | peerId: len 5 "alice" | caps 5 | appId: len 3 "app"
        hex: '01 01  04 726f6f6d  32  05 616c696365  05  03 617070',
      },
      {
        name: 'frontier (defines alice=0, bob=1)',
        frame: {
          type: 'frontier',
          entries: [
            { source: 'alice', seq: 42 },
            { source: 'bob', seq: 0 },
          ],
        },
        // count 2 | ref 0x0b = literal of 5 bytes (5*2+1) "alice", seq 42 | ref 0x07 "bob", seq 0 | no seqs past a hole
        hex: '05 02  02  0b 616c696365 2a 00  07 626f62 00 00',
      },
      {
        name: 'frontier with seqs held past holes (bob 3, then 5..7 and 10)',
        frame: { type: 'frontier', entries: [{ source: 'bob', seq: 3, above: [5, 7, 10, 10] }] },
        // count 1 | ref index 1 (bob) | seq 3 | 2 pairs: from 3+2+0 = 5, length 2 | from 7+2+1 = 10, length 0
        hex: '05 02  01  02 03 02  00 02  01 00',
      },
      {
        name: 'events (msgpack payload {k:"up"}, alice by index 0)',
        frame: { type: 'events', events: [{ source: 'alice', seq: 1, tick: 0, payload: { k: 'up' } }] },
        // count 1 | header 0x71: source follows, payload length 6 inline ((6+1)<<4) | ref 0x00 = index 0
        // | seq 1 | tick 0 | msgpack fixmap{ "k": "up" }
        hex: '05 03  01  71 00 01 00  81a16ba27570',
      },
      {
        name: 'events (a re-stamp: alice 9 carries the action of alice 4 again)',
        frame: { type: 'events', events: [{ source: 'alice', seq: 9, tick: 300, payload: 1, restamps: 4 }] },
        // count 1 | header 0x29: payload length 1 inline ((1+1)<<4), re-stamp 0x08, source 0x01
        // | ref 0x00 = index 0 | seq 9 | tick 300 | 9 - 4 = 5 | msgpack 1
        hex: '05 03  01  29 00 09 ac02 05  01',
      },
      {
        name: 'request (bob 5..9)',
        frame: { type: 'request', ranges: [{ source: 'bob', fromSeq: 5, toSeq: 9 }] },
        // count 1 | ref index 1 | from 5 | span 4
        hex: '05 04  01  02 05 04',
      },
      {
        name: 'sync without echo',
        frame: { type: 'sync', time: 1000.5, tick: 50.25 },
        // flags 0 | time f64le 1000.5 | tick f64le 50.25
        hex: '05 05  00  0000000000448f40  0000000000204940',
      },
      {
        name: 'sync with echo',
        frame: { type: 'sync', time: 1000.5, tick: 50.25, echo: { time: 990, holdMs: 1.5 } },
        hex: '05 05  01  0000000000448f40  0000000000204940  0000000000f08e40  000000000000f83f',
      },
      {
        name: 'hash',
        frame: {
          type: 'hash',
          reports: [
            { tick: 1000, hash: '0123456789abcdef' },
            { tick: 1050, hash: 'fedcba9876543210' },
          ],
        },
        // count 2 | tick 1000 = e8 07 | 8 raw bytes | tick delta +50 zigzag 100 = 0x64 | 8 raw bytes
        hex: '05 06  02  e807 0123456789abcdef  64 fedcba9876543210',
      },
      {
        name: 'presence (carol defined = 2)',
        frame: { type: 'presence', source: 'carol', seq: 3, hops: 2, data: { x: 1 } },
        // ref 0x0b "carol" | seq 3 | hops 2 | data: len 4, msgpack {x:1}
        hex: '05 07  0b 6361726f6c  03  02  04 81a17801',
      },
      { name: 'snapshot-request', frame: { type: 'snapshot-request' }, hex: '05 08' },
      {
        name: 'snapshot chunk',
        frame: { type: 'snapshot', tick: 500, index: 1, count: 3, data: new Uint8Array([1, 2, 3]) },
        // tick 500 = f4 03 | index 1 | count 3 | data: len 3, 01 02 03
        hex: '05 09  f403 01 03  03 010203',
      },
      {
        name: 'bye',
        frame: { type: 'bye', reason: 'bye' },
        hex: '05 0a  03 627965',
      },
    ]);
  });
});

describe('golden vectors, rectangle keys (one byte payload)', () => {
  it('batch with same-source, next-seq, negative tick delta and a signature; then by index', () => {
    check(createCodec({ payload: rectangleKeyCodec }), [
      {
        name: 'three events',
        frame: {
          type: 'events',
          events: [
            { source: 'alice', seq: 1, tick: 300, payload: 2 },
            { source: 'alice', seq: 2, tick: 305, payload: 4 },
            { source: 'bob', seq: 7, tick: 303, payload: 0, signature: new Uint8Array([0xaa, 0xbb]) },
          ],
        },
        // count 3
        // ev1: hdr 0x21 (source follows | len 1 inline) ref "alice" seq 1 tick 300 = ac 02, key 02
        // ev2: hdr 0x22 (same source | next seq | len 1) tick +5 -> zigzag 0a, key 04
        // ev3: hdr 0x25 (source follows | signed | len 1) ref "bob" seq 7 tick -2 -> zigzag 03, key 00,
        //      signature len 2 aa bb
        hex: '05 03 03  21 0b616c696365 01 ac02 02  22 0a 04  25 07626f62 07 03 00 02aabb',
      },
      {
        name: 'single event, source by index: 9 bytes',
        frame: { type: 'events', events: [{ source: 'alice', seq: 3, tick: 310, payload: 1 }] },
        hex: '05 03 01  21 00 03 b602 01',
      },
    ]);
  });
});

describe('golden vectors, raw byte payloads', () => {
  it('payload of 14 bytes is inline, 15 bytes has a varint length', () => {
    const p14 = new Uint8Array(14).fill(0xee);
    const p15 = new Uint8Array(15).fill(0xff);
    check(createCodec({ payload: bytesPayloadCodec }), [
      {
        name: 'inline 14',
        frame: { type: 'events', events: [{ source: 'a', seq: 1, tick: 1, payload: p14 }] },
        // hdr 0xf1: high nibble 15 = 14+1
        hex: `05 03 01  f1 03 61 01 01 ${'ee'.repeat(14)}`,
      },
      {
        name: 'long 15',
        frame: { type: 'events', events: [{ source: 'a', seq: 2, tick: 1, payload: p15 }] },
        // hdr 0x01: high nibble 0 = varint length follows (0x0f)
        hex: `05 03 01  01 00 02 01 0f ${'ff'.repeat(15)}`,
      },
    ]);
  });
});

describe('golden vectors, length prefix', () => {
  it('one-byte and two-byte length headers', () => {
    expect(hex(lengthPrefix(unhex('0108')))).toBe('020108');
    const big = new Uint8Array(200).fill(7);
    expect(hex(lengthPrefix(big).subarray(0, 3))).toBe('c80107');
    expect(lengthPrefix(big).length).toBe(202);
  });
});
