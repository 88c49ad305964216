import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventColumns } from '../src/event-columns.js';
import { Timeline, type TimelineEvent, type TimelineOptions, type TimelineSnapshot } from '../src/index.js';
import { type MixState, mixApp } from './helpers.js';
import { SortedMapTicks } from './tick-model.js';

/**
 * The timeline reads a tick's events from its log only when the tick may hold some, the log
 * keeps them in an index of its own by tick, and a compaction at the forget bound of the last
 * one looks only at the sources it emptied. The reference here turns all three off (every tick
 * read, from a plain map by tick, every compaction going through every source): the two must
 * pass through the same states.
 */
function reference(tl: Timeline<MixState, number>): Timeline<MixState, number> {
  const log = (tl as unknown as { log: Record<string, unknown> }).log;
  expect((log['ticks'] as { size: number }).size).toBe(0);
  const cols = log['columns'] as EventColumns<number>;
  log['ticks'] = new SortedMapTicks<number>((h) => ({
    tick: cols.tickOf(h),
    source: cols.sourceOf(h),
    seq: cols.seqOf(h),
  }));
  Object.defineProperty(log, 'quietUntil', { get: () => 0 });
  Object.defineProperty(log, 'forgotBefore', { get: () => Number.NaN, set: () => undefined });
  return tl;
}

type Op =
  | { kind: 'insert'; source: number; delta: number; restamp: number; skip: boolean }
  | { kind: 'batch'; n: number; delta: number }
  | { kind: 'advance'; ticks: number }
  | { kind: 'resimulate'; back: number }
  | { kind: 'compact'; back: number }
  | { kind: 'smooth'; delta: number; frames: number }
  | { kind: 'join' };

const SOURCES = ['a', 'b', 'c', 'd', 'e'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      // Some sources act often, some seldom (and get forgotten).
      source: fc.constantFrom(0, 0, 0, 0, 0, 1, 1, 2, 3, 4),
      delta: fc.integer({ min: -25, max: 12 }),
      restamp: fc.nat(3),
      skip: fc.boolean(),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      n: fc.integer({ min: 1, max: 5 }),
      delta: fc.integer({ min: -25, max: 12 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ticks: fc.integer({ min: 1, max: 25 }) }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('resimulate' as const), back: fc.nat(30) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(20) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('smooth' as const),
      delta: fc.integer({ min: -20, max: 5 }),
      frames: fc.nat(4),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('join' as const) }), weight: 1 },
);

const optionsArb: fc.Arbitrary<TimelineOptions> = fc.record({
  seed: fc.integer({ min: -50, max: 50 }),
  snapshotEvery: fc.integer({ min: 1, max: 6 }),
  maxSnapshots: fc.constant(200),
  hashEvery: fc.constantFrom(0, 1, 4),
  forgetSourcesAfter: fc.constantFrom(undefined, 4, 12, 16, 30),
  keepForgottenFor: fc.constantFrom(0, 10),
  printEvery: fc.constantFrom(undefined, 5),
});

/** Everything observable of a timeline, to compare two of them. */
function observe(tl: Timeline<MixState, number>): unknown {
  return {
    tick: tl.tick,
    hash: tl.hash(),
    state: tl.state,
    stats: tl.stats(),
    frontier: [...tl.frontier()],
    base: tl.baseSnapshot() as TimelineSnapshot<MixState>,
    forgotten: tl.drainForgotten(),
    forgottenIds: tl.forgottenIds,
    kept: tl.forgottenKept,
    folded: tl.foldedEvents,
    prints: tl.prints(),
  };
}

describe('Timeline: tick lookups and forget passes', () => {
  it('pass through the same states as reading every tick from the map and every source at every compaction', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(opArb, { minLength: 20, maxLength: 160, size: 'max' }),
        (options, ops) => {
          let fast = new Timeline(mixApp, options);
          let ref = reference(new Timeline(mixApp, options));
          const sent: TimelineEvent<number>[] = [];
          const nextSeq = SOURCES.map(() => 1);
          const make = (
            source: number,
            delta: number,
            restamp: number,
            skip: boolean,
          ): TimelineEvent<number> => {
            // A skipped seq is a gap, filled by a later event of the source (or given up).
            if (skip) nextSeq[source]!++;
            const seq = nextSeq[source]!++;
            const e: TimelineEvent<number> = {
              tick: Math.max(0, fast.tick + delta),
              source: SOURCES[source]!,
              seq,
              payload: (seq * 7 + delta) & 15,
              ...(restamp > 0 && seq > restamp ? { restamps: seq - restamp } : {}),
            };
            sent.push(e);
            return e;
          };
          for (const o of ops) {
            switch (o.kind) {
              case 'insert': {
                const e = make(o.source, o.delta, o.restamp, o.skip);
                expect(fast.insert(e)).toBe(ref.insert(e));
                break;
              }
              case 'batch': {
                const list: TimelineEvent<number>[] = [];
                for (let i = 0; i < o.n; i++)
                  list.push(make(i === 0 ? 0 : (o.delta + i) & 3, o.delta - i * 2, 0, false));
                // A gap filled late: an event sent before, offered again.
                if (sent.length > 3) list.push(sent[sent.length - 4]!);
                expect(fast.insertMany(list)).toEqual(ref.insertMany(list));
                break;
              }
              case 'advance':
                // One tick at a time: the same state and hash at every tick.
                for (let i = 0; i < o.ticks; i++) {
                  fast.advance(1);
                  ref.advance(1);
                  expect(fast.hash()).toBe(ref.hash());
                }
                break;
              case 'resimulate': {
                const base = fast.stats().baseTick;
                const tick = Math.max(base, fast.tick - o.back);
                fast.resimulateFrom(tick);
                ref.resimulateFrom(tick);
                break;
              }
              case 'compact':
                expect(fast.compact(fast.tick - o.back)).toBe(ref.compact(ref.tick - o.back));
                break;
              case 'smooth': {
                const e = make(0, o.delta, 0, false);
                const a = fast.insertSmooth([e]);
                const b = ref.insertSmooth([e]);
                for (let i = 0; i < o.frames; i++) expect(a.next().value).toEqual(b.next().value);
                break;
              }
              case 'join': {
                // Both adopt their base snapshot, then hear of every event again.
                const now = fast.tick;
                const snap = fast.baseSnapshot();
                expect(ref.baseSnapshot()).toEqual(snap);
                fast = Timeline.fromSnapshot(mixApp, snap, options);
                ref = reference(Timeline.fromSnapshot(mixApp, snap, options));
                expect(fast.insertMany(sent)).toEqual(ref.insertMany(sent));
                fast.advance(now - fast.tick);
                ref.advance(now - ref.tick);
                break;
              }
            }
            expect(observe(fast)).toEqual(observe(ref));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
