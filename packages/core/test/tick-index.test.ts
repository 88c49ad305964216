import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EventKeys, objectKeys } from '../src/event-keys.js';
import { TickIndex } from '../src/tick-index.js';
import { SortedMapTicks } from './tick-model.js';

interface Ev {
  readonly tick: number;
  readonly source: string;
  readonly seq: number;
}

type Op =
  | { kind: 'add'; delta: number; source: number; seq: number }
  | { kind: 'burst'; n: number; gap: number }
  | { kind: 'read'; how: 'next' | 'skip' | 'back' | 'jump'; n: number }
  | { kind: 'fold'; back: number };

const SOURCES = ['a', 'b', 'c'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Mostly at or near the end, some far behind it, some far ahead.
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      delta: fc.integer({ min: -4, max: 3 }),
      source: fc.nat(2),
      seq: fc.nat(60),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      delta: fc.oneof(fc.integer({ min: -300, max: -5 }), fc.integer({ min: 4, max: 200 })),
      source: fc.nat(2),
      seq: fc.nat(60),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      n: fc.integer({ min: 1, max: 60 }),
      gap: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      how: fc.constantFrom(
        'next' as const,
        'skip' as const,
        'skip' as const,
        'back' as const,
        'jump' as const,
      ),
      n: fc.nat(40),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('fold' as const), back: fc.integer({ min: -30, max: 40 }) }),
    weight: 2,
  },
);

/** Keys of handles into `evs`, read as {@link objectKeys} reads the events. */
function handleKeys(evs: readonly Ev[]): EventKeys<number> {
  return {
    seqOf: (h) => objectKeys.seqOf(evs[h]!),
    tickOf: (h) => objectKeys.tickOf(evs[h]!),
    before: (a, b) => objectKeys.before(evs[a]!, evs[b]!),
  };
}

/** The index and its model, driven alike, compared after every step. */
function run(ops: readonly Op[]): void {
  // The index holds handles: here, indexes into `evs` (a dropped one is not reused).
  const evs: Ev[] = [];
  const keys = handleKeys(evs);
  const index = new TickIndex(keys);
  const model = new SortedMapTicks<Ev>((e) => e);
  const used = new Set<string>();
  let top = 0;
  let bound = 0;
  let seq = 1000;
  const add = (tick: number, source: string, s: number): void => {
    // The log never adds an event it holds, nor one before its base.
    if (tick < bound || used.has(`${source}#${s}`)) return;
    used.add(`${source}#${s}`);
    const e: Ev = { tick, source, seq: s };
    evs.push(e);
    index.add(evs.length - 1);
    model.add(e);
    if (tick > top) top = tick;
  };
  const read = (tick: number): void => {
    const got = index.bucket(tick);
    const want = model.bucket(tick);
    expect(got === undefined ? undefined : got.map((h) => evs[h]!)).toEqual(want);
  };
  for (const o of ops) {
    switch (o.kind) {
      case 'add':
        add(Math.max(0, top + o.delta), SOURCES[o.source]!, o.seq);
        break;
      case 'burst':
        for (let i = 1; i <= o.n; i++) add(top + o.gap, SOURCES[i % 3]!, seq++);
        break;
      case 'read': {
        const point = model.quietFrom;
        if (o.how === 'next') read(point);
        else if (o.how === 'skip') {
          // As the timeline does: past the quiet ticks to the next that holds events.
          const until = model.quietUntil;
          read(until === Number.POSITIVE_INFINITY ? point : until);
        } else if (o.how === 'back') read(Math.max(0, point - 1 - o.n));
        else read(point + o.n);
        break;
      }
      case 'fold': {
        // The base only moves on.
        const to = Math.max(bound, model.quietFrom - o.back);
        const a: Ev[] = [];
        const b: Ev[] = [];
        index.foldBefore(to, (h) => a.push(evs[h]!));
        model.foldBefore(to, (e) => b.push(e));
        expect(a).toEqual(b);
        bound = to;
        break;
      }
    }
    expect(index.size).toBe(model.size);
    expect(index.quietFrom).toBe(model.quietFrom);
    expect(index.quietUntil).toBe(model.quietUntil);
  }
  // Every tick held, read backwards and then in order, as the model has them.
  for (let t = top + 2; t >= 0; t--) read(t);
  for (let t = 0; t <= top + 2; t++) read(t);
}

describe('TickIndex (the event log by tick)', () => {
  it('holds, reads, skips and folds as a sorted map by tick', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400, size: 'max' }), (ops) => run(ops)),
      { numRuns: 150 },
    );
  });

  it('keeps up over long histories, folded and shifted down many times', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              arbitrary: fc.record({ kind: fc.constant('burst' as const), n: fc.nat(60), gap: fc.nat(3) }),
              weight: 3,
            },
            {
              arbitrary: fc.record({
                kind: fc.constant('read' as const),
                how: fc.constantFrom('skip' as const, 'back' as const, 'jump' as const),
                n: fc.nat(200),
              }),
              weight: 4,
            },
            {
              arbitrary: fc.record({
                kind: fc.constant('fold' as const),
                back: fc.integer({ min: -40, max: 80 }),
              }),
              weight: 2,
            },
          ),
          { minLength: 50, maxLength: 200, size: 'max' },
        ),
        (ops) => run(ops),
      ),
      { numRuns: 60 },
    );
  });

  it('holds ticks of one, two, three and more events in (source, seq) order, whatever the order of adds', () => {
    // Events over a few ticks (up to 18 a tick), added in any order, every tick read (and one folded) after each.
    const events: Ev[] = [];
    for (let tick = 0; tick < 7; tick++)
      for (const source of ['a', 'b', 'c'])
        for (let seq = 1; seq <= tick; seq++) events.push({ tick, source, seq });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events.map((_, h) => h)),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (adds, foldTo, backwards) => {
          const index = new TickIndex(handleKeys(events));
          const model = new SortedMapTicks<Ev>((e) => e);
          for (const h of adds) {
            index.add(h);
            model.add(events[h]!);
            for (let k = 0; k < 8; k++) {
              const t = backwards ? 7 - k : k;
              const got = index.bucket(t);
              expect(got === undefined ? undefined : got.map((x) => events[x]!)).toEqual(model.bucket(t));
              expect(index.quietUntil).toBe(model.quietUntil);
            }
          }
          const a: Ev[] = [];
          const b: Ev[] = [];
          index.foldBefore(foldTo, (h) => a.push(events[h]!));
          model.foldBefore(foldTo, (e) => b.push(e));
          expect(a).toEqual(b);
          expect(index.size).toBe(model.size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hands every tick in one reused array, and takes a dropped handle back for a later event', () => {
    const evs: Ev[] = [];
    const index = new TickIndex(handleKeys(evs));
    const add = (e: Ev): number => {
      evs.push(e);
      index.add(evs.length - 1);
      return evs.length - 1;
    };
    const read = (tick: number): Ev[] | undefined => index.bucket(tick)?.map((h) => evs[h]!);
    const d = add({ tick: 9, source: 'c', seq: 1 });
    add({ tick: 7, source: 'b', seq: 1 });
    add({ tick: 5, source: 'a', seq: 1 });
    add({ tick: 7, source: 'a', seq: 2 });
    expect(index.bucket(4)).toBeUndefined();
    expect([index.quietFrom, index.quietUntil]).toEqual([5, 5]);
    const first = index.bucket(5);
    expect(read(5)?.map((e) => e.seq)).toEqual([1]);
    expect(index.bucket(6)).toBeUndefined();
    expect(read(7)?.map((e) => `${e.source}${e.seq}`)).toEqual(['a2', 'b1']);
    expect([index.quietFrom, index.quietUntil]).toEqual([8, 9]);
    expect(index.bucket(9)).toBe(first);
    expect([...index.bucket(9)!]).toEqual([d]);
    expect(index.quietUntil).toBe(Number.POSITIVE_INFINITY);
    // A rollback reads tick 5 again; a new event behind the point moves the quiet range.
    expect(read(5)?.map((e) => e.seq)).toEqual([1]);
    expect([index.quietFrom, index.quietUntil]).toEqual([6, 7]);
    add({ tick: 6, source: 'a', seq: 3 });
    expect(index.quietUntil).toBe(6);
    add({ tick: 7, source: 'a', seq: 9 });
    expect(read(7)?.map((e) => `${e.source}${e.seq}`)).toEqual(['a2', 'a9', 'b1']);
    const dropped: number[] = [];
    index.foldBefore(8, (h) => dropped.push(evs[h]!.seq));
    expect(dropped).toEqual([1, 3, 2, 9, 1]);
    expect(index.size).toBe(1);
    expect([index.quietFrom, index.quietUntil]).toEqual([8, 9]);
    expect(index.bucket(7)).toBeUndefined();
    // Handle 1 (tick 7's b1, dropped) names a new event: its chain starts afresh.
    evs[1] = { tick: 9, source: 'a', seq: 4 };
    index.add(1);
    expect(read(9)?.map((e) => `${e.source}${e.seq}`)).toEqual(['a4', 'c1']);
  });
});
