import { runScenario } from '@symmetric/sim';
import { describe, expect, it } from 'vitest';
import { cellScenario, paperSetting } from '../src/grid.js';
import { REAL_CELL } from '../src/real/compare.js';

describe('authentication and rollback (bench:security)', () => {
  it('signing moves no rollback: the paper cell at a fixed latency runs tick for tick alike signed and trusted', async () => {
    const cell = cellScenario(paperSetting(), REAL_CELL, 0, 75);
    const fixed = { ...cell, latency: { dist: 'normal' as const, meanMs: REAL_CELL.latencyMs, sdMs: 0 } };
    const trusted = await runScenario({ ...fixed, trusted: true });
    const signed = await runScenario({ ...fixed, trusted: false });
    expect(trusted.converged).toBe(true);
    expect(signed.converged).toBe(true);
    expect(trusted.rollbacks).toBeGreaterThan(0);
    const timing = (m: typeof trusted) => ({
      rollbacks: m.rollbacks,
      rollbackPct: m.rollbackPct,
      ticksTravelledBack: m.ticksTravelledBack,
      ticksSimulated: m.ticksSimulated,
      ticksResimulated: m.ticksResimulated,
      lowerBoundPct: m.lowerBoundPct,
      skewTicks: m.skewTicks,
      eventsApplied: m.eventsApplied,
    });
    expect(timing(signed)).toEqual(timing(trusted));
    // The handshake's frames are the only extra traffic besides the signatures.
    expect(signed.bytes).toBeGreaterThan(trusted.bytes);
  });
});
