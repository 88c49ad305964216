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
});
