/**
 * Figures a clock keeps instead of recomputing them on every call (the reference's offset, the
 * SYNC schedule, a link's window minimum and noise) always equal the recomputed ones.
 */
import { Clock, type SyncMessage } from '@symmetric/clock-sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkSigma, newLinkState, syncDueTime, takeSample } from '../src/link-state.js';
import { CLOCK_DEFAULTS } from '../src/options.js';

const FPS = 50;

describe('a link state keeps its window minimum and noise figures', () => {
  it('minRtt, noiseSd and sigma equal the recomputed values after every sample', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(
          fc.record({
            // Few distinct RTTs, so that the window's minimum leaves it while a copy may stay.
            rtt: fc.oneof(
              fc.constantFrom(-1, 0, 20, 20, 35, 80),
              fc.double({ min: -5, max: 400, noNaN: true }),
            ),
            tick: fc.double({ min: 0, max: 1e6, noNaN: true }),
            ref: fc.double({ min: 0, max: 1e6, noNaN: true }),
          }),
          { maxLength: 60, size: 'max' },
        ),
        (filterWindow, smoothing, samples) => {
          const o = { ...CLOCK_DEFAULTS, fps: FPS, filterWindow, smoothing, maxTicksPerAdvance: FPS };
          const l = newLinkState('n');
          expect(l.sigma).toBe(linkSigma(l, smoothing));
          expect(l.noiseSd).toBe(Math.sqrt(l.noiseVar));
          for (const s of samples) {
            takeSample(l, s.tick, s.rtt, s.ref, o, 1);
            let min = Number.POSITIVE_INFINITY;
            for (const r of l.rtts) if (r < min) min = r;
            expect(l.rtts.length).toBe(Math.min(filterWindow, l.rtts.length));
            expect(Object.is(l.minRtt, min)).toBe(true);
            expect(Object.is(l.noiseSd, Math.sqrt(l.noiseVar))).toBe(true);
            expect(Object.is(l.sigma, linkSigma(l, smoothing))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** What a scenario does: a clock's call at a time step, to or from one of three neighbours. */
const opArb = fc.record({
  kind: fc.constantFrom('send', 'receive', 'receive', 'step', 'drop', 'adopt'),
  link: fc.integer({ min: 0, max: 2 }),
  dt: fc.integer({ min: 0, max: 400 }),
  delay: fc.integer({ min: 0, max: 120 }),
  tick: fc.integer({ min: 0, max: 400 }),
});

describe('a clock keeps the reference offset and the SYNC schedule', () => {
  it('networkTick equals the estimate, and syncDueAt the schedule, over random SYNC sequences', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 150, size: 'max' }),
        fc.integer({ min: 0, max: 4 }),
        (ops, syncBurst) => {
          const syncIntervalMs = 300;
          const syncBurstIntervalMs = 100;
          const me = new Clock({
            fps: FPS,
            syncIntervalMs,
            syncBurst,
            syncBurstIntervalMs,
            switchAfterMs: 200,
          });
          // Neighbours at different starting points, so that the clock adopts and switches.
          const others = [0, 1, 2].map((k) => {
            const o = new Clock({ fps: FPS });
            o.advance(0);
            o.adopt(k * 40, 0);
            return o;
          });
          const sent = new Map<string, { last: number; count: number }>();
          const pending: { at: number; link: string; msg: SyncMessage }[] = [];
          let now = 0;
          let checks = 0;
          for (const op of ops) {
            now += op.dt;
            const link = `n${op.link}`;
            const other = others[op.link]!;
            if (op.kind === 'send') {
              const due = me.syncDueAt(link);
              expect(me.syncDue(link, now)).toBe(now >= due);
              me.syncFor(link, now);
              const s = sent.get(link) ?? { last: 0, count: 0 };
              s.last = now;
              s.count++;
              sent.set(link, s);
            } else if (op.kind === 'receive') {
              other.advance(now);
              other.onSync('me', me.syncFor(`x${op.link}`, now), now);
              pending.push({ at: now + op.delay, link, msg: other.syncFor('me', now) });
            } else if (op.kind === 'step') me.advance(now);
            else if (op.kind === 'drop') {
              me.dropLink(link);
              sent.delete(link);
            } else me.adopt(op.tick, now);
            for (const p of pending.filter((q) => q.at <= now)) {
              try {
                me.onSync(p.link, p.msg, now);
              } catch {
                // Echoes of a dropped link's SYNCs are refused: the clock is unchanged.
              }
            }
            pending.splice(0, pending.length, ...pending.filter((q) => q.at > now));
            const e = me.estimate(now);
            expect(Object.is(me.networkTick(now), e.networkTick)).toBe(true);
            expect(Object.is(me.clockTick(now), e.clockTick)).toBe(true);
            for (const [id, s] of sent) {
              const gap =
                s.count < syncBurst ? Math.min(syncBurstIntervalMs, syncIntervalMs) : syncIntervalMs;
              expect(me.syncDueAt(id)).toBe(s.last + gap);
              const shadow = { ...newLinkState(id), lastSentAt: s.last, sent: s.count };
              expect(me.syncDueAt(id)).toBe(
                syncDueTime(shadow, { syncIntervalMs, syncBurst, syncBurstIntervalMs }),
              );
            }
            for (const id of ['n0', 'n1', 'n2'])
              if (!sent.has(id)) expect(me.syncDueAt(id)).toBe(Number.NEGATIVE_INFINITY);
            checks++;
          }
          expect(checks).toBe(ops.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('follows a neighbour ahead: networkTick reads its offset, and drops it with the link', () => {
    const a = new Clock({ fps: FPS });
    const b = new Clock({ fps: FPS });
    a.advance(0);
    a.adopt(1000, 0);
    b.advance(0);
    for (let t = 0; t <= 5000; t += 100) {
      a.advance(t);
      b.advance(t);
      b.onSync('a', a.syncFor('b', t), t + 10);
      a.onSync('b', b.syncFor('a', t + 10), t + 20);
    }
    // Three ticks ahead of its reference (within the adoption threshold): the network is behind it.
    b.adopt(b.clockTick(5020) + 3, 5020);
    const e = b.estimate(5020);
    expect(e.reference).toBe('a');
    expect(b.networkTick(5020)).toBe(e.networkTick);
    expect(Math.abs(b.networkTick(5020) - a.clockTick(5020))).toBeLessThan(0.5);
    expect(b.clockTick(5020) - b.networkTick(5020)).toBeGreaterThan(2.5);
    b.dropLink('a');
    expect(b.estimate(5020).reference).toBeUndefined();
    expect(b.networkTick(5020)).toBe(b.clockTick(5020));
  });

  it('keeps the stats keys in their documented order', () => {
    const c = new Clock({ fps: FPS });
    c.advance(0);
    c.advance(100);
    expect(Object.keys(c.stats)).toEqual([
      'syncsSent',
      'syncsReceived',
      'samplesAccepted',
      'samplesFiltered',
      'adoptions',
      'referenceChanges',
      'steps',
      'rejected',
      'ticksRun',
      'witnessed',
      'uncorroborated',
      'lies',
    ]);
    expect(c.stats.ticksRun).toBe(5);
  });
});
