import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type App, checkDeterminism, RectangleKeys, rectangleApp, type TimelineEvent } from '../src/index.js';
import { eventsArb, mixApp } from './helpers.js';

interface N {
  v: number;
}

const keys: TimelineEvent<0 | 1 | 2 | 3 | 4>[] = [
  { tick: 2, source: 'a', seq: 1, payload: RectangleKeys.right },
  { tick: 9, source: 'b', seq: 1, payload: RectangleKeys.down },
  { tick: 9, source: 'a', seq: 2, payload: RectangleKeys.stop },
  { tick: 30, source: 'c', seq: 1, payload: RectangleKeys.left },
];

describe('checkDeterminism (SyncTest)', () => {
  it('passes the rectangle app', () => {
    const r = checkDeterminism(rectangleApp, keys);
    expect(r.ok).toBe(true);
    expect(r.firstMismatchTick).toBeNull();
    expect(r.ticks).toBe(30 + 8 + 1);
    expect(r.rollbacks).toBe(r.ticks);
    expect(r.nondeterministicCalls).toEqual([]);
    expect(r.message).toMatch(/deterministic/);
  });

  it('passes an app that uses ctx.random, Maps and the default structuredClone snapshots', () => {
    fc.assert(
      fc.property(
        eventsArb(30, 20),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (events, depth, k) => {
          const r = checkDeterminism(mixApp, events, { rollbackDepth: depth, snapshotEvery: k });
          expect(r.ok).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('catches an app that calls Math.random()', () => {
    const app: App<N, number> = {
      init: () => ({ v: 0 }),
      tick: (s, ctx) => {
        if (ctx.tick >= 4) s.v += Math.random();
      },
      event: () => {},
    };
    const r = checkDeterminism(app, []);
    expect(r.ok).toBe(false);
    expect(r.firstMismatchTick).toBe(5);
    expect(r.phase).toBe('forward');
    expect(r.expectedHash).not.toBe(r.actualHash);
    expect(r.nondeterministicCalls[0]).toMatchObject({ api: 'Math.random', firstTick: 4 });
    expect(r.message).toMatch(/Math\.random/);
  });

  it('catches an app that reads Date.now(), even within one millisecond', () => {
    const app: App<N, number> = {
      init: () => ({ v: 0 }),
      tick: () => {},
      event: (s) => {
        s.v = Date.now() % 1000;
      },
    };
    const r = checkDeterminism(app, [{ tick: 3, source: 'a', seq: 1, payload: 0 }]);
    expect(r.ok).toBe(false);
    expect(r.firstMismatchTick).toBe(4);
    expect(r.nondeterministicCalls.map((c) => c.api)).toEqual(['Date.now']);
  });

  it('catches new Date() and performance.now()', () => {
    const dateApp: App<N, number> = {
      init: () => ({ v: 0 }),
      tick: (s, ctx) => {
        if (ctx.tick === 2) s.v = new Date().getMilliseconds();
      },
      event: () => {},
    };
    const r1 = checkDeterminism(dateApp, [], { ticks: 5 });
    expect(r1.ok).toBe(false);
    expect(r1.nondeterministicCalls[0]?.api).toBe('new Date()');
    const perfApp: App<N, number> = {
      init: () => ({ v: 0 }),
      tick: (s) => {
        s.v = (globalThis as unknown as { performance: { now(): number } }).performance.now();
      },
      event: () => {},
    };
    const r2 = checkDeterminism(perfApp, [], { ticks: 5 });
    expect(r2.ok).toBe(false);
    expect(r2.nondeterministicCalls[0]?.api).toBe('performance.now');
  });

  it('puts the real globals back afterwards, even when the app throws', () => {
    const random = Math.random;
    const now = Date.now;
    const DateCtor = Date;
    const app: App<N, number> = {
      init: () => {
        throw new Error('init fails');
      },
      tick: () => {},
      event: () => {},
    };
    expect(() => checkDeterminism(app, [])).toThrow('init fails');
    expect(Math.random).toBe(random);
    expect(Date.now).toBe(now);
    expect(Date).toBe(DateCtor);
    checkDeterminism(rectangleApp, keys);
    expect(Math.random).toBe(random);
    expect(Date).toBe(DateCtor);
  });

  it('catches a snapshot that forgets a field, at the first re-simulated tick that shows it', () => {
    interface S {
      x: number;
      hidden: number;
    }
    const app: App<S, number> = {
      init: () => ({ x: 0, hidden: 0 }),
      tick: (s) => {
        s.hidden++;
        s.x += s.hidden;
      },
      event: () => {},
      snapshot: (s) => ({ x: s.x, hidden: 0 }),
      restore: (s) => ({ ...s }),
    };
    const r = checkDeterminism(app, [], { rollbackDepth: 3 });
    expect(r.ok).toBe(false);
    expect(r.phase).toBe('rollback');
    // Restoring tick 0 (init, hidden = 0) is right; restoring the snapshot of tick 1 (hidden
    // lost) first shows in the state at tick 2.
    expect(r.firstMismatchTick).toBe(2);
    expect(r.nondeterministicCalls).toEqual([]);
  });

  it('catches state kept outside the app state', () => {
    let counter = 0;
    const app: App<N, number> = {
      init: () => ({ v: 0 }),
      tick: (s) => {
        counter++;
        s.v = counter;
      },
      event: () => {},
    };
    const r = checkDeterminism(app, [], { ticks: 10 });
    expect(r.ok).toBe(false);
    expect(r.firstMismatchTick).toBe(1);
  });

  it('catches an init that is not a function of the seed', () => {
    let calls = 0;
    const app: App<N, number> = {
      init: () => ({ v: calls++ }),
      tick: () => {},
      event: () => {},
    };
    const r = checkDeterminism(app, []);
    expect(r.ok).toBe(false);
    expect(r.phase).toBe('init');
    expect(r.firstMismatchTick).toBe(0);
  });

  it('rejects bad options with a typed error', () => {
    expect(() => checkDeterminism(rectangleApp, [], { rollbackDepth: 0 })).toThrow(/rollbackDepth/);
    expect(() => checkDeterminism(rectangleApp, [], { ticks: -1 })).toThrow(/ticks/);
  });
});
