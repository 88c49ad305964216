import { describe, expect, it } from 'vitest';
import { ATTACKS, runChaos } from './helpers/chaos.js';

// The package is DOM- and Node-free; vitest provides the console and the environment.
declare const console: { log(...args: unknown[]): void };
declare const process: { env: Record<string, string | undefined> };

/** Virtual minutes of chaos: 2 in CI; `SYMMETRIC_SOAK_MINUTES=30` for the full soak (`npm run soak:chaos -w @symmetric/peer`). */
const MINUTES = Number(process.env.SYMMETRIC_SOAK_MINUTES ?? '2');
describe('chaos soak (loopback, virtual time)', () => {
  it(`${MINUTES} virtual minutes of churn, partitions, duplicated frames and byzantine members: honest peers converge, lose nothing`, async () => {
    const r = await runChaos({
      minutes: MINUTES,
      seed: 7,
      attacks: ATTACKS,
      log: (line) => console.log(line),
      sizes: process.env.SYMMETRIC_SOAK_SIZES === '1',
    });
    console.log(`chaos soak invariants: ${JSON.stringify(r)}`);
    expect(r.honestHashes).toBe(1);
    expect(r.honestEventsMissing).toBe(0);
    expect(r.honestEvents).toBeGreaterThan(MINUTES * 60);
    expect(r.thrown).toBe(0);
    expect(r.errors.INTERNAL ?? 0).toBe(0);
    // Memory bounded: the heap of the whole simulated room (ten peers, the network) stays small.
    expect(r.heapEndMb).toBeLessThan(512);
    expect(r.restarts).toBeGreaterThanOrEqual(2);
    expect(r.partitions).toBeGreaterThanOrEqual(1);
    expect(Object.keys(r.attacks).length).toBeGreaterThanOrEqual(5);
    // Byzantine members equivocated and were proven to (the hash check above covers the rule).
    expect(r.attacks.equivocate ?? 0).toBeGreaterThan(0);
    expect(r.errors.EQUIVOCATION ?? 0).toBeGreaterThan(0);
    // Time: the loopback's clocks do not drift, so the room's time is nominal time. The liars'
    // SYNC leads (250 and 90,000 ticks) are beyond what one neighbour may move a clock by
    // (corroborationMs, 50 ticks), so every honest peer ends within one second of nominal: ahead
    // by at most one uncorroborated budget, behind by at most the simulation's lag behind its
    // clock (a tick) after the quiet minute.
    expect(r.clockAheadTicks).toBeLessThanOrEqual(50);
    expect(r.clockBehindTicks).toBeLessThanOrEqual(2);
    // Malformed frames reached honest peers and were refused as codec errors, not thrown.
    if ((r.attacks.malformed ?? 0) > 0) expect(r.errors.CODEC ?? 0).toBeGreaterThan(0);
  }, 3_600_000);
});
