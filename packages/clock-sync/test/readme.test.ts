import { Clock, type SyncMessage } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';

// The README's example, verbatim between the markers, with its claims checked.
describe('README example', () => {
  it('runs as written: a late starter adopts the network time and catches up', () => {
    // --- begin README example ---
    // Two peers joined by a 40 ms link, in virtual time (a real runtime passes performance.now()).
    const a = new Clock({ fps: 50 });
    const b = new Clock({ fps: 50 });
    const inFlight: { at: number; to: Clock; from: string; msg: SyncMessage }[] = [];

    for (let now = 0; now <= 10_000; now += 10) {
      for (const m of inFlight.filter((m) => m.at === now)) m.to.onSync(m.from, m.msg, now);
      if (now % 250 === 0) {
        inFlight.push({ at: now + 40, to: b, from: 'a', msg: a.syncFor('b', now) });
        if (b.started) inFlight.push({ at: now + 40, to: a, from: 'b', msg: b.syncFor('a', now) });
      }
      a.advance(now); // a starts at t = 0 ...
      if (now >= 3000) b.advance(now); // ... b 3 s later; each call says how many ticks to run now
    }
    const link = b.estimate(10_000).links.get('a');
    // a.tick === 500 and b.tick === 500: b adopted a's time and caught up, running up to 4× faster.
    // link: { rttMs: 80, oneWayMs: 40, offsetTicks: ≈ 0, samples: 26 }
    // --- end README example ---
    expect(a.tick).toBe(500);
    expect(b.tick).toBe(500);
    expect(link?.rttMs).toBe(80);
    expect(link?.oneWayMs).toBe(40);
    expect(Math.abs(link?.offsetTicks ?? 1)).toBeLessThan(0.01);
    expect(link?.samples).toBe(26);
  });
});
