import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type App,
  type RectangleKey,
  rectangleApp,
  Timeline,
  type TimelineEvent,
  type TimelineOptions,
} from '../src/index.js';
import {
  deliveriesArb,
  endTickOf,
  eventsArb,
  inOrder,
  type MixState,
  mixApp,
  type Scheduled,
  schedule,
} from './helpers.js';

const RUNS = { numRuns: 120 };

/** Deliver `groups` to a fresh timeline, advancing to each delivery tick first. */
function deliver<S, E>(
  app: App<S, E>,
  groups: Scheduled<E>[][],
  end: number,
  options: TimelineOptions,
  batch: boolean,
): Timeline<S, E> {
  const tl = new Timeline(app, options);
  for (const g of groups) {
    const at = g[0]!.at;
    if (at > tl.tick) tl.advance(at - tl.tick);
    if (batch) tl.insertMany(g.map((s) => s.event));
    else for (const s of g) tl.insert(s.event);
  }
  tl.advance(end - tl.tick);
  return tl;
}

const optionsArb = fc.record({
  snapshotEvery: fc.integer({ min: 1, max: 12 }),
  maxSnapshots: fc.integer({ min: 1, max: 8 }),
  seed: fc.integer({ min: -1000, max: 1000 }),
  snapshotThinning: fc.option(
    fc.record({ afterTicks: fc.integer({ min: 0, max: 30 }), every: fc.integer({ min: 1, max: 25 }) }),
    { nil: undefined },
  ),
});

const scenarioArb = eventsArb().chain((events) =>
  fc.record({
    events: fc.constant(events),
    deliveries: deliveriesArb(events.length),
    options: optionsArb,
    batch: fc.boolean(),
  }),
);

describe('Timeline: out-of-order, late delivery', () => {
  it('random events delivered in random orders at random (late) times end with the in-order hash', () => {
    fc.assert(
      fc.property(scenarioArb, ({ events, deliveries, options, batch }) => {
        const groups = schedule(events, deliveries);
        const end = endTickOf(events, groups);
        const got = deliver(mixApp, groups, end, options, batch);
        const want = inOrder(mixApp, events, end, { seed: options.seed });
        expect(got.tick).toBe(end);
        expect(got.hash()).toBe(want.hash());
        expect(got.state).toEqual(want.state);

        // The paper's metric and the counters match the delivery plan exactly.
        let late = 0;
        let travelled = 0;
        for (const g of groups) {
          for (const s of g) {
            if (s.at > s.event.tick) {
              late++;
              travelled += s.at - s.event.tick;
            }
          }
        }
        const st = got.stats();
        expect(st.lateEvents).toBe(late);
        expect(st.ticksTravelledBack).toBe(travelled);
        expect(st.ticksSimulated).toBe(end);
        expect(st.eventsHeld).toBe(events.length);
        expect(st.duplicates).toBe(0);
        if (late === 0) expect(st.rollbacks).toBe(0);
        else expect(st.ticksResimulated).toBeGreaterThanOrEqual(batch ? 1 : late);
      }),
      RUNS,
    );
  });

  it('the rectangle app converges the same way, and duplicates change nothing', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.integer({ min: 0, max: 1000 }),
        ({ events, deliveries, options, batch }, dupSeed) => {
          const keyed = events.map((e) => ({ ...e, payload: e.payload as RectangleKey }));
          const groups = schedule(keyed, deliveries);
          // Deliver every third event a second time, later.
          const dupGroups = groups.map((g) => [...g]);
          let dups = 0;
          keyed.forEach((e, i) => {
            if ((i + dupSeed) % 3 === 0) {
              const target = dupGroups[(i * 7 + dupSeed) % dupGroups.length];
              if (target !== undefined && target[0]!.at >= Math.max(0, e.tick + deliveries[i]!.delay)) {
                target.push({ at: target[0]!.at, event: e });
                dups++;
              }
            }
          });
          const end = endTickOf(keyed, dupGroups);
          const got = deliver(rectangleApp, dupGroups, end, options, batch);
          const want = inOrder(rectangleApp, keyed, end, { seed: options.seed });
          expect(got.hash()).toBe(want.hash());
          expect(got.state).toEqual(want.state);
          expect(got.stats().duplicates).toBe(dups);
        },
      ),
      RUNS,
    );
  });

  it('insertMany shares one rollback among all late events of a batch', () => {
    fc.assert(
      fc.property(eventsArb(40, 30), fc.integer({ min: 41, max: 80 }), (events, now) => {
        const tl = new Timeline(mixApp, { snapshotEvery: 4 });
        tl.advance(now);
        const r = tl.insertMany(events);
        expect(r).toEqual({ scheduled: 0, late: events.length, duplicates: 0, tooOld: 0 });
        const st = tl.stats();
        expect(st.rollbacks).toBe(events.length === 0 ? 0 : 1);
        expect(st.lateEvents).toBe(events.length);
        const minTick = Math.min(...events.map((e) => e.tick));
        if (events.length > 0) {
          // Re-simulated from the newest snapshot at or before the earliest late tick.
          expect(st.ticksResimulated).toBe(now - Math.floor(minTick / 4) * 4);
        }
        expect(tl.hash()).toBe(inOrder(mixApp, events, now).hash());
      }),
      RUNS,
    );
  });
});

describe('Timeline: rollback from every position', () => {
  it('a forced re-simulation from every tick leaves the state unchanged', () => {
    fc.assert(
      fc.property(eventsArb(30, 20), optionsArb, (events, options) => {
        const end = 32;
        const tl = inOrder(mixApp, events, end, options);
        const want = tl.hash();
        for (let p = 0; p <= end; p++) {
          tl.resimulateFrom(p);
          expect(tl.hash()).toBe(want);
          expect(tl.tick).toBe(end);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a late event at every tick gives the state as if it had been there all along', () => {
    fc.assert(
      fc.property(
        eventsArb(30, 20),
        fc.integer({ min: 0, max: 4 }),
        optionsArb,
        (events, payload, options) => {
          const end = 32;
          for (let p = 0; p < end; p++) {
            const extra: TimelineEvent<number> = { tick: p, source: 'late-peer', seq: 1, payload };
            const tl = inOrder(mixApp, events, end, options);
            expect(tl.insert(extra)).toBe('late');
            expect(tl.stats().ticksTravelledBack).toBe(end - p);
            const want = inOrder(mixApp, [...events, extra], end, { seed: options.seed });
            expect(tl.hash()).toBe(want.hash());
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('Timeline: snapshot interval', () => {
  it('snapshot intervals 1, 7 and 1000 pass through the same states', () => {
    fc.assert(
      fc.property(scenarioArb, ({ events, deliveries, batch }) => {
        const groups = schedule(events, deliveries);
        const end = endTickOf(events, groups);
        const traces = [1, 7, 1000].map((k) => {
          const tl = new Timeline(mixApp, { snapshotEvery: k, maxSnapshots: 4 });
          const trace: string[] = [];
          let gi = 0;
          for (let t = 0; t <= end; t++) {
            while (gi < groups.length && groups[gi]![0]!.at === t) {
              const g = groups[gi++]!;
              if (batch) tl.insertMany(g.map((s) => s.event));
              else for (const s of g) tl.insert(s.event);
            }
            trace.push(tl.hash());
            if (t < end) tl.advance(1);
          }
          return trace;
        });
        expect(traces[1]).toEqual(traces[0]);
        expect(traces[2]).toEqual(traces[0]);
      }),
      RUNS,
    );
  });
});

describe('Timeline: compaction and joining from a snapshot', () => {
  it('compaction + fromSnapshot continue identically to the uncompacted timeline', () => {
    const arb = eventsArb(80, 40).chain((events) =>
      fc.record({
        events: fc.constant(events),
        horizon: fc.integer({ min: 0, max: 15 }),
        deliveries: fc.integer({ min: 0, max: 15 }).chain((h) => deliveriesArb(events.length, -10, h)),
        joinAt: fc.integer({ min: 0, max: 90 }),
        options: optionsArb,
      }),
    );
    fc.assert(
      fc.property(arb, ({ events, horizon, deliveries, joinAt, options }) => {
        // Late delays never exceed the horizon, so compaction never refuses an event.
        const maxDelay = Math.max(0, ...deliveries.map((d) => d.delay));
        const h = Math.max(horizon, maxDelay);
        const groups = schedule(events, deliveries);
        const end = Math.max(endTickOf(events, groups), joinAt + 1);
        const opts = {
          ...options,
          maxSnapshots: Math.max(options.maxSnapshots, Math.ceil((h + 1) / options.snapshotEvery) + 1),
        };
        const a = new Timeline(mixApp, opts);
        let b: Timeline<MixState, number> | undefined;
        let gi = 0;
        for (let t = 0; t <= end; t++) {
          if (t === joinAt) {
            const snap = a.baseSnapshot();
            b = Timeline.fromSnapshot(mixApp, snap, opts);
            const folded = new Map(snap.frontier);
            const held: TimelineEvent<number>[] = [];
            for (const e of events) {
              if (a.has(e.source, e.seq)) {
                // Every held event is either folded into the snapshot or handed over by repair.
                const f = folded.get(e.source) ?? 0;
                if (e.seq > f) held.push(...a.eventsFrom(e.source, e.seq, e.seq));
              }
            }
            const r = b.insertMany(held);
            expect(r.tooOld).toBe(0);
            b.advance(a.tick - b.tick);
            expect(b.hash()).toBe(a.hash());
            expect(b.frontier()).toEqual(a.frontier());
          }
          while (gi < groups.length && groups[gi]![0]!.at === t) {
            const g = groups[gi++]!;
            for (const s of g) {
              expect(a.insert(s.event)).not.toBe('too-old');
              if (b !== undefined) expect(b.insert(s.event)).not.toBe('too-old');
            }
          }
          if (t < end) {
            a.advance(1);
            b?.advance(1);
            a.compact(a.tick - h);
            if (b !== undefined && t % 5 === 0) b.compact(b.tick - h);
          }
        }
        const want = inOrder(mixApp, events, end, { seed: options.seed });
        expect(a.hash()).toBe(want.hash());
        expect(b?.hash()).toBe(want.hash());
        // Compaction really bounded memory.
        const st = a.stats();
        // With thinning the base is the first kept snapshot of its window, up to a window earlier.
        const slack = opts.snapshotEvery + (opts.snapshotThinning?.every ?? 0);
        expect(st.baseTick).toBeGreaterThanOrEqual(Math.max(0, end - h - slack));
        expect(st.eventsHeld).toBe(events.filter((e) => e.tick >= st.baseTick).length);
        expect(st.snapshotsHeld).toBeLessThanOrEqual(opts.maxSnapshots + 1);
      }),
      RUNS,
    );
  });
});

describe('Timeline: smooth travel', () => {
  it('yields back then forward frames and ends exactly where insertMany would, even when abandoned', () => {
    const arb = eventsArb(40, 25).chain((events) =>
      fc.record({
        events: fc.constant(events),
        now: fc.integer({ min: 41, max: 70 }),
        stride: fc.integer({ min: 1, max: 9 }),
        stopAfter: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
        interrupt: fc.constantFrom('return', 'advance', 'hash'),
        options: optionsArb,
      }),
    );
    fc.assert(
      fc.property(arb, ({ events, now, stride, stopAfter, interrupt, options }) => {
        const tl = new Timeline(mixApp, options);
        tl.advance(now);
        const travel = tl.insertSmooth(events, { stride });
        const frames: { phase: string; tick: number }[] = [];
        let result: unknown;
        for (;;) {
          if (stopAfter !== undefined && frames.length === stopAfter) {
            if (interrupt === 'return') travel.return({ scheduled: 0, late: 0, duplicates: 0, tooOld: 0 });
            else if (interrupt === 'advance') tl.advance(0);
            else tl.hash();
            break;
          }
          const step = travel.next();
          if (step.done === true) {
            result = step.value;
            break;
          }
          frames.push({ phase: step.value.phase, tick: step.value.tick });
        }
        expect(tl.tick).toBe(now);
        expect(tl.hash()).toBe(inOrder(mixApp, events, now, { seed: options.seed }).hash());
        if (events.length === 0) {
          expect(frames).toEqual([]);
          return;
        }
        if (result !== undefined) {
          expect(result).toEqual({ scheduled: 0, late: events.length, duplicates: 0, tooOld: 0 });
          const back = frames.filter((f) => f.phase === 'back').map((f) => f.tick);
          const fwd = frames.filter((f) => f.phase === 'forward').map((f) => f.tick);
          const minTick = Math.min(...events.map((e) => e.tick));
          expect(frames.findIndex((f) => f.phase === 'forward')).toBe(back.length);
          for (let i = 1; i < back.length; i++) expect(back[i]!).toBeLessThan(back[i - 1]!);
          for (let i = 1; i < fwd.length; i++) expect(fwd[i]!).toBeGreaterThan(fwd[i - 1]!);
          expect(back[back.length - 1]!).toBeLessThanOrEqual(minTick);
          expect(fwd[fwd.length - 1]).toBe(now);
          expect(fwd[0]! - back[back.length - 1]!).toBeLessThanOrEqual(stride);
        }
      }),
      RUNS,
    );
  });
});
