import {
  CLOCK_DEFAULTS,
  Clock,
  ClockError,
  type ClockErrorCode,
  isClockError,
  STEP_PHASE,
  type SyncMessage,
} from '@symmetric/clock-sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from './netsim.js';

const FPS = 50;

/** Everything observable about a clock at `now`, as plain data (for "state unchanged" checks). */
function observe(c: Clock, now: number) {
  const e = c.estimate(now);
  const { rejected: _ignored, ...stats } = c.stats;
  return {
    tick: c.tick,
    started: c.started,
    clockTick: c.clockTick(now),
    frequencyPpm: c.frequencyPpm,
    networkTick: e.networkTick,
    uncertaintyTicks: e.uncertaintyTicks,
    reference: e.reference,
    links: [...e.links],
    stats,
  };
}

/**
 * Clock `b` follows clock `a` over a link with fixed one-way latencies (no drift): SYNCs both
 * ways every `period` ms of a shared virtual time, for `until` ms. Returns the clocks.
 */
function follow(opts: { aToB: number; bToA: number; startB: number; until: number; period?: number }) {
  const a = new Clock({ fps: FPS });
  const b = new Clock({ fps: FPS });
  const period = opts.period ?? 250;
  const queue: { at: number; seq: number; run: () => void }[] = [];
  let seq = 0;
  const push = (at: number, run: () => void) => queue.push({ at, seq: seq++, run });
  a.advance(0);
  for (let t = 0; t <= opts.until; t += period) {
    push(t, () => {
      const m = a.syncFor('b', t);
      if (t >= opts.startB) push(t + opts.aToB, () => b.onSync('a', m, t + opts.aToB));
    });
    if (t >= opts.startB) {
      push(t + 7, () => {
        if (!b.started) b.advance(t + 7);
        const m = b.syncFor('a', t + 7);
        push(t + 7 + opts.bToA, () => a.onSync('b', m, t + 7 + opts.bToA));
      });
    }
  }
  queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
  for (let i = 0; i < queue.length; i++) {
    const ev = queue[i]!;
    if (ev.at > opts.until) break;
    ev.run();
    // Events pushed while running land later in time: keep the queue ordered.
    queue.sort((x, y) => (x === ev ? -1 : y === ev ? 1 : x.at - y.at || x.seq - y.seq));
  }
  return { a, b };
}

function expectClockError(f: () => unknown, code: ClockErrorCode): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ClockError);
  expect((caught as ClockError).code).toBe(code);
}

describe('pacing', () => {
  it('runs exactly floor(elapsed × fps / 1000 + STEP_PHASE) ticks at the nominal rate, one call at a time', () => {
    const c = new Clock({ fps: 50 });
    expect(c.advance(1000)).toBe(0);
    let total = 0;
    for (let k = 1; k <= 600; k++) {
      const n = c.advance(1000 + (k * 1000) / 60);
      expect(n === 0 || n === 1).toBe(true);
      total += n;
      expect(c.tick).toBe(Math.floor((k * 1000) / 60 / 20 + STEP_PHASE + 1e-9));
    }
    expect(total).toBe(500);
    expect(c.tick).toBe(500);
    expect(c.stats.ticksRun).toBe(500);
  });

  it('property: any fps and any frame timing give exactly the nominal tick count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 240 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), {
          minLength: 1,
          maxLength: 200,
          size: 'max',
        }),
        (fps, start, gaps) => {
          const c = new Clock({ fps });
          c.advance(start);
          let t = start;
          let sum = 0;
          for (const g of gaps) {
            t += g;
            const n = c.advance(t);
            sum += n;
            expect(Number.isInteger(n) && n >= 0).toBe(true);
            expect(c.tick).toBe(Math.floor(((t - start) * fps) / 1000 + STEP_PHASE + 1e-9));
          }
          expect(sum).toBe(c.tick);
        },
      ),
    );
  });

  it('steps mid-tick: clocks less than half a tick apart read the same tick at the same moment', () => {
    const a = new Clock({ fps: 50 });
    a.advance(0);
    // b starts 4 ms later (a fifth of a tick behind a): at a's frames both read the same tick.
    const b = new Clock({ fps: 50 });
    b.advance(4);
    for (let t = 20; t <= 2000; t += 20) {
      a.advance(t);
      b.advance(t);
      expect(b.tick).toBe(a.tick);
    }
  });

  it('stands still until the first advance, which starts the clock', () => {
    const c = new Clock({ fps: 50 });
    expect(c.clockTick(0)).toBe(0);
    c.syncFor('x', 0);
    // Standing still at half a tick: a runtime stepping from its start on steps mid-tick.
    expect(c.clockTick(5000)).toBe(STEP_PHASE);
    expect(c.started).toBe(false);
    expect(c.advance(5000)).toBe(0);
    expect(c.started).toBe(true);
    expect(c.advance(6000)).toBe(50);
  });
});

describe('bounded catch-up', () => {
  it('runs at most catchUpRate × nominal while behind, never skips, and catches up', () => {
    const c = new Clock({ fps: FPS, catchUpRate: 4 });
    c.advance(0);
    c.adopt(500, 0);
    expect(c.estimate(0).behindTicks).toBe(500);
    let t = 0;
    let sum = 0;
    let caughtUpAt = Number.NaN;
    while (t < 10_000) {
      t += 1000 / 60;
      const n = c.advance(t);
      sum += n;
      // Never more than 4× the nominal rate since the jump (plus one for rounding).
      expect(c.tick).toBeLessThanOrEqual(Math.floor((t * FPS * 4) / 1000) + 1);
      if (Number.isNaN(caughtUpAt) && c.estimate(t).behindTicks === 0) caughtUpAt = t;
    }
    expect(sum).toBe(c.tick);
    // 500 ticks closed at (4 − 1) × 50 ticks/s: about 3.33 s, not faster.
    expect(caughtUpAt).toBeGreaterThan(3200);
    expect(caughtUpAt).toBeLessThan(3500);
    expect(c.tick).toBe(Math.floor(500 + (t * FPS) / 1000 + 1e-9));
  });

  it('returns at most maxTicksPerAdvance from one call (a long pause does not freeze a frame)', () => {
    const c = new Clock({ fps: FPS, maxTicksPerAdvance: 10 });
    c.advance(0);
    expect(c.advance(60_000)).toBe(10);
    expect(c.advance(60_010)).toBeLessThanOrEqual(10);
    expect(c.estimate(60_010).behindTicks).toBeGreaterThan(2900);
  });

  it('with catchUpRate 1 never runs faster than nominal', () => {
    const c = new Clock({ fps: FPS, catchUpRate: 1 });
    c.advance(0);
    c.adopt(100, 0);
    for (let t = 20; t <= 5000; t += 20) {
      const n = c.advance(t);
      expect(n).toBeLessThanOrEqual(1);
    }
    expect(c.estimate(5000).behindTicks).toBe(100);
  });

  it('fastForward moves the tick to a snapshot without simulating, never backward', () => {
    const c = new Clock({ fps: FPS });
    c.advance(0);
    c.fastForward(1000, 100);
    expect(c.tick).toBe(1000);
    // Behind the snapshot: the clock stands where one stepping at its tick does, mid-tick.
    expect(c.clockTick(100)).toBe(1000 + STEP_PHASE);
    c.fastForward(10, 200);
    expect(c.tick).toBe(1000);
    expect(c.advance(300)).toBeLessThanOrEqual(Math.ceil((200 * FPS) / 1000) + 1);
  });
});

/** Arbitrary valid inputs for a clock with neighbours `x`, `y`, `z`, applied in time order. */
const opArb = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), dt: fc.double({ min: 0, max: 400, noNaN: true }) }),
  fc.record({
    kind: fc.constant('sync' as const),
    dt: fc.double({ min: 0, max: 400, noNaN: true }),
    link: fc.constantFrom('x', 'y', 'z'),
    tickDelta: fc.double({ min: -3000, max: 3000, noNaN: true }),
    echo: fc.boolean(),
    rtt: fc.double({ min: 0, max: 800, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('send' as const),
    dt: fc.double({ min: 0, max: 400, noNaN: true }),
    link: fc.constantFrom('x', 'y', 'z'),
  }),
  fc.record({ kind: fc.constant('drop' as const), dt: fc.constant(0), link: fc.constantFrom('x', 'y', 'z') }),
  fc.record({
    kind: fc.constant('adopt' as const),
    dt: fc.double({ min: 0, max: 400, noNaN: true }),
    ahead: fc.double({ min: -100, max: 2000, noNaN: true }),
  }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/** Apply ops to a fresh clock; returns everything it said, and checks the never-go-back rules. */
function run(ops: readonly Op[]): unknown[] {
  const c = new Clock({ fps: FPS });
  const out: unknown[] = [];
  const sent = new Map<string, number[]>();
  let t = 1000;
  c.advance(t);
  let lastClock = c.clockTick(t);
  for (const op of ops) {
    t += op.dt;
    const before = c.tick;
    switch (op.kind) {
      case 'advance':
        out.push(c.advance(t));
        break;
      case 'send': {
        const m = c.syncFor(op.link, t);
        sent.set(op.link, [...(sent.get(op.link) ?? []), t]);
        out.push(m);
        break;
      }
      case 'sync': {
        const times = sent.get(op.link) ?? [];
        const msg: SyncMessage = { time: t * 3 + 17, tick: Math.max(0, c.clockTick(t) + op.tickDelta) };
        const echoTime = times[times.length - 1];
        if (op.echo && echoTime !== undefined) {
          // A round trip consistent with the elapsed time: rtt + hold = now − echo.time.
          const span = t - echoTime;
          msg.echo = { time: echoTime, holdMs: span - Math.min(op.rtt, span) };
        }
        try {
          c.onSync(op.link, msg, t);
        } catch (error) {
          // A far lead the other neighbours contradict is refused (the clock unchanged).
          if (!isClockError(error, 'CLOCK_LIE')) throw error;
          out.push('lie');
        }
        out.push(c.estimate(t).networkTick);
        break;
      }
      case 'drop':
        c.dropLink(op.link);
        sent.delete(op.link);
        break;
      case 'adopt':
        c.adopt(Math.max(0, c.clockTick(t) + op.ahead), t);
        break;
    }
    expect(c.tick).toBeGreaterThanOrEqual(before);
    const clock = c.clockTick(t);
    expect(clock).toBeGreaterThanOrEqual(lastClock - 1e-9);
    lastClock = clock;
    out.push(c.tick, clock, c.frequencyPpm);
  }
  out.push(c.stats);
  return out;
}

describe('never going back', () => {
  it('property: whatever the neighbours say, the tick and the clock never decrease', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120, size: 'max' }), (ops) => {
        run(ops);
      }),
      { numRuns: 200 },
    );
  });

  it('a neighbour far behind (restarted) does not pull the clock back; one slightly behind only slows it', () => {
    const { a } = follow({ aToB: 20, bToA: 20, startB: 0, until: 2000 });
    const before = a.clockTick(2000);
    // A restarted neighbour appears at tick 0.
    const fresh = new Clock({ fps: FPS });
    fresh.advance(2000);
    a.onSync('z', fresh.syncFor('a', 2000), 2010);
    expect(a.clockTick(2010)).toBeGreaterThanOrEqual(before);
    expect(a.clockTick(3010) - a.clockTick(2010)).toBeGreaterThan(49);
  });
});

describe('input validation', () => {
  const now = 5000;
  function primed(): Clock {
    const c = new Clock({ fps: FPS });
    c.advance(1000);
    c.syncFor('n', 1000);
    c.onSync('n', { time: 77, tick: 10, echo: { time: 1000, holdMs: 5 } }, 1100);
    c.advance(2000);
    return c;
  }
  const bad: [string, unknown, ClockErrorCode][] = [
    ['null', null, 'BAD_MESSAGE'],
    ['a string', 'sync', 'BAD_MESSAGE'],
    ['NaN time', { time: Number.NaN, tick: 1 }, 'BAD_MESSAGE'],
    ['infinite tick', { time: 1, tick: Number.POSITIVE_INFINITY }, 'BAD_MESSAGE'],
    ['negative tick', { time: 1, tick: -1 }, 'BAD_MESSAGE'],
    ['tick beyond 2^53', { time: 1, tick: 2 ** 60 }, 'BAD_MESSAGE'],
    ['string tick', { time: 1, tick: '5' }, 'BAD_MESSAGE'],
    ['echo not an object', { time: 1, tick: 1, echo: 5 }, 'BAD_MESSAGE'],
    ['negative hold', { time: 1, tick: 1, echo: { time: 1000, holdMs: -1 } }, 'BAD_MESSAGE'],
    ['NaN echo time', { time: 1, tick: 1, echo: { time: Number.NaN, holdMs: 1 } }, 'BAD_MESSAGE'],
    ['echo from the future', { time: 1, tick: 1, echo: { time: now + 1, holdMs: 0 } }, 'BAD_ECHO'],
    ['echo before anything was sent', { time: 1, tick: 1, echo: { time: 999, holdMs: 0 } }, 'BAD_ECHO'],
    [
      'echo implying a negative round trip',
      { time: 1, tick: 1, echo: { time: 1000, holdMs: 4500 } },
      'BAD_ECHO',
    ],
  ];
  it.each(bad)('rejects a SYNC with %s (typed error, counted, state unchanged)', (_label, msg, code) => {
    const c = primed();
    const before = observe(c, now);
    const rejected = c.stats.rejected;
    expectClockError(() => c.onSync('n', msg as SyncMessage, now), code);
    expect(observe(c, now)).toEqual(before);
    expect(c.stats.rejected).toBe(rejected + 1);
  });

  it('rejects an echo on a link this clock never sent on', () => {
    const c = primed();
    expectClockError(
      () => c.onSync('other', { time: 1, tick: 1, echo: { time: 1000, holdMs: 0 } }, now),
      'BAD_ECHO',
    );
  });

  it('rejects bad times, links and ticks with typed errors, state unchanged', () => {
    const c = primed();
    const before = observe(c, now);
    expectClockError(() => c.advance(Number.NaN), 'BAD_TIME');
    expectClockError(() => c.advance(Number.POSITIVE_INFINITY), 'BAD_TIME');
    expectClockError(() => c.advance(999), 'TIME_WENT_BACKWARDS');
    expectClockError(() => c.syncFor('', now), 'BAD_LINK');
    expectClockError(() => c.onSync(5 as unknown as string, { time: 1, tick: 1 }, now), 'BAD_LINK');
    expectClockError(() => c.adopt(-1, now), 'BAD_TICK');
    expectClockError(() => c.adopt(Number.NaN, now), 'BAD_TICK');
    expectClockError(() => c.fastForward(1.5, now), 'BAD_TICK');
    expectClockError(() => c.estimate(10), 'TIME_WENT_BACKWARDS');
    expect(observe(c, now)).toEqual(before);
    expect(c.stats.rejected).toBe(9);
  });

  it('takes a time up to 1 s stale as the latest one (a frame stamped before the last call)', () => {
    const c = primed();
    const tick = c.tick;
    expect(c.advance(1500)).toBe(0);
    expect(c.tick).toBe(tick);
    expect(c.syncFor('n', 1900).time).toBe(2000);
    expect(c.stats.rejected).toBe(0);
  });

  it.each([
    [{ fps: 0 }],
    [{ fps: Number.NaN }],
    [{ fps: 2000 }],
    [{ fps: 50, catchUpRate: 0.5 }],
    [{ fps: 50, maxSlew: 0.6 }],
    [{ fps: 50, filterWindow: 0 }],
    [{ fps: 50, maxTicksPerAdvance: 1.5 }],
    [{ fps: 50, smoothing: 0 }],
  ])('rejects options %j with BAD_OPTIONS', (options) => {
    expectClockError(() => new Clock(options), 'BAD_OPTIONS');
  });

  it('fills in documented defaults', () => {
    const c = new Clock({ fps: 60 });
    expect(c.options).toMatchObject({ ...CLOCK_DEFAULTS, fps: 60, maxTicksPerAdvance: 60 });
  });
});

describe('agreement between two clocks', () => {
  it('compensates the round trip: a late starter agrees to within a fraction of a tick', () => {
    // 100 ms each way = 5 ticks: ignoring transit (the paper) would leave B 5 ticks behind.
    const { a, b } = follow({ aToB: 100, bToA: 100, startB: 3000, until: 8000 });
    expect(b.estimate(8000).reference).toBe('a');
    expect(Math.abs(b.clockTick(8000) - a.clockTick(8000))).toBeLessThan(0.05);
    const link = b.estimate(8000).links.get('a')!;
    expect(link.rttMs).toBeCloseTo(200, 6);
    expect(link.oneWayMs).toBeCloseTo(100, 6);
    expect(Math.abs(link.offsetTicks)).toBeLessThan(0.05);
    expect(b.stats.adoptions).toBeGreaterThanOrEqual(1);
    expect(a.estimate(8000).reference).toBeUndefined();
  });

  it("networkTick is the estimate's networkTick, without the estimate", () => {
    const fresh = new Clock({ fps: FPS });
    expect(fresh.networkTick(0)).toBe(fresh.estimate(0).networkTick);
    expectClockError(() => fresh.networkTick(Number.NaN), 'BAD_TIME');
    const { a, b } = follow({ aToB: 40, bToA: 90, startB: 2000, until: 8000 });
    for (let t = 8000; t < 12_000; t += 137) {
      for (const c of [a, b]) expect(c.networkTick(t)).toBe(c.estimate(t).networkTick);
    }
  });

  it("an estimate's per-link figures are those of its instant, even when read after later SYNCs", () => {
    const { a, b } = follow({ aToB: 40, bToA: 90, startB: 2000, until: 8000 });
    const read = b.estimate(8000); // read at once
    const now = [...read.links];
    const later = b.estimate(8000); // read only after the link state changed
    for (let t = 8000; t < 9000; t += 100) {
      b.onSync('a', a.syncFor('b', t), t + 40);
      a.onSync('b', b.syncFor('a', t + 40), t + 130);
    }
    expect(b.estimate(9000).links.get('a')!.samples).toBeGreaterThan(now[0]![1].samples);
    expect([...later.links]).toEqual(now);
    expect(later.links).toBe(later.links);
  });

  it('matches within the asymmetry limit: half the difference of the one-way delays', () => {
    const { a, b } = follow({ aToB: 40, bToA: 80, startB: 1000, until: 8000 });
    // B reads A's tick 40 ms late but assumes (40 + 80) / 2 = 60 ms: 20 ms = 1 tick ahead.
    expect(b.clockTick(8000) - a.clockTick(8000)).toBeCloseTo(1, 1);
  });

  it('drops round-trip outliers (queueing spikes) with the minimum-RTT filter', () => {
    const b = new Clock({ fps: FPS });
    b.advance(0);
    for (let t = 0; t < 4000; t += 250) {
      b.syncFor('a', t);
      b.onSync('a', { time: t, tick: (t * FPS) / 1000 + 1, echo: { time: t, holdMs: 0 } }, t + 40);
    }
    const offset = b.estimate(4040).links.get('a')!.offsetTicks;
    const filtered = b.stats.samplesFiltered;
    b.syncFor('a', 4250);
    // This SYNC sat 900 ms in a queue: its round trip says nothing reliable.
    b.onSync('a', { time: 0, tick: (4250 * FPS) / 1000 + 1, echo: { time: 4250, holdMs: 0 } }, 5150);
    expect(b.stats.samplesFiltered).toBe(filtered + 1);
    expect(b.estimate(5150).links.get('a')!.offsetTicks).toBeCloseTo(offset, 1);
  });

  it('learns a drifting oscillator: with a 200 ppm slow clock, stays within a fraction of a tick', () => {
    const r = simulate({
      seed: 3,
      peers: 2,
      edges: [[0, 1]],
      fps: FPS,
      durationMs: 600_000,
      warmupMs: 60_000,
      latency: { meanMs: 30, sdMs: 0 },
      startJitterMs: 5000,
      driftPpm: 0,
      drifts: [200, -200],
      syncIntervalMs: 250,
      frameMs: 1000 / 60,
      sampleEveryMs: 1000,
      makeClock: (fps) => new Clock({ fps }),
    });
    expect(r.clockSkewMs.max).toBeLessThan(2);
    expect(r.skew.max).toBeLessThanOrEqual(1);
  });
});

describe('dropLink', () => {
  it('forgets the link: no estimate, no reference, its old echoes are refused, the clock keeps its pace', () => {
    const { b } = follow({ aToB: 50, bToA: 50, startB: 1000, until: 3000 });
    expect(b.estimate(3000).reference).toBe('a');
    b.dropLink('a');
    const e = b.estimate(3000);
    expect(e.reference).toBeUndefined();
    expect(e.links.has('a')).toBe(false);
    expect(e.uncertaintyTicks).toBe(0);
    expectClockError(
      () => b.onSync('a', { time: 1, tick: 1, echo: { time: 2500, holdMs: 0 } }, 3000),
      'BAD_ECHO',
    );
    const tick = b.tick;
    b.advance(4000);
    expect(b.tick - tick).toBeGreaterThanOrEqual(49);
    expect(b.tick - tick).toBeLessThanOrEqual(51);
  });

  it('ignores links it does not know', () => {
    const c = new Clock({ fps: FPS });
    expect(() => c.dropLink('nope')).not.toThrow();
  });
});

describe('SYNC messages and estimates', () => {
  it('echoes the last SYNC received on the link with its hold time', () => {
    const c = new Clock({ fps: FPS });
    c.advance(0);
    expect(c.syncFor('n', 100)).toEqual({ time: 100, tick: 5 + STEP_PHASE });
    c.onSync('n', { time: 1234, tick: 5 }, 5000);
    const m = c.syncFor('n', 5100);
    expect(m.echo).toEqual({ time: 1234, holdMs: 100 });
    expect(m.time).toBe(5100);
  });

  it('says when a SYNC is due', () => {
    const c = new Clock({ fps: FPS, syncIntervalMs: 300 });
    expect(c.syncDue('n', 0)).toBe(true);
    c.syncFor('n', 0);
    expect(c.syncDue('n', 299)).toBe(false);
    expect(c.syncDue('n', 300)).toBe(true);
  });

  it('spaces the first syncBurst SYNCs of a link by syncBurstIntervalMs, then by syncIntervalMs', () => {
    const c = new Clock({ fps: FPS, syncIntervalMs: 1000, syncBurst: 3, syncBurstIntervalMs: 250 });
    expect(c.syncDueAt('n')).toBe(Number.NEGATIVE_INFINITY);
    c.syncFor('n', 0);
    expect(c.syncDueAt('n')).toBe(250);
    expect(c.syncDue('n', 249)).toBe(false);
    expect(c.syncDue('n', 250)).toBe(true);
    c.syncFor('n', 250);
    expect(c.syncDue('n', 500)).toBe(true);
    c.syncFor('n', 500); // the third: the burst is over
    expect(c.syncDueAt('n')).toBe(1500);
    expect(c.syncDue('n', 1499)).toBe(false);
    expect(c.syncDue('n', 1500)).toBe(true);
    c.dropLink('n'); // a new link starts a new burst
    expect(c.syncDueAt('n')).toBe(Number.NEGATIVE_INFINITY);
    expect(c.syncDue('n', 1500)).toBe(true);
    c.syncFor('n', 1500);
    expect(c.syncDue('n', 1750)).toBe(true);
  });

  it('a lone clock is the network: estimate equals its own clock with no uncertainty', () => {
    const c = new Clock({ fps: FPS });
    c.advance(0);
    const e = c.estimate(1000);
    expect(e.networkTick).toBe(50 + STEP_PHASE);
    expect(e.clockTick).toBe(50 + STEP_PHASE);
    expect(e.uncertaintyTicks).toBe(0);
    expect(e.links.size).toBe(0);
  });

  it('a follower estimates the network tick as its reference and reports a small uncertainty', () => {
    const { a, b } = follow({ aToB: 50, bToA: 50, startB: 1000, until: 5000 });
    const e = b.estimate(5000);
    expect(Math.abs(e.networkTick - a.clockTick(5000))).toBeLessThan(0.05);
    expect(e.uncertaintyTicks).toBeLessThan(0.5);
  });
});

describe('determinism', () => {
  it('property: the same inputs give the same outputs', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80, size: 'max' }), (ops) => {
        expect(run(ops)).toEqual(run(ops));
      }),
      { numRuns: 100 },
    );
  });
});
