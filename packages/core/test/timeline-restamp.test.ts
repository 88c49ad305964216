import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timeline, TimelineError, type TimelineEvent } from '../src/index.js';
import { mixApp } from './helpers.js';

const ev = (
  source: string,
  seq: number,
  tick: number,
  payload: number,
  restamps?: number,
): TimelineEvent<number> =>
  restamps === undefined ? { source, seq, tick, payload } : { source, seq, tick, payload, restamps };

/** Events applied by a timeline that holds `events`, run to `until`, as `source#seq`. */
function applied(events: readonly TimelineEvent<number>[], until: number): string[] {
  const tl = new Timeline(mixApp, { seed: 1 });
  tl.insertMany(events);
  tl.advance(until);
  return tl.state.last.map(([s, q]) => `${s}#${q}`);
}

describe('re-stamps', () => {
  it('a re-stamp is applied when its original is not in the history', () => {
    expect(applied([ev('a', 1, 2, 5), ev('a', 3, 8, 7, 2)], 10)).toEqual(['a#1', 'a#3']);
  });

  it('a re-stamp is skipped when its original is in the history: the action is applied once', () => {
    expect(applied([ev('a', 1, 2, 5), ev('a', 2, 4, 7), ev('a', 3, 8, 7, 2)], 10)).toEqual(['a#1', 'a#2']);
  });

  it('an original arriving after its re-stamp was applied rolls back and the re-stamp is skipped', () => {
    const tl = new Timeline(mixApp, { seed: 1 });
    tl.insert(ev('a', 3, 8, 7, 2));
    tl.advance(10);
    expect(tl.state.n).toBe(1);
    tl.insert(ev('a', 2, 4, 7));
    expect(tl.state.last).toEqual([['a', 2]]);
    expect(tl.state.n).toBe(1);
  });

  it('an original folded into the base still makes its re-stamp skipped', () => {
    const tl = new Timeline(mixApp, { seed: 1, snapshotEvery: 5 });
    tl.insertMany([ev('a', 2, 3, 7), ev('a', 3, 20, 7, 2)]);
    tl.advance(12);
    tl.compact(10);
    tl.advance(20);
    expect(tl.state.n).toBe(1);
  });

  it('a re-stamp must name an earlier seq of its source', () => {
    const tl = new Timeline(mixApp, { seed: 1 });
    for (const restamps of [0, 3, 4, 1.5]) {
      const err = (() => {
        try {
          tl.insert(ev('a', 3, 5, 1, restamps));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(TimelineError);
      expect((err as TimelineError).code).toBe('BAD_SEQ');
    }
  });

  it('the same events in any order give the same state (fast-check)', () => {
    const pool = fc.array(
      fc.record({
        seq: fc.integer({ min: 1, max: 8 }),
        tick: fc.integer({ min: 0, max: 40 }),
        back: fc.nat(8),
      }),
      { maxLength: 12, size: 'max' },
    );
    fc.assert(
      fc.property(pool, fc.nat(), (raw, shuffleSeed) => {
        const bySeq = new Map<number, TimelineEvent<number>>();
        for (const r of raw) {
          if (bySeq.has(r.seq)) continue;
          const restamps = r.back === 0 || r.back >= r.seq ? undefined : r.seq - r.back;
          bySeq.set(r.seq, ev('s', r.seq, r.tick, r.seq, restamps));
        }
        const events = [...bySeq.values()];
        const shuffled = [...events].sort(
          (x, y) => ((x.seq * 31 + shuffleSeed) % 17) - ((y.seq * 31 + shuffleSeed) % 17),
        );
        const a = new Timeline(mixApp, { seed: 1 });
        a.insertMany(events);
        a.advance(50);
        const b = new Timeline(mixApp, { seed: 1 });
        b.advance(20);
        for (const e of shuffled) b.insert(e);
        b.advance(30);
        expect(b.hash()).toBe(a.hash());
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
