/**
 * The paper's churn variant with a 10 s horizon (scenarios/churn-short-horizon.json): histories
 * split while the graph is in pieces for longer than the horizon, and merge by re-basing when it
 * heals, the last time when every peer comes back 10 s before the end. Every peer ends on one
 * history: the same state and the same events.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driveScenario } from '../src/driver.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios', 'churn-short-horizon.json');

describe('churn with a horizon shorter than the outages', () => {
  it('converges: one history, the same events everywhere, no desync report', async () => {
    const sc = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
    const { metrics: m } = await driveScenario(sc, virtualNetwork(sc, sc.seed), {
      defaultRoom: 'symmetric-sim',
      includeWall: false,
    });
    expect(m.distinctFinalHashes).toBe(1);
    expect(m.eventsApplied).toBe(m.eventsAppliedMax);
    expect(m.converged).toBe(true);
    expect(m.desyncs).toBe(0);
  });
});
