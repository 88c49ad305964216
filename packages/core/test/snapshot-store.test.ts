import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timeline } from '../src/index.js';
import { SnapshotStore } from '../src/snapshot-store.js';

type Op = { kind: 'push' } | { kind: 'drop'; through: number } | { kind: 'keep'; through: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'push' as const }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), through: fc.nat(6) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('keep' as const), through: fc.nat(60) }), weight: 1 },
);

const thinningArb = fc.option(
  fc.record({ afterTicks: fc.integer({ min: 0, max: 60 }), every: fc.integer({ min: 1, max: 40 }) }),
  { nil: undefined },
);

describe('SnapshotStore (and the rings it is made of)', () => {
  it('holds what a list of snapshot ticks holds when the oldest goes at the cap and, with thinning, old ticks go unless first of their window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        thinningArb,
        fc.array(opArb, { maxLength: 250, size: 'max' }),
        (cap, step, thinning, ops) => {
          const store = new SnapshotStore<{ tick: number }>(cap, step, thinning);
          let model: number[] = [];
          let evicted = 0;
          let tick = 0;
          for (const o of ops) {
            if (o.kind === 'push') {
              tick = (model.at(-1) ?? tick) + step;
              if (model.length >= cap) evicted = Math.max(evicted, model.shift()!);
              model.push(tick);
              if (thinning !== undefined) {
                const limit = tick - thinning.afterTicks;
                model = model.filter((t) => t >= limit || t % thinning.every < step);
              }
              const t = tick;
              store.push(
                t,
                (reuse) => {
                  const s = reuse ?? { tick: 0 };
                  s.tick = t;
                  return s;
                },
                (words, offset) => words.set([t, t + 1, t + 2, t + 3], offset),
              );
            } else if (o.kind === 'drop') {
              const pos = Math.min(o.through, model.length - 1);
              store.dropThrough(pos);
              model = model.slice(pos + 1);
            } else if (o.through < model.length) {
              store.keepThrough(o.through);
              model = model.slice(0, o.through + 1);
            }
            expect(store.count).toBe(model.length);
            expect(store.evictedTick).toBe(evicted);
            model.forEach((t, pos) => {
              expect(store.tickAt(pos)).toBe(t);
              expect(store.stateAt(pos).tick).toBe(t);
              expect([...store.randAt(pos)]).toEqual([t, t + 1, t + 2, t + 3]);
              expect(store.find(t)).toBe(pos);
              expect(store.find(t + step - 1)).toBe(pos);
            });
            if (model.length > 0) expect(store.find(model[0]! - 1)).toBe(-1);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never lets a pushed snapshot reuse a state the sparse part holds', () => {
    const store = new SnapshotStore<{ tick: number }>(100, 10, { afterTicks: 20, every: 50 });
    const made: { tick: number }[] = [];
    for (let t = 10; t <= 400; t += 10) {
      store.push(
        t,
        (reuse) => {
          const s = reuse ?? { tick: 0 };
          s.tick = t;
          made.push(s);
          return s;
        },
        () => {},
      );
    }
    for (let pos = 0; pos < store.count; pos++) expect(store.stateAt(pos).tick).toBe(store.tickAt(pos));
    expect([...Array(store.count).keys()].map((p) => store.tickAt(p))).toEqual([
      50, 100, 150, 200, 250, 300, 350, 380, 390, 400,
    ]);
  });
});

describe('Timeline with snapshot thinning', () => {
  const counter = {
    init: () => ({ n: 0, sum: 0 }),
    tick: (s: { n: number; sum: number }) => {
      s.n++;
    },
    event: (s: { n: number; sum: number }, p: number) => {
      s.sum = (s.sum * 31 + p + s.n) | 0;
    },
  };

  it('holds the recent snapshots and one per window before them, and reaches the same states', () => {
    const thin = new Timeline(counter, {
      snapshotEvery: 10,
      maxSnapshots: 2000,
      snapshotThinning: { afterTicks: 500, every: 50 },
    });
    const full = new Timeline(counter, { snapshotEvery: 10, maxSnapshots: 2000 });
    for (const tl of [thin, full]) tl.advance(15_000);
    expect(full.stats().snapshotsHeld).toBe(1501);
    // The base, 51 within 500 ticks of the newest (14,500..15,000), one per 50 ticks before (50..14,450).
    expect(thin.stats().snapshotsHeld).toBe(1 + 51 + 289);
    // A late event 12,000 ticks back: restored from a kept snapshot, the same state as without thinning.
    for (const tl of [thin, full]) tl.insert({ tick: 3_005, source: 'a', seq: 1, payload: 7 });
    expect(thin.hash()).toBe(full.hash());
    expect(thin.hashAt(14_000)).toBe(full.hashAt(14_000));
    expect(thin.stats().ticksResimulated).toBe(full.stats().ticksResimulated);
    // The restore point of a rollback into the thinned part is at most one window earlier.
    for (const tl of [thin, full]) tl.insert({ tick: 3_025, source: 'a', seq: 2, payload: 9 });
    expect(thin.hash()).toBe(full.hash());
    expect(thin.stats().ticksResimulated - full.stats().ticksResimulated).toBe(20);
    // Compaction lands on a kept snapshot, and the timelines stay equal afterwards.
    expect(thin.compact(14_020)).toBe(14_000);
    expect(full.compact(14_020)).toBe(14_020);
    for (const tl of [thin, full]) tl.advance(100);
    expect(thin.hash()).toBe(full.hash());
  });

  it('refuses a malformed thinning option', () => {
    for (const bad of [{ afterTicks: -1, every: 5 }, { afterTicks: 5, every: 0 }, { afterTicks: 5 }, null]) {
      expect(
        () =>
          new Timeline(counter, {
            snapshotThinning: bad as unknown as { afterTicks: number; every: number },
          }),
      ).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    }
  });
});
