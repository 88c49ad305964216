import { hashToWords, wordsToHash } from '@symmetric/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashVotes, OwnHashes } from '../src/hash-votes.js';

/** The model: tick → (link key → hash), the oldest tick first out past the cap. */
class Model {
  readonly byTick = new Map<number, Map<string, string>>();
  constructor(private readonly max: number) {}
  set(tick: number, key: string, hash: string): void {
    let v = this.byTick.get(tick);
    if (v === undefined) {
      if (this.byTick.size >= this.max) this.byTick.delete(this.byTick.keys().next().value!);
      v = new Map();
      this.byTick.set(tick, v);
    }
    v.set(key, hash);
  }
  dropLink(key: string): void {
    for (const [t, v] of this.byTick) {
      v.delete(key);
      if (v.size === 0) this.byTick.delete(t);
    }
  }
  forgetBefore(tick: number): void {
    for (const t of this.byTick.keys()) {
      if (t >= tick) break;
      this.byTick.delete(t);
    }
  }
}

/** A state hash (16 lowercase hex digits) or, now and then, a string of another form. */
const hash = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[0-9a-f]{16}$/) },
  { weight: 2, arbitrary: fc.constantFrom('0000000000000000', 'ffffffffffffffff', '0123456789abcdef') },
  { weight: 1, arbitrary: fc.constantFrom('h1', 'h2', '', '0123456789ABCDEF', '0123456789abcdef0') },
);
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const key = fc.constantFrom(...KEYS);
const MAX_TICK = 60;

const voteOp = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      tick: fc.integer({ min: 0, max: MAX_TICK }),
      key,
      hash,
    }),
  },
  // The usual order: the next tick (kept under MAX_TICK by the test).
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('next' as const),
      step: fc.integer({ min: 0, max: 2 }),
      key,
      hash,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forget' as const),
      tick: fc.integer({ min: 0, max: MAX_TICK }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('hash words', () => {
  it('hold a state hash and give it back', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{16}$/), (h) => {
        const w = new Uint32Array(2);
        expect(hashToWords(h, w, 0)).toBe(true);
        expect(wordsToHash(w[0]!, w[1]!)).toBe(h);
      }),
    );
  });

  it('refuse any other string', () => {
    const w = new Uint32Array(2);
    for (const s of [
      '',
      'h1',
      '0123456789ABCDEF',
      '0123456789abcdeg',
      '0123456789abcdef0',
      '/123456789abcdef',
      ' 123456789abcdef',
    ])
      expect(hashToWords(s, w, 0)).toBe(false);
    expect([...w]).toEqual([0, 0]);
  });
});

describe('hash votes', () => {
  it('answer like a map of maps with the same cap', () => {
    // Long runs: the ring of ticks fills, wraps and grows, out of order, before the cap is reached.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(voteOp, { maxLength: 250, size: 'max' }),
        (max, ops) => {
          const votes = new HashVotes(max);
          const model = new Model(max);
          let next = 0;
          for (const o of ops) {
            if (o.kind === 'set' || o.kind === 'next') {
              const tick = o.kind === 'set' ? o.tick : (next = (next + o.step) % (MAX_TICK + 1));
              votes.set(tick, o.key, o.hash);
              model.set(tick, o.key, o.hash);
            } else if (o.kind === 'drop') {
              votes.dropLink(o.key);
              model.dropLink(o.key);
            } else if (o.kind === 'forget') {
              votes.forgetBefore(o.tick);
              model.forgetBefore(o.tick);
            } else {
              votes.clear();
              model.byTick.clear();
            }
            expect(votes.size).toBe(model.byTick.size);
          }
          for (let t = 0; t <= MAX_TICK; t++) {
            expect(votes.hasTick(t)).toBe(model.byTick.has(t));
            for (const k of KEYS) {
              expect(votes.get(t, k)).toBe(model.byTick.get(t)?.get(k));
              expect(votes.has(t, k)).toBe(model.byTick.get(t)?.has(k) === true);
            }
          }
          let held = 0;
          for (const v of model.byTick.values()) held += v.size;
          expect(votes.asideSize).toBeLessThanOrEqual(held);
          // The order of the ticks (which one goes first) is the model's: new ticks push them out.
          for (let j = 0; j <= max; j++) {
            votes.set(1000 + j, 'a', '0123456789abcdef');
            model.set(1000 + j, 'a', '0123456789abcdef');
            for (let t = 0; t <= MAX_TICK; t++) expect(votes.hasTick(t)).toBe(model.byTick.has(t));
          }
          for (const k of KEYS) votes.dropLink(k);
          expect(votes.size).toBe(0);
          expect(votes.asideSize).toBe(0);
        },
      ),
    );
  });

  it('drop the tick first voted on when full, whatever its number', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 120, size: 'max' }),
        (max, ticks) => {
          const votes = new HashVotes(max);
          const model = new Model(max);
          for (const t of ticks) {
            votes.set(t, 'a', '0123456789abcdef');
            model.set(t, 'a', '0123456789abcdef');
            // One step of forgetting shows the first tick in order: it goes unless it is >= the bound.
            const first = model.byTick.keys().next().value!;
            votes.forgetBefore(first + 1);
            model.forgetBefore(first + 1);
            for (let u = 0; u <= 30; u++) expect(votes.hasTick(u)).toBe(model.byTick.has(u));
          }
        },
      ),
    );
  });

  it('keep a neighbour’s latest report of a tick', () => {
    const votes = new HashVotes(4);
    votes.set(10, 'a', 'x');
    votes.set(10, 'b', 'y');
    votes.set(10, 'a', 'z');
    expect(votes.get(10, 'a')).toBe('z');
    expect(votes.get(10, 'b')).toBe('y');
    votes.set(10, 'b', '00000000000000ff');
    expect(votes.get(10, 'b')).toBe('00000000000000ff');
    votes.clear();
    expect(votes.size).toBe(0);
    expect(votes.bytes).toBe(0);
  });

  it('take 20 bytes a tick with four agreeing neighbours, and keep a disagreeing vote aside', () => {
    const votes = new HashVotes(512);
    for (let t = 0; t < 2000; t++)
      for (const k of ['a', 'b', 'c', 'd']) votes.set(t * 60, k, '0123456789abcdef');
    expect(votes.size).toBe(512);
    expect(votes.bytes).toBe(512 * 20);
    expect(votes.asideSize).toBe(0);
    votes.set(1999 * 60, 'c', 'fedcba9876543210');
    expect(votes.asideSize).toBe(1);
    expect(votes.get(1999 * 60, 'c')).toBe('fedcba9876543210');
    expect(votes.get(1999 * 60, 'd')).toBe('0123456789abcdef');
    votes.set(1999 * 60, 'c', '0123456789abcdef');
    expect(votes.asideSize).toBe(0);
    // The reference follows the votes once no cell holds it.
    for (const k of ['a', 'b', 'c', 'd']) votes.set(1998 * 60, k, 'fedcba9876543210');
    expect(votes.asideSize).toBe(3);
    votes.set(1998 * 60, 'a', 'fedcba9876543210');
    expect(votes.asideSize).toBe(2);
    for (const k of ['a', 'b', 'c', 'd']) expect(votes.get(1998 * 60, k)).toBe('fedcba9876543210');
    votes.dropLink('b');
    votes.dropLink('c');
    expect(votes.asideSize).toBe(0);
  });
});

/** The model of own hashes: an insertion-ordered map. */
const ownOp = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('add' as const), step: fc.integer({ min: 1, max: 3 }), hash }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), back: fc.nat(), hash }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropOldest' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('dropBefore' as const),
      back: fc.integer({ min: -5, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('own hashes', () => {
  it('answer like a map whose new ticks come above the newest', () => {
    // Long runs: the ring fills, wraps and grows past its first rows.
    fc.assert(
      fc.property(fc.array(ownOp, { maxLength: 300, size: 'max' }), (ops) => {
        const own = new OwnHashes();
        const model = new Map<number, string>();
        let tick = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            tick += o.step;
            own.add(tick, o.hash);
            model.set(tick, o.hash);
          } else if (o.kind === 'replace') {
            if (model.size === 0) continue;
            const i = o.back % model.size;
            const t = [...model.keys()][i]!;
            expect(own.tickAt(i)).toBe(t);
            own.replaceAt(i, o.hash);
            model.set(t, o.hash);
          } else if (o.kind === 'dropOldest') {
            own.dropOldest();
            const first = model.keys().next();
            if (first.done !== true) model.delete(first.value);
          } else if (o.kind === 'dropBefore') {
            own.dropBefore(tick - o.back);
            for (const t of model.keys()) {
              if (t >= tick - o.back) break;
              model.delete(t);
            }
          } else {
            own.clear();
            model.clear();
          }
          expect(own.size).toBe(model.size);
        }
        for (let t = -1; t <= tick + 1; t++) expect(own.get(t)).toBe(model.get(t));
        const entries = [...model];
        for (let i = 0; i < entries.length; i++) {
          expect(own.tickAt(i)).toBe(entries[i]![0]);
          expect(own.hashAt(i)).toBe(entries[i]![1]);
        }
        for (let t = -1; t <= tick + 1; t++)
          expect(own.lowerBound(t)).toBe(entries.filter(([u]) => u < t).length);
        expect(own.newest).toBe(
          entries.length === 0 ? Number.NEGATIVE_INFINITY : entries[entries.length - 1]![0],
        );
      }),
    );
  });

  it('refuse a tick not above the newest', () => {
    const own = new OwnHashes();
    own.add(60, '0123456789abcdef');
    expect(() => own.add(60, '0123456789abcdef')).toThrow(RangeError);
    expect(() => own.add(0, '0123456789abcdef')).toThrow(RangeError);
    expect(own.size).toBe(1);
  });

  it('take 16 bytes a tick, grown by doubling', () => {
    const own = new OwnHashes();
    for (let t = 1; t <= 2000; t++) {
      if (own.size >= 512) own.dropOldest();
      own.add(t * 60, '0123456789abcdef');
    }
    expect(own.bytes).toBe(512 * 16);
    own.clear();
    for (let t = 1; t <= 100; t++) own.add(t, 'fedcba9876543210');
    expect(own.bytes).toBe(128 * 16);
  });
});
