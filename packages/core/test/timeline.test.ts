import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type App,
  compareEvents,
  RectangleKeys,
  rectangleApp,
  Timeline,
  TimelineError,
  type TimelineEvent,
} from '../src/index.js';
import { mixApp } from './helpers.js';

function ev(tick: number, source: string, seq: number, payload = 0): TimelineEvent<number> {
  return { tick, source, seq, payload };
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TimelineError);
    expect((err as TimelineError).code).toBe(code);
    return;
  }
  throw new Error(`expected TimelineError(${code})`);
}

describe('compareEvents', () => {
  it('orders by tick, then source by UTF-16 code units (not locale), then seq', () => {
    const list = [
      ev(2, 'b', 1),
      ev(1, 'é', 1),
      ev(1, 'z', 2),
      ev(1, 'B', 1),
      ev(1, 'z', 1),
      ev(1, '\u{1F600}', 1),
      ev(1, '\uFFFF', 1),
    ];
    list.sort(compareEvents);
    expect(list.map((e) => `${e.tick}${e.source}${e.seq}`)).toEqual([
      '1B1',
      '1z1',
      '1z2',
      '1é1',
      '1\u{1F600}1', // a surrogate pair (0xD83D...) sorts before U+FFFF by code units
      '1\uFFFF1',
      '2b1',
    ]);
    expect(compareEvents(ev(1, 'a', 1), ev(1, 'a', 1))).toBe(0);
  });

  it('is a total order consistent with the timeline application order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5), fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 5 }))),
        (raw) => {
          const events = raw.map(([t, s, q]) => ev(t, s || 'x', q));
          const sorted = [...events].sort(compareEvents);
          for (let i = 1; i < sorted.length; i++)
            expect(compareEvents(sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});

describe('Timeline basics', () => {
  it('applies events at their tick before app.tick, in (source, seq) order', () => {
    const seen: string[] = [];
    const app: App<{ log: string[] }, string> = {
      init: () => ({ log: [] }),
      tick: (s, ctx) => {
        seen.push(`tick${ctx.tick}`);
        s.log.push(`t${ctx.tick}`);
      },
      event: (s, e, ctx) => {
        seen.push(`${e}@${ctx.tick}:${ctx.source}/${ctx.seq}`);
        s.log.push(e);
      },
    };
    const tl = new Timeline(app);
    expect(tl.insert({ tick: 1, source: 'b', seq: 1, payload: 'B1' })).toBe('scheduled');
    expect(tl.insert({ tick: 1, source: 'a', seq: 2, payload: 'A2' })).toBe('scheduled');
    expect(tl.insert({ tick: 1, source: 'a', seq: 1, payload: 'A1' })).toBe('scheduled');
    expect(tl.insert({ tick: 0, source: 'c', seq: 1, payload: 'C1' })).toBe('scheduled');
    tl.advance(2);
    expect(seen).toEqual(['C1@0:c/1', 'tick0', 'A1@1:a/1', 'A2@1:a/2', 'B1@1:b/1', 'tick1']);
    expect(tl.tick).toBe(2);
    expect(tl.state.log).toEqual(['C1', 't0', 'A1', 'A2', 'B1', 't1']);
  });

  it('an event stamped with the current tick is scheduled, one tick older is late', () => {
    const tl = new Timeline(rectangleApp);
    tl.advance(5);
    expect(tl.insert({ tick: 5, source: 'a', seq: 1, payload: RectangleKeys.right })).toBe('scheduled');
    expect(tl.state.x).toBe(0);
    expect(tl.insert({ tick: 4, source: 'b', seq: 1, payload: RectangleKeys.down })).toBe('late');
    expect(tl.state).toEqual({ x: 0, y: 2, dx: 0, dy: 1 });
    expect(tl.stats()).toMatchObject({
      lateEvents: 1,
      ticksTravelledBack: 1,
      rollbacks: 1,
      ticksSimulated: 5,
    });
  });

  it('accepts events that return a new state instead of mutating', () => {
    const app: App<{ readonly n: number }, number> = {
      init: () => ({ n: 0 }),
      tick: (s) => ({ n: s.n + 1 }),
      event: (s, e) => ({ n: s.n * e }),
    };
    const tl = new Timeline(app, { snapshotEvery: 2 });
    tl.advance(4);
    tl.insert({ tick: 1, source: 'a', seq: 1, payload: 10 });
    // t0: 0 -> 1; t1: *10 = 10 -> 11; t2 -> 12; t3 -> 13
    expect(tl.state.n).toBe(13);
  });

  it('counts duplicates, including the same event inside one batch', () => {
    const tl = new Timeline(mixApp);
    expect(tl.insert(ev(3, 'a', 1))).toBe('scheduled');
    expect(tl.insert(ev(3, 'a', 1))).toBe('duplicate');
    expect(tl.insertMany([ev(4, 'a', 2), ev(4, 'a', 2), ev(3, 'a', 1)])).toEqual({
      scheduled: 1,
      late: 0,
      duplicates: 2,
      tooOld: 0,
    });
    expect(tl.stats().duplicates).toBe(3);
    expect(tl.stats().eventsHeld).toBe(2);
  });

  it('keeps the frontier at the highest contiguous seq, and serves repairs with eventsFrom', () => {
    const tl = new Timeline(mixApp);
    tl.insertMany([ev(1, 'a', 1), ev(2, 'a', 2), ev(9, 'a', 4), ev(5, 'b', 2)]);
    expect(Object.fromEntries(tl.frontier())).toEqual({ a: 2 });
    expect(tl.maxSeq('a')).toBe(4);
    expect(tl.maxSeq('b')).toBe(2);
    expect(tl.maxSeq('nobody')).toBe(0);
    expect(tl.has('a', 3)).toBe(false);
    expect(tl.has('a', 4)).toBe(true);
    tl.insert(ev(5, 'a', 3));
    expect(tl.frontier().get('a')).toBe(4);
    tl.insert(ev(1, 'b', 1));
    expect(tl.frontier().get('b')).toBe(2);
    expect(tl.eventsFrom('a', 2, 3).map((e) => e.seq)).toEqual([2, 3]);
    expect(tl.eventsFrom('a', 0, 1e9).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(tl.eventsFrom('a', 5, 9)).toEqual([]);
    expect(tl.eventsFrom('zz', 1, 9)).toEqual([]);
  });

  it('eventsFrom returns the inserted objects, extra fields included', () => {
    const tl = new Timeline(mixApp);
    const signed = { ...ev(1, 'a', 1), signature: new Uint8Array([1, 2, 3]) };
    tl.insert(signed);
    expect(tl.eventsFrom('a', 1, 1)[0]).toBe(signed);
  });

  it('hashAt answers for the present, the base and ring snapshots only', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 5 });
    const h0 = tl.hash();
    tl.insert(ev(2, 'a', 1, 3));
    tl.advance(5);
    const h5 = tl.hash();
    tl.advance(7);
    expect(tl.hashAt(0)).toBe(h0);
    expect(tl.hashAt(5)).toBe(h5);
    expect(tl.hashAt(12)).toBe(tl.hash());
    expect(tl.hashAt(6)).toBeUndefined();
    expect(tl.hashAt(99)).toBeUndefined();
  });
});

describe('Timeline hashEvery', () => {
  it('records hashes of passed ticks, rewritten by re-simulation, bounded by maxHashes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 39 }),
        (every, k, lateTick) => {
          const tl = new Timeline(mixApp, {
            hashEvery: every,
            maxHashes: 100,
            snapshotEvery: k,
            maxSnapshots: 2,
          });
          tl.insert(ev(3, 'a', 1, 2));
          tl.advance(40);
          tl.insert(ev(lateTick, 'b', 1, 4));
          const ref = new Timeline(mixApp, { snapshotEvery: 1000 });
          ref.insertMany([ev(3, 'a', 1, 2), ev(lateTick, 'b', 1, 4)]);
          for (let t = 0; t <= 40; t++) {
            if (t % every === 0) expect(tl.hashAt(t)).toBe(ref.hash());
            ref.advance(1);
          }
        },
      ),
      { numRuns: 40 },
    );
    const tl = new Timeline(mixApp, { hashEvery: 2, maxHashes: 3 });
    tl.advance(20);
    expect(tl.hashAt(16)).toBeDefined();
    expect(tl.hashAt(14)).toBeUndefined();
    expect(tl.hashAt(22)).toBeUndefined();
  });

  it('reports an unhashable state as an app error instead of stopping', () => {
    const errors: unknown[] = [];
    const app: App<{ f?: () => void }, number> = {
      init: () => ({}),
      tick: (s, ctx) => {
        if (ctx.tick === 3) s.f = () => {};
      },
      event: () => {},
      snapshot: (s) => ({ ...s }),
      restore: (s) => ({ ...s }),
    };
    const tl = new Timeline(app, { hashEvery: 2, onAppError: (e) => errors.push(e) });
    tl.advance(6);
    expect(tl.tick).toBe(6);
    expect(tl.hashAt(2)).toBeDefined();
    expect(tl.hashAt(4)).toBeUndefined();
    expect((errors[0] as TimelineError).code).toBe('UNHASHABLE');
    expect(tl.stats().appErrors).toBe(2);
  });
});

describe('Timeline compaction', () => {
  it('refuses events before the base as too-old and counts them', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 5 });
    tl.insert(ev(3, 'a', 1));
    tl.advance(20);
    tl.compact(12);
    expect(tl.stats().baseTick).toBe(10);
    expect(tl.stats().eventsHeld).toBe(0);
    expect(tl.insert(ev(9, 'b', 1))).toBe('too-old');
    expect(tl.insert(ev(10, 'b', 1))).toBe('late');
    expect(tl.insert(ev(3, 'a', 1))).toBe('duplicate');
    expect(tl.has('a', 1)).toBe(true);
    expect(tl.eventsFrom('a', 1, 1)).toEqual([]);
    expect(tl.stats().tooOld).toBe(1);
    expect(tl.baseSnapshot().frontier).toEqual([['a', 1]]);
    expect(() => tl.resimulateFrom(9)).toThrow(TimelineError);
  });

  it('gives up seqs never received below the folded ones', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 1 });
    tl.insertMany([ev(1, 'a', 1), ev(3, 'a', 3), ev(30, 'a', 4)]);
    tl.advance(10);
    expect(tl.frontier().get('a')).toBe(1);
    tl.compact(5);
    // seq 2 (tick <= 3) can never be applied any more: the frontier moves past it.
    expect(tl.frontier().get('a')).toBe(4);
    expect(tl.has('a', 2)).toBe(false);
    expect(tl.insert(ev(2, 'a', 2))).toBe('too-old');
    expect(tl.has('a', 4)).toBe(true);
    expect(tl.eventsFrom('a', 1, 9).map((e) => e.seq)).toEqual([4]);
    expect(tl.baseSnapshot().frontier).toEqual([['a', 3]]);
  });

  it('a base snapshot lists the seqs given up below its frontier, and a timeline started from it keeps them', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 1 });
    tl.insertMany([ev(1, 'a', 1), ev(3, 'a', 3), ev(30, 'a', 4), ev(2, 'b', 1)]);
    tl.advance(10);
    tl.compact(5);
    const snap = tl.baseSnapshot();
    expect(snap.frontier).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(snap.skipped).toEqual([['a', [2, 2]]]);
    const joined = Timeline.fromSnapshot(mixApp, snap, { snapshotEvery: 1 });
    expect(joined.has('a', 2)).toBe(false);
    expect(joined.has('a', 3)).toBe(true);
    joined.advance(10);
    joined.compact(8);
    expect(joined.baseSnapshot().skipped).toEqual([['a', [2, 2]]]);
    // Without a hole the field is absent.
    expect('skipped' in new Timeline(mixApp).baseSnapshot()).toBe(false);
  });

  it('refuses a snapshot whose skipped seqs are malformed', () => {
    const snap = new Timeline(mixApp).baseSnapshot();
    const bad = { ...snap, frontier: [['a', 3]], skipped: [['a', [2]]] } as typeof snap;
    expect(() => Timeline.fromSnapshot(mixApp, bad)).toThrow(TimelineError);
    const unknown = { ...snap, frontier: [['a', 3]], skipped: [['b', [1, 1]]] } as typeof snap;
    expect(() => Timeline.fromSnapshot(mixApp, unknown)).toThrow(TimelineError);
  });

  it('compacting to the present folds everything applied so far', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 1000 });
    tl.insertMany([ev(1, 'a', 1), ev(7, 'b', 1), ev(50, 'b', 2)]);
    tl.advance(7);
    const h = tl.hash();
    tl.compact(1e6);
    expect(tl.stats().baseTick).toBe(7);
    expect(tl.hashAt(7)).toBe(h);
    expect(tl.stats().eventsHeld).toBe(2);
    const snap = tl.baseSnapshot();
    expect(snap.tick).toBe(7);
    expect(snap.frontier).toEqual([['a', 1]]);
    expect(snap.random).toHaveLength(4);
  });

  it('does nothing without a snapshot between the base and beforeTick', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 100 });
    tl.advance(50);
    tl.compact(40);
    expect(tl.stats().baseTick).toBe(0);
    tl.compact(-5);
    expect(tl.stats().baseTick).toBe(0);
  });

  it('refuses to compact past snapshots the ring has overwritten, and returns the base it moved to', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 10, maxSnapshots: 3 });
    tl.insert(ev(5, 'a', 1));
    tl.advance(100);
    // The ring holds ticks 80, 90, 100: a base at or before tick 50 is gone.
    expectCode(() => tl.compact(50), 'NO_SNAPSHOT');
    expect(tl.stats().baseTick).toBe(0);
    expect(tl.stats().eventsHeld).toBe(1);
    expect(tl.compact(85)).toBe(80);
    expect(tl.stats().baseTick).toBe(80);
    expect(tl.compact(60)).toBe(80);
  });

  it('a joiner treats folded events as duplicates and older unfolded ones as too-old', () => {
    const a = new Timeline(mixApp, { snapshotEvery: 4 });
    a.insertMany([ev(1, 'a', 1), ev(2, 'a', 2), ev(9, 'a', 3)]);
    a.advance(10);
    a.compact(8);
    const snap = a.baseSnapshot();
    expect(snap.tick).toBe(8);
    const b = Timeline.fromSnapshot(mixApp, snap);
    expect(b.tick).toBe(8);
    expect(b.frontier().get('a')).toBe(2);
    expect(b.insert(ev(2, 'a', 2))).toBe('duplicate');
    expect(b.insert(ev(5, 'x', 1))).toBe('too-old');
    expect(b.insert(ev(9, 'a', 3))).toBe('scheduled');
    b.advance(2);
    expect(b.hash()).toBe(a.hash());
    // The snapshot handed over is a copy: mutating it changes neither timeline.
    snap.state.n = 12345;
    expect(a.baseSnapshot().state.n).not.toBe(12345);
  });
});

describe('Timeline errors', () => {
  it('throws typed errors on malformed events and counts them', () => {
    const tl = new Timeline(mixApp);
    expectCode(() => tl.insert(ev(1.5, 'a', 1)), 'BAD_TICK');
    expectCode(() => tl.insert(ev(-1, 'a', 1)), 'BAD_TICK');
    expectCode(() => tl.insert(ev(Number.NaN, 'a', 1)), 'BAD_TICK');
    expectCode(() => tl.insert(ev(2 ** 53, 'a', 1)), 'BAD_TICK');
    expectCode(
      () => tl.insert({ tick: '1', source: 'a', seq: 1, payload: 0 } as unknown as TimelineEvent<number>),
      'BAD_TICK',
    );
    expectCode(() => tl.insert(ev(1, 'a', 0)), 'BAD_SEQ');
    expectCode(() => tl.insert(ev(1, 'a', 1.5)), 'BAD_SEQ');
    expectCode(() => tl.insert(ev(1, 'a', -3)), 'BAD_SEQ');
    expectCode(() => tl.insert(ev(1, '', 1)), 'BAD_SOURCE');
    expectCode(
      () => tl.insert({ tick: 1, source: 7, seq: 1, payload: 0 } as unknown as TimelineEvent<number>),
      'BAD_SOURCE',
    );
    expectCode(() => tl.insert(null as unknown as TimelineEvent<number>), 'BAD_EVENT');
    expect(tl.stats().invalidEvents).toBe(11);
    expect(tl.stats().eventsHeld).toBe(0);
  });

  it('rejects a whole batch with one bad event, adding none of it', () => {
    const tl = new Timeline(mixApp);
    tl.advance(10);
    expectCode(() => tl.insertMany([ev(1, 'a', 1), ev(2, 'a', 0)]), 'BAD_SEQ');
    expect(tl.has('a', 1)).toBe(false);
    expect(tl.stats().rollbacks).toBe(0);
    expectCode(() => tl.insertMany(5 as unknown as TimelineEvent<number>[]), 'BAD_ARGUMENT');
  });

  it('throws typed errors on bad options and arguments', () => {
    expectCode(() => new Timeline(mixApp, { snapshotEvery: 0 }), 'BAD_OPTION');
    expectCode(() => new Timeline(mixApp, { snapshotEvery: 1.5 }), 'BAD_OPTION');
    expectCode(() => new Timeline(mixApp, { maxSnapshots: 0 }), 'BAD_OPTION');
    expectCode(() => new Timeline(mixApp, { seed: 0.5 }), 'BAD_OPTION');
    expectCode(() => new Timeline(null as unknown as App<unknown, unknown>), 'BAD_ARGUMENT');
    const tl = new Timeline(mixApp);
    expectCode(() => tl.advance(-1), 'BAD_ARGUMENT');
    expectCode(() => tl.advance(0.5), 'BAD_ARGUMENT');
    expectCode(() => tl.compact(Number.NaN), 'BAD_ARGUMENT');
    expectCode(() => tl.resimulateFrom(1), 'BAD_ARGUMENT');
    expectCode(() => tl.eventsFrom('a', 0.5, 2), 'BAD_ARGUMENT');
    expectCode(() => tl.insertSmooth([], { stride: 0 }), 'BAD_OPTION');
  });

  it('throws bad-snapshot on malformed snapshots', () => {
    const good = new Timeline(mixApp).baseSnapshot();
    const bad: unknown[] = [
      null,
      { ...good, tick: -1 },
      { ...good, random: [1, 2, 3] },
      { ...good, random: [1, 2, 3, 2 ** 32] },
      { ...good, frontier: 'x' },
      { ...good, frontier: [['a', 1.5]] },
      { ...good, frontier: [['', 1]] },
      {
        ...good,
        frontier: [
          ['a', 1],
          ['a', 2],
        ],
      },
      { tick: 0, random: good.random, frontier: [] },
    ];
    for (const s of bad) {
      expectCode(() => Timeline.fromSnapshot(mixApp, s as typeof good), 'BAD_SNAPSHOT');
    }
  });

  it('refuses to be called from inside an app callback', () => {
    let tl: Timeline<{ n: number }, number> | undefined;
    const errors: unknown[] = [];
    const app: App<{ n: number }, number> = {
      init: () => ({ n: 0 }),
      tick: (s) => {
        s.n++;
        tl!.insert(ev(100, 'x', 1));
      },
      event: () => {},
    };
    tl = new Timeline(app, { onAppError: (e) => errors.push(e) });
    tl.advance(2);
    expect(errors).toHaveLength(2);
    expect((errors[0] as TimelineError).code).toBe('REENTRANT');
    expect(tl.has('x', 1)).toBe(false);
  });

  it('catches and counts app errors, keeps going, and reports them again on re-simulation', () => {
    const where: { tick: number; source?: string; resimulating: boolean }[] = [];
    const app: App<{ n: number }, number> = {
      init: () => ({ n: 0 }),
      tick: (s) => {
        s.n++;
      },
      event: (s, e) => {
        if (e < 0) throw new Error('negative');
        s.n += e;
      },
    };
    const tl = new Timeline(app, {
      onAppError: (_e, w) => {
        where.push({
          tick: w.tick,
          ...(w.source !== undefined ? { source: w.source } : {}),
          resimulating: w.resimulating,
        });
        throw new Error('a throwing handler is ignored too');
      },
    });
    tl.insert(ev(2, 'a', 1, -1));
    tl.advance(5);
    expect(tl.state.n).toBe(5);
    tl.insert(ev(1, 'b', 1, 10));
    expect(tl.state.n).toBe(15);
    expect(tl.stats().appErrors).toBe(2);
    expect(where).toEqual([
      { tick: 2, source: 'a', resimulating: false },
      { tick: 2, source: 'a', resimulating: true },
    ]);
  });

  it('needs structuredClone or app snapshot/restore', () => {
    const g = globalThis as { structuredClone?: unknown };
    const saved = g.structuredClone;
    g.structuredClone = undefined;
    try {
      expectCode(() => new Timeline(mixApp), 'NO_STRUCTURED_CLONE');
      expect(() => new Timeline(rectangleApp)).not.toThrow();
    } finally {
      g.structuredClone = saved;
    }
  });
});

describe('Timeline snapshots', () => {
  it('rolls back through the base when the ring has been overwritten', () => {
    const tl = new Timeline(mixApp, { snapshotEvery: 1, maxSnapshots: 3 });
    tl.advance(40);
    expect(tl.stats().snapshotsHeld).toBe(4);
    expect(tl.insert(ev(2, 'a', 1, 3))).toBe('late');
    expect(tl.stats().ticksResimulated).toBe(40);
    const want = new Timeline(mixApp);
    want.insert(ev(2, 'a', 1, 3));
    want.advance(40);
    expect(tl.hash()).toBe(want.hash());
  });

  it('reuses snapshot buffers when the app supports it', () => {
    let allocations = 0;
    interface S {
      v: Float64Array;
    }
    const app: App<S, number> = {
      init: () => ({ v: new Float64Array(4) }),
      tick: (s, ctx) => {
        s.v[ctx.tick % 4]! += 1;
      },
      event: (s, e) => {
        s.v[0] = e;
      },
      snapshot: (s, reuse) => {
        if (reuse === undefined) {
          allocations++;
          return { v: new Float64Array(s.v) };
        }
        reuse.v.set(s.v);
        return reuse;
      },
      restore: (snap, into) => {
        if (into === undefined) {
          allocations++;
          return { v: new Float64Array(snap.v) };
        }
        into.v.set(snap.v);
        return into;
      },
    };
    const tl = new Timeline(app, { snapshotEvery: 1, maxSnapshots: 8 });
    tl.advance(20);
    const before = allocations;
    for (let i = 0; i < 50; i++) {
      tl.advance(1);
      tl.insert(ev(tl.tick - 5, 'a', i + 1, i));
    }
    expect(allocations).toBe(before);
    expect(before).toBe(1 + 8);
  });
});
