import type { App, EventContext, TickContext } from './app.js';
import { TimelineError } from './errors.js';
import { stateHashWithWords } from './hash.js';
import { SeededRandom } from './random.js';
import { Timeline, type TimelineEvent } from './timeline.js';

/** Options of {@link checkDeterminism}. */
export interface DeterminismOptions {
  /** Seed for `app.init` and the PRNG. Default 0. */
  seed?: number | undefined;
  /** Ticks to run. Default: the largest event tick + `rollbackDepth` + 1. */
  ticks?: number | undefined;
  /** How far back every forced rollback goes, in ticks (>= 1). Default 8. */
  rollbackDepth?: number | undefined;
  /** Snapshot interval of the rolled-back timeline. Default 1 (restore exactly `rollbackDepth` back). */
  snapshotEvery?: number | undefined;
  /**
   * Replace `Math.random`, `Date.now`, `new Date()` and `performance.now` while the check runs
   * with traps that record the call and return values that differ between the two runs, so an
   * app that uses them is caught even when the clock did not move. Restored afterwards.
   * Default true.
   */
  trapGlobals?: boolean | undefined;
}

/** A non-deterministic global the app called during a {@link checkDeterminism} run. */
export interface NondeterministicCall {
  /** `'Math.random'`, `'Date.now'`, `'new Date()'`, `'Date()'` or `'performance.now'`. */
  readonly api: string;
  /** The tick being simulated at the first call. */
  readonly firstTick: number;
  /** Calls counted over both runs. */
  readonly count: number;
}

/** What {@link checkDeterminism} found. */
export interface DeterminismReport {
  /** True if every hash agreed and no non-deterministic global was called. */
  readonly ok: boolean;
  /** Ticks checked. */
  readonly ticks: number;
  /** Forced rollbacks performed. */
  readonly rollbacks: number;
  /**
   * The first tick whose state hash disagreed with the straight run (state at the start of
   * that tick), or `null`. Tick 0 means `init` itself is not deterministic.
   */
  readonly firstMismatchTick: number | null;
  /** Where the disagreement showed: `init`, the first forward pass, or a re-simulation. */
  readonly phase: 'init' | 'forward' | 'rollback' | null;
  /** The straight run's hash at `firstMismatchTick`. */
  readonly expectedHash: string | null;
  /** The checked run's hash at `firstMismatchTick`. */
  readonly actualHash: string | null;
  /** Non-deterministic globals the app called (empty when `trapGlobals` is off). */
  readonly nondeterministicCalls: readonly NondeterministicCall[];
  /** Errors thrown by app callbacks during the checked run. */
  readonly appErrors: number;
  /** One line for a human. */
  readonly message: string;
}

interface Recorder {
  record(tick: number, hash: string): void;
}

function positiveInt(v: number | undefined, name: string, def: number, min: number): number {
  if (v === undefined) return def;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new TimelineError('BAD_OPTION', `${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * A SyncTest (as in GGPO): run `app` over `events` twice. The first run goes straight ahead
 * and records the state hash (with the PRNG state) at every tick. The second run advances one
 * tick at a time, and after every tick forces a rollback of `rollbackDepth` ticks and
 * re-simulates; every state it passes through must hash like the straight run at the same
 * tick. This catches hidden state outside the app state, `snapshot`/`restore` that miss a
 * field, iteration-order dependence, and calls to `Math.random`, `Date` or `performance.now`
 * (trapped while the check runs).
 *
 * Synchronous, no I/O. Meant for tests: `expect(checkDeterminism(app, events).ok).toBe(true)`.
 */
export function checkDeterminism<S, E>(
  app: App<S, E>,
  events: readonly TimelineEvent<E>[],
  options: DeterminismOptions = {},
): DeterminismReport {
  const seed = options.seed ?? 0;
  const depth = positiveInt(options.rollbackDepth, 'rollbackDepth', 8, 1);
  const snapshotEvery = positiveInt(options.snapshotEvery, 'snapshotEvery', 1, 1);
  let maxTick = 0;
  for (const e of events) if (typeof e?.tick === 'number' && e.tick > maxTick) maxTick = e.tick;
  const ticks = positiveInt(options.ticks, 'ticks', maxTick + depth + 1, 0);

  let currentTick = 0;
  let recorder: Recorder | undefined;
  const words = new Uint32Array(4);
  const record = (tick: number, state: S, random: unknown): void => {
    if (recorder === undefined) return;
    (random as SeededRandom).saveTo(words, 0);
    recorder.record(tick, stateHashWithWords(state, words));
  };
  const wrapped: App<S, E> = {
    init(s: number): S {
      currentTick = 0;
      return app.init(s);
    },
    tick(state: S, ctx: TickContext): S | void {
      currentTick = ctx.tick;
      const r = app.tick(state, ctx);
      record(ctx.tick + 1, r === undefined ? state : (r as S), ctx.random);
      return r;
    },
    event(state: S, e: E, ctx: EventContext): S | void {
      currentTick = ctx.tick;
      return app.event(state, e, ctx);
    },
  };
  if (app.snapshot !== undefined) wrapped.snapshot = (s, r) => app.snapshot!(s, r);
  if (app.restore !== undefined) wrapped.restore = (s, i) => app.restore!(s, i);

  const calls = new Map<string, { firstTick: number; count: number }>();
  let run = 0;
  const traps =
    options.trapGlobals === false
      ? undefined
      : installTraps(
          (api) => {
            const c = calls.get(api);
            if (c === undefined) calls.set(api, { firstTick: currentTick, count: 1 });
            else c.count++;
          },
          () => run,
        );

  let firstMismatchTick: number | null = null;
  let phase: DeterminismReport['phase'] = null;
  let expectedHash: string | null = null;
  let actualHash: string | null = null;
  let rollbacks = 0;
  let appErrors = 0;
  try {
    // Run 1: straight ahead, never restoring a snapshot.
    const expected: (string | undefined)[] = new Array(ticks + 1);
    const straight = new Timeline(wrapped, { seed, snapshotEvery: 2 ** 31 });
    expected[0] = straight.hash();
    straight.insertMany(events);
    recorder = { record: (t, h) => void (expected[t] = h) };
    straight.advance(ticks);
    recorder = undefined;

    // Run 2: one tick at a time, with a forced rollback after each.
    run = 1;
    let mode: 'forward' | 'rollback' = 'forward';
    const checked = new Timeline(wrapped, { seed, snapshotEvery });
    const h0 = checked.hash();
    if (h0 !== expected[0]) {
      firstMismatchTick = 0;
      phase = 'init';
      expectedHash = expected[0] ?? null;
      actualHash = h0;
    } else {
      checked.insertMany(events);
      recorder = {
        record: (t, h) => {
          if (firstMismatchTick === null && h !== expected[t]) {
            firstMismatchTick = t;
            phase = mode;
            expectedHash = expected[t] ?? null;
            actualHash = h;
          }
        },
      };
      for (let t = 1; t <= ticks && firstMismatchTick === null; t++) {
        mode = 'forward';
        checked.advance(1);
        if (firstMismatchTick !== null) break;
        mode = 'rollback';
        checked.resimulateFrom(Math.max(0, t - depth));
        rollbacks++;
      }
      recorder = undefined;
    }
    appErrors = checked.stats().appErrors;
  } finally {
    recorder = undefined;
    traps?.uninstall();
  }

  const nondeterministicCalls: NondeterministicCall[] = [...calls.entries()]
    .map(([api, c]) => ({ api, firstTick: c.firstTick, count: c.count }))
    .sort((a, b) => a.firstTick - b.firstTick || (a.api < b.api ? -1 : 1));
  const ok = firstMismatchTick === null && nondeterministicCalls.length === 0;
  let message: string;
  if (ok) {
    message = `deterministic over ${ticks} ticks with ${rollbacks} forced rollbacks of ${depth} ticks`;
  } else {
    const parts: string[] = [];
    if (firstMismatchTick !== null) {
      parts.push(
        phase === 'init'
          ? 'init(seed) gives different states on two calls'
          : `state at tick ${firstMismatchTick} differs on ${phase === 'forward' ? 'a second run' : 're-simulation after a rollback'}`,
      );
    }
    for (const c of nondeterministicCalls) parts.push(`called ${c.api} (first at tick ${c.firstTick})`);
    message = `not deterministic: ${parts.join('; ')}`;
  }
  return {
    ok,
    ticks,
    rollbacks,
    firstMismatchTick,
    phase,
    expectedHash,
    actualHash,
    nondeterministicCalls,
    appErrors,
    message,
  };
}

interface Traps {
  uninstall(): void;
}

interface PatchableGlobal {
  Date: unknown;
  performance?: { now: () => number };
}

/** Replace the non-deterministic globals with recording traps whose values differ per run. */
function installTraps(note: (api: string) => void, run: () => number): Traps {
  const g = globalThis as unknown as PatchableGlobal;
  const realRandom = Math.random;
  const RealDate = Date;
  const perf = g.performance;
  const realPerfNow = perf?.now;
  const perfOwn = perf !== undefined && Object.hasOwn(perf, 'now');
  // Values come from a PRNG seeded per run, never from a real clock: the check itself stays
  // deterministic, and the two runs see different "times" and "random" numbers.
  const rngs = [new SeededRandom(0x5eed), new SeededRandom(0xbad5eed)];
  const fakeNow = (): number => 1.7e12 + (rngs[run()] ?? rngs[1]!).int(1e9);

  Math.random = () => {
    note('Math.random');
    return (rngs[run()] ?? rngs[1]!).next();
  };
  const TrapDate = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) {
      note('Date()');
      return new RealDate(fakeNow()).toString();
    }
    if (args.length === 0) {
      note('new Date()');
      return Reflect.construct(RealDate, [fakeNow()], new.target);
    }
    return Reflect.construct(RealDate, args, new.target);
  } as unknown as DateConstructor & { now: () => number };
  Object.defineProperty(TrapDate, 'prototype', { value: RealDate.prototype });
  TrapDate.now = () => {
    note('Date.now');
    return fakeNow();
  };
  (TrapDate as unknown as Record<string, unknown>)['UTC'] = RealDate.UTC;
  (TrapDate as unknown as Record<string, unknown>)['parse'] = RealDate.parse;
  g.Date = TrapDate;
  if (perf !== undefined && realPerfNow !== undefined) {
    try {
      perf.now = () => {
        note('performance.now');
        return (rngs[run()] ?? rngs[1]!).next() * 1e6;
      };
    } catch {
      // Some hosts make performance.now read-only: then it is not trapped.
    }
  }
  return {
    uninstall(): void {
      Math.random = realRandom;
      g.Date = RealDate;
      if (perf !== undefined && realPerfNow !== undefined) {
        try {
          if (perfOwn) perf.now = realPerfNow;
          else delete (perf as { now?: () => number }).now;
        } catch {
          // Not trapped in the first place.
        }
      }
    },
  };
}
