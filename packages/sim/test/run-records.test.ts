import { describe, expect, it } from 'vitest';
import { driveScenario, type RunRecordsMode } from '../src/driver.js';
import { isScenarioError } from '../src/errors.js';
import { ActionLedger } from '../src/held.js';
import type { Metrics } from '../src/metrics.js';
import { runScenario } from '../src/runner.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

/** Six peers on a ring, each crashing every ~8 s and restarting from nothing ~3 s later. */
const churnRing = parseScenario({
  name: 'records-churn',
  seed: 2,
  peers: 6,
  topology: { kind: 'ring' },
  fps: 50,
  durationS: 40,
  warmupS: 5,
  quietTailS: 8,
  startJitterS: 2,
  latency: { dist: 'normal', meanMs: 25, sdMs: 5 },
  delay: { ms: 250 },
  events: { perMinute: 240, app: 'rectangle' },
  churn: { onlineMeanS: 8, offlineMeanS: 3, restart: true },
});

async function run(records: RunRecordsMode): Promise<Metrics> {
  const { metrics } = await driveScenario(churnRing, virtualNetwork(churnRing, churnRing.seed), {
    defaultRoom: 'records',
    includeWall: false,
    records,
  });
  return metrics;
}

describe('bounded run records', () => {
  it('leave every metric as full records give it but the journey searches, which are null', async () => {
    const full = await run('full');
    const bounded = await run('bounded');
    expect(full.recoveryS.count).toBeGreaterThan(0);
    expect(full.lowerBoundTicks).toBeGreaterThan(0);
    expect(full.meanLatencyEstimateTicks).toBeGreaterThan(0);
    expect(bounded).toEqual({
      ...full,
      lowerBoundPct: null,
      lowerBoundTicks: null,
      rollbackToLowerBound: null,
      meanLatencyEstimatePct: null,
      meanLatencyEstimateTicks: null,
    });
    // runScenario's network then keeps no frames either: the same metrics.
    expect(await runScenario(churnRing, { includeWall: false, records: 'bounded' })).toEqual(bounded);
  });

  it('a ledger without ids counts user actions and re-stamps as one with them, and cannot check', () => {
    const kept = new ActionLedger();
    const counted = new ActionLedger(false);
    for (const ledger of [kept, counted]) {
      ledger.stamped(0, { source: 'a', seq: 1 });
      ledger.stamped(0, { source: 'a', seq: 2 });
      const restamp = ledger.wrap<number>(0, undefined);
      if (typeof restamp === 'function') restamp([{ tick: 3, source: 'a', seq: 2, payload: 1 }]);
      ledger.stamped(0, { source: 'a', seq: 3 });
      ledger.stamped(1, { source: 'b', seq: 1 });
    }
    expect(kept.actions).toBe(3);
    expect(counted.actions).toBe(3);
    expect(kept.check(['1:a', '3:a', '1:b'])).toEqual({ missing: 0, twice: 0 });
    let thrown: unknown;
    try {
      counted.check(['1:a']);
    } catch (error) {
      thrown = error;
    }
    expect(isScenarioError(thrown) && thrown.code).toBe('UNSUPPORTED');
  });
});
