import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AheadTicks } from '../src/ahead-ticks.js';

type Op = { kind: 'add'; tick: number } | { kind: 'read'; step: number };

describe('AheadTicks (the ticks ahead that hold events)', () => {
  it('answers every tick that holds events, and exactly for the ticks ahead of the point', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), tick: fc.integer({ min: 0, max: 200 }) }),
      // Mostly the next tick, sometimes a jump ahead, sometimes back (a re-simulation).
      fc.record({ kind: fc.constant('read' as const), step: fc.integer({ min: -30, max: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const ahead = new AheadTicks();
        const holding = new Set<number>();
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            // The log adds a tick when it gets its first event.
            if (!holding.has(o.tick)) ahead.add(o.tick);
            holding.add(o.tick);
            continue;
          }
          const tick = Math.max(0, next + (o.step > 0 ? o.step - 1 : o.step));
          const point = ahead.point;
          const got = ahead.mayHold(tick);
          if (tick < point) expect(got).toBe(true);
          else {
            expect(got).toBe(holding.has(tick));
            expect(ahead.point).toBe(tick + 1);
          }
          next = tick + 1;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the ticks ahead: those passed are dropped, those behind the point never enter', () => {
    const ahead = new AheadTicks();
    for (const t of [9, 3, 7, 5, 3]) ahead.add(t);
    expect(ahead.size).toBe(5);
    expect(ahead.mayHold(2)).toBe(false);
    expect(ahead.mayHold(3)).toBe(true);
    expect(ahead.mayHold(4)).toBe(false);
    // 5 is passed over (never read): dropped, with the stale second 3.
    expect(ahead.mayHold(6)).toBe(false);
    expect(ahead.size).toBe(2);
    ahead.add(4);
    expect(ahead.size).toBe(2);
    expect(ahead.mayHold(4)).toBe(true);
    expect(ahead.mayHold(7)).toBe(true);
    expect(ahead.mayHold(9)).toBe(true);
    expect(ahead.size).toBe(0);
    expect(ahead.point).toBe(10);
  });
});
