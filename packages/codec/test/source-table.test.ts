import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../src/decoder.js';
import { Encoder } from '../src/encoder.js';
import { IdRegistry } from '../src/id-registry.js';
import type { Frame, WireEvent } from '../src/index.js';
import {
  CodecError,
  createCodec,
  DEFAULT_LIMITS,
  isCodecError,
  msgpackPayloadCodec,
  PROTOCOL_VERSION,
  rectangleKeyCodec,
  SOURCE_TABLE_SIZE,
} from '../src/index.js';
import { SourceTable } from '../src/source-table.js';
import { hex } from './arbitraries.js';

/** An encoder/decoder pair over tables of `capacity` entries (their ids in `registry`). */
function smallLink(capacity: number, registry = new IdRegistry()) {
  const txTable = new SourceTable(true, capacity, registry);
  const rxTable = new SourceTable(false, capacity, registry);
  const tx = new Encoder<number>(DEFAULT_LIMITS, rectangleKeyCodec, msgpackPayloadCodec, txTable);
  const rx = new Decoder<number>(DEFAULT_LIMITS, rectangleKeyCodec, msgpackPayloadCodec, rxTable);
  return { tx, rx, txTable, rxTable };
}

const ev = (source: string, seq: number, tick: number, payload = 1): WireEvent<number> => ({
  source,
  seq,
  tick,
  payload,
});

/** Frames naming sources from a pool of `pool` ids (events, frontier, request, presence). */
function framesArb(pool: number): fc.Arbitrary<{ frame: Frame<number>; bad: boolean }[]> {
  const source = fc.integer({ min: 0, max: pool - 1 }).map((i) => `peer-${i}`);
  const events = fc
    .array(fc.record({ source, seq: fc.integer({ min: 1, max: 9 }), tick: fc.nat(1000) }), {
      minLength: 1,
      maxLength: 12,
      size: 'max',
    })
    .map((es): Frame<number> => ({ type: 'events', events: es.map((e) => ev(e.source, e.seq, e.tick)) }));
  const frontier = fc
    .uniqueArray(source, { minLength: 1, maxLength: 6, size: 'max' })
    .map((ss): Frame<number> => ({ type: 'frontier', entries: ss.map((s) => ({ source: s, seq: 3 })) }));
  const request = fc.array(source, { minLength: 1, maxLength: 4 }).map(
    (ss): Frame<number> => ({
      type: 'request',
      ranges: ss.map((s) => ({ source: s, fromSeq: 1, toSeq: 2 })),
    }),
  );
  const presence = source.map(
    (s): Frame<number> => ({ type: 'presence', source: s, seq: 1, hops: 0, data: null }),
  );
  return fc.array(
    fc.record({ frame: fc.oneof(events, events, frontier, request, presence), bad: fc.boolean() }),
    { maxLength: 40, size: 'max' },
  );
}

describe('the peer-id table (least recently used entry evicted)', () => {
  it('a definition into a full table takes the least recently used index', () => {
    const t = new SourceTable(true, 4);
    t.begin();
    for (const id of ['a', 'b', 'c', 'd']) t.define(id);
    expect(t.lookup('a')).toBe(0); // a is now the most recently used
    t.define('e'); // b (index 1) is the least recently used
    expect(t.ids).toEqual(['a', 'e', 'c', 'd']);
    expect(t.recency()).toEqual(['e', 'a', 'd', 'c']);
    expect(t.lookup('b')).toBe(-1);
    expect(t.at(2)).toBe('c');
    expect(t.recency()).toEqual(['c', 'e', 'a', 'd']);
    expect(t.at(4)).toBeUndefined();
  });

  it('golden bytes of the rule (a table of 2 entries; the rule is the same at any size)', () => {
    const { tx, rx } = smallLink(2);
    const steps: [string, string][] = [
      ['a', '05 02 01 03 61 01 00'], // a defined: index 0
      ['b', '05 02 01 03 62 01 00'], // b defined: index 1
      ['a', '05 02 01 00 01 00'], // a by index 0 (now b is the least recently used)
      ['c', '05 02 01 03 63 01 00'], // c defined: takes b's index 1
      ['c', '05 02 01 02 01 00'], // c by index 1
      ['b', '05 02 01 03 62 01 00'], // b defined again: takes a's index 0
      ['b', '05 02 01 00 01 00'], // b by index 0
    ];
    for (const [source, bytes] of steps) {
      const frame: Frame<number> = { type: 'frontier', entries: [{ source, seq: 1 }] };
      const encoded = tx.encode(frame);
      expect(hex(encoded), source).toBe(bytes.replace(/\s+/g, ''));
      expect(rx.decode(encoded)).toStrictEqual(frame);
    }
  });

  it('rollback undoes references, definitions and evictions exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 20, size: 'max' }),
        (setup, frame) => {
          const t = new SourceTable(true, 5);
          const use = (i: number) => {
            if (t.lookup(`s${i}`) < 0) t.define(`s${i}`);
          };
          t.begin();
          for (const i of setup) use(i);
          const ids = [...t.ids];
          const recency = t.recency();
          t.begin();
          for (const i of frame) use(i);
          t.rollback();
          expect(t.ids).toEqual(ids);
          expect(t.recency()).toEqual(recency);
          for (const [i, id] of ids.entries()) expect(t.lookup(id)).toBe(i);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows a plain model of the rule through growth, big frames, renumbered stamps and rollbacks (fuzzed)', () => {
    // Frames of up to 120 references or definitions over 150 ids into tables of up to 100
    // entries: the entries grow (from 32, by half) and journals run past what is kept.
    const frameArb = fc.record({
      uses: fc.array(fc.integer({ min: 0, max: 149 }), { maxLength: 120, size: 'max' }),
      undo: fc.boolean(),
    });
    // Stamps renumbered from every frame to never (the limit of a real table is 2^30).
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(frameArb, { maxLength: 12, size: 'max' }),
        fc.integer({ min: 1, max: 400 }),
        (capacity, frames, stampLimit) => {
          const t = new SourceTable(true, capacity, undefined, stampLimit);
          // The model: ids by index, and indexes from most to least recently used.
          let ids: string[] = [];
          let recency: number[] = [];
          for (const { uses, undo } of frames) {
            const before = { ids: [...ids], recency: [...recency] };
            t.begin();
            for (const u of uses) {
              const id = `id-${u}`;
              const known = ids.indexOf(id);
              const index = t.lookup(id);
              expect(index).toBe(known);
              if (known >= 0) {
                recency = [known, ...recency.filter((i) => i !== known)];
                continue;
              }
              t.define(id);
              const at = ids.length < capacity ? ids.length : recency[recency.length - 1]!;
              ids[at] = id;
              recency = [at, ...recency.filter((i) => i !== at)];
            }
            if (undo) {
              t.rollback();
              ({ ids, recency } = before);
            }
            expect(t.ids).toEqual(ids);
            expect(t.recency()).toEqual(recency.map((i) => ids[i]));
            if (ids.length > 0) expect(t.at(ids.length - 1)).toBe(ids[ids.length - 1]);
            recency =
              ids.length > 0 ? [ids.length - 1, ...recency.filter((i) => i !== ids.length - 1)] : recency;
          }
          t.dispose();
          expect(t.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('both ends stay in lockstep across evictions, failed encodes included (fuzzed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 14 }), (capacity, pool) =>
        fc.assert(
          fc.property(framesArb(pool), (frames) => {
            // Two links of one codec: their four tables share the registry.
            const registry = new IdRegistry();
            const { tx, rx, txTable, rxTable } = smallLink(capacity, registry);
            const other = smallLink(Math.max(1, capacity - 1), registry);
            for (const { frame, bad } of frames) {
              if (bad && frame.type === 'events') {
                // The same frame with one payload the codec refuses: nothing is sent, nothing changes.
                const broken = { type: 'events' as const, events: [...frame.events, ev('peer-x', 1, 1, 9)] };
                expect(() => tx.encode(broken)).toThrow(CodecError);
              }
              expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
              expect(rxTable.ids).toEqual(txTable.ids);
              expect(rxTable.recency()).toEqual(txTable.recency());
              expect(tx.sourceCount).toBeLessThanOrEqual(capacity);
              expect(other.rx.decode(other.tx.encode(frame))).toStrictEqual(frame);
              // The registry holds each id some table holds, once, and nothing else.
              const held = new Set([
                ...txTable.ids,
                ...rxTable.ids,
                ...other.txTable.ids,
                ...other.rxTable.ids,
              ]);
              expect(registry.size).toBe(held.size);
              for (const id of held) expect(registry.slotOf(id)).toBeGreaterThanOrEqual(0);
            }
            for (const t of [txTable, rxTable, other.txTable]) t.dispose();
            expect(registry.size).toBe(new Set(other.rxTable.ids).size);
            other.rxTable.dispose();
            expect(registry.size).toBe(0);
          }),
          { numRuns: 20 },
        ),
      ),
      { numRuns: 15 },
    );
  });

  it('stay in lockstep when the registry slots no longer fit in 16 bits (the tables widen)', () => {
    // Slots 0..65,539 taken by other ids: every id of these links gets a slot above 65,535.
    const registry = new IdRegistry();
    for (let i = 0; i < 65_540; i++) registry.acquire(`filler-${i}`);
    fc.assert(
      fc.property(framesArb(10), (frames) => {
        const { tx, rx, txTable, rxTable } = smallLink(4, registry);
        for (const { frame } of frames) {
          expect(rx.decode(tx.encode(frame))).toStrictEqual(frame);
          expect(rxTable.ids).toEqual(txTable.ids);
          expect(rxTable.recency()).toEqual(txTable.recency());
          for (const id of txTable.ids) expect(registry.slotOf(id)).toBeGreaterThan(0xffff);
        }
        txTable.dispose();
        rxTable.dispose();
        expect(registry.size).toBe(65_540);
      }),
      { numRuns: 30 },
    );
  });

  it('the links of one codec hold each id once; a disposed link gives its ids back', () => {
    const registry = new IdRegistry();
    const a = smallLink(8, registry);
    const b = smallLink(8, registry);
    const frame: Frame<number> = { type: 'events', events: [ev('alice', 1, 1), ev('bob', 1, 1)] };
    for (const l of [a, b]) expect(l.rx.decode(l.tx.encode(frame))).toStrictEqual(frame);
    expect(registry.size).toBe(2);
    a.tx.dispose();
    a.rx.dispose();
    expect(registry.size).toBe(2);
    b.tx.dispose();
    b.rx.dispose();
    expect(registry.size).toBe(0);
    expect(a.tx.sourceCount).toBe(0);
    // A slot given back is reused, and the tables work on.
    expect(b.rx.decode(b.tx.encode(frame))).toStrictEqual(frame);
    expect(registry.size).toBe(2);
    expect(registry.capacity).toBe(2);
  });

  it('keeps 2,000 sources interned: a reference to any of them is 1-2 bytes', () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    const ids = Array.from({ length: 2000 }, (_, i) => `12D3KooW-a-fifty-two-character-long-peer-id-${i}`);
    for (let i = 0; i < ids.length; i += 200) {
      const events = ids.slice(i, i + 200).map((s, k) => ev(s, 1, i + k));
      expect(rx.decode(tx.encode({ type: 'events', events }))).toStrictEqual({ type: 'events', events });
    }
    expect(tx.sourceCount).toBe(2000);
    expect(rx.sourceCount).toBe(2000);
    // index 1,999 → reference 3,998: a 2-byte varint; the frame is 2 + 1 + 1 + 2 + 1 + 2 + 1 bytes.
    const one = tx.encode({ type: 'events', events: [ev(ids[1999]!, 2, 500)] });
    expect(one.length).toBe(10);
    expect(rx.decode(one)).toStrictEqual({ type: 'events', events: [ev(ids[1999]!, 2, 500)] });
  });

  it(`holds at most SOURCE_TABLE_SIZE (${SOURCE_TABLE_SIZE}) entries and still round-trips beyond`, () => {
    const codec = createCodec({ payload: rectangleKeyCodec });
    const tx = codec.encoder();
    const rx = codec.decoder();
    const n = SOURCE_TABLE_SIZE + 300;
    const ids = Array.from({ length: n }, (_, i) => `p${i}`);
    for (let i = 0; i < n; i += 1000) {
      const events = ids.slice(i, i + 1000).map((s, k) => ev(s, 1, k));
      expect(rx.decode(tx.encode({ type: 'events', events }))).toStrictEqual({ type: 'events', events });
    }
    expect(tx.sourceCount).toBe(SOURCE_TABLE_SIZE);
    expect(rx.sourceCount).toBe(SOURCE_TABLE_SIZE);
    // The first 300 ids were the least recently used: they were evicted and travel as literals
    // (and are defined again, evicting the next oldest); the newest are references.
    // envelope 2 | count 1 | literal length 1 and the id | seq 1 | no seqs past a hole 1
    const early = tx.encode({ type: 'frontier', entries: [{ source: ids[0]!, seq: 1 }] });
    expect(early.length).toBe(2 + 1 + 1 + ids[0]!.length + 1 + 1);
    const late = tx.encode({ type: 'frontier', entries: [{ source: ids[n - 1]!, seq: 1 }] });
    expect(late.length).toBeLessThanOrEqual(2 + 1 + 3 + 1 + 1);
    expect(rx.decode(early)).toStrictEqual({ type: 'frontier', entries: [{ source: ids[0]!, seq: 1 }] });
    expect(rx.decode(late)).toStrictEqual({ type: 'frontier', entries: [{ source: ids[n - 1]!, seq: 1 }] });
  });
});

describe('hostile input against the peer-id table', () => {
  it('a reference beyond the entries defined is UNKNOWN_SOURCE (fatal), whatever its size', () => {
    const { tx, rx } = smallLink(4);
    rx.decode(tx.encode({ type: 'frontier', entries: [{ source: 'a', seq: 1 }] }));
    // frontier, 1 entry, reference to index 1 (r = 2), seq 1
    for (const ref of [[0x02], [0x80, 0x80, 0x01], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]]) {
      let error: unknown;
      try {
        rx.decode(Uint8Array.from([PROTOCOL_VERSION, 0x02, 0x01, ...ref, 0x01, 0x00]));
      } catch (err) {
        error = err;
      }
      expect(isCodecError(error, 'UNKNOWN_SOURCE') || isCodecError(error, 'BAD_VARINT')).toBe(true);
      expect((error as CodecError).fatal).toBe(true);
    }
    expect(rx.sourceCount).toBe(1);
  });

  it('a sender churning the table with endless new ids keeps it bounded and in step', () => {
    const { tx, rx, txTable, rxTable } = smallLink(8);
    for (let round = 0; round < 50; round++) {
      const events = Array.from({ length: 16 }, (_, k) => ev(`churn-${round}-${k}`, 1, k));
      expect(rx.decode(tx.encode({ type: 'events', events }))).toStrictEqual({ type: 'events', events });
    }
    expect(rx.sourceCount).toBe(8);
    expect(rxTable.recency()).toEqual(txTable.recency());
  });

  it('duplicate definitions of one id (never written by an encoder) decode and stay bounded', () => {
    const { rx } = smallLink(3);
    // frontier of 1: literal 'a' (r = 1 * 2 + 1 = 3), seq 1; four times
    const frame = Uint8Array.from([PROTOCOL_VERSION, 0x02, 0x01, 0x03, 0x61, 0x01, 0x00]);
    for (let i = 0; i < 4; i++)
      expect(rx.decode(frame)).toStrictEqual({ type: 'frontier', entries: [{ source: 'a', seq: 1 }] });
    expect(rx.sourceCount).toBe(3);
  });

  it('a structurally broken frame leaves the table as it was (fatal: the link closes)', () => {
    const { tx, rx, rxTable } = smallLink(3);
    rx.decode(tx.encode({ type: 'events', events: [ev('a', 1, 1), ev('b', 1, 1), ev('c', 1, 1)] }));
    const before = rxTable.recency();
    const next = tx.encode({ type: 'events', events: [ev('a', 2, 2), ev('d', 1, 2), ev('e', 1, 2)] });
    expect(() => rx.decode(next.subarray(0, next.length - 1))).toThrow(
      expect.objectContaining({ code: 'TRUNCATED', fatal: true }),
    );
    expect(rxTable.recency()).toEqual(before);
  });
});
