/**
 * A group cut off for longer than every window the merge keeps (scenarios/offline-long.json):
 * two neighbouring peers of a ring of six apart for twelve horizons, past the 64 prints (eight
 * horizons of marks) and the eight horizons of own events kept for the offline merge, both sides
 * emitting. The histories are ranked at the oldest mark both still keep; the room ends on one
 * history, every peer holding the same events. What the losing side emitted more than eight
 * horizons before the heal is not re-stamped: it is lost, as the horizon promises.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driveScenario } from '../src/driver.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios', 'offline-long.json');

describe('a group cut off past every window the merge keeps', () => {
  it.each([1, 2, 3, 4])('seed %i: one history, the same events on every peer', async (seed) => {
    const sc = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
    const { metrics: m, finalPeers } = await driveScenario(sc, virtualNetwork(sc, seed), {
      seed,
      defaultRoom: 'symmetric-sim',
      includeWall: false,
    });
    expect(m.converged).toBe(true);
    expect(m.distinctFinalHashes).toBe(1);
    expect(m.eventsApplied).toBe(m.eventsAppliedMax);
    expect(m.desyncs).toBe(0);
    expect(finalPeers.map((p) => p.stats().eventsDropped)).toEqual([0, 0, 0, 0, 0, 0]);
    // Lost: at most what two peers of six emit in the 20 s before the merge's eight horizons
    // (120 events a minute in the room: about 13), never more.
    expect(m.eventsGenerated - m.eventsApplied).toBeGreaterThan(0);
    expect(m.eventsGenerated - m.eventsApplied).toBeLessThanOrEqual(20);
  });
});
