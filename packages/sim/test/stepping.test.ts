import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepWithinFrame } from '../src/stepping.js';

describe('stepWithinFrame', () => {
  it('steps each running peer at its own time within the frame, earliest first, the network reaching each time first', async () => {
    let now = 0;
    const log: string[] = [];
    const stepAt = [15, 5, 5, -40];
    await stepWithinFrame(
      {
        peers: 4,
        stepAt,
        running: (i) => i !== 2,
        now: () => now,
        advanceTo: (atMs) => {
          log.push(`advance ${atMs}`);
          now = atMs;
          return undefined;
        },
        step: (i, atMs) => {
          log.push(`step ${i} at ${atMs}`);
          return atMs + 20;
        },
      },
      0,
      20,
    );
    // Peer 3's step was long past (back online): it steps at the frame start; peer 2 is offline.
    expect(log).toEqual(['step 3 at 0', 'advance 5', 'step 1 at 5', 'advance 15', 'step 0 at 15']);
    expect(stepAt).toEqual([35, 25, 5, 20]);
  });

  it('breaks a tie by index even when the peers stepped the other way round the frame before', async () => {
    let now = 0;
    const log: string[] = [];
    const stepAt = [10, 5];
    const run = {
      peers: 2,
      stepAt,
      running: () => true,
      now: () => now,
      advanceTo: (atMs: number) => {
        now = atMs;
        return undefined;
      },
      step: (i: number, atMs: number) => {
        log.push(`${i}@${atMs}`);
        return atMs + (i === 1 ? 20 : 15);
      },
    };
    await stepWithinFrame(run, 0, 20);
    await stepWithinFrame(run, 20, 40);
    expect(log).toEqual(['1@5', '0@10', '0@25', '1@25']);
  });

  it('steps in the order one scan for the earliest (due, index) gives, frame after frame', async () => {
    /** The rule itself: the earliest (due, index) among the peers due within the frame, each time. */
    const reference = (
      stepAt: number[],
      running: boolean[],
      next: (i: number, at: number) => number,
      start: number,
      end: number,
      log: string[],
    ): void => {
      const due = new Map<number, number>();
      for (let j = 0; j < stepAt.length; j++) {
        const d = Math.max(stepAt[j]!, start);
        if (running[j] && d < end) due.set(j, d);
      }
      while (due.size > 0) {
        let best = -1;
        for (const [j, d] of due)
          if (best < 0 || d < due.get(best)! || (d === due.get(best)! && j < best)) best = j;
        const at = due.get(best)!;
        due.delete(best);
        log.push(`${best}@${at}`);
        const n = next(best, at);
        stepAt[best] = n;
        if (Math.max(n, start) < end) due.set(best, Math.max(n, start));
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.record({
            stepAt: fc.array(fc.constantFrom(-30, 0, 2, 5, 7, 10, 15, 20, 25, 40), {
              minLength: n,
              maxLength: n,
            }),
            running: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            gaps: fc.array(fc.constantFrom(1, 3, 5, 10, 20, 21, 40), { minLength: 1, maxLength: 50 }),
          }),
        ),
        async ({ stepAt, running, gaps }) => {
          const a = [...stepAt];
          const b = [...stepAt];
          let ga = 0;
          let gb = 0;
          const got: string[] = [];
          const want: string[] = [];
          let now = 0;
          for (let frame = 0; frame < 8; frame++) {
            const start = frame * 20;
            const end = start + 20;
            await stepWithinFrame(
              {
                peers: a.length,
                stepAt: a,
                running: (i) => running[i]!,
                now: () => now,
                advanceTo: (at) => {
                  now = at;
                  return undefined;
                },
                step: (i, at) => {
                  got.push(`${i}@${at}`);
                  return at + gaps[ga++ % gaps.length]!;
                },
              },
              start,
              end,
            );
            reference(b, running, (_i, at) => at + gaps[gb++ % gaps.length]!, start, end, want);
          }
          expect(got).toEqual(want);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 500 },
    );
  });
});
