/**
 * Two groups that each founded their own timeline meet late (scenarios/groups-meet-late.json):
 * after the heal the run converges and Δ 'auto' comes back to the measured flooding delay at
 * every peer, never held at its 5 s ceiling by a beacon stamped before the clocks agreed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { driveScenario } from '../src/driver.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios', 'groups-meet-late.json');

describe('groups that meet late, Δ auto', () => {
  it('converges, and every Δ returns to the measured delay after the heal', async () => {
    const sc = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
    const fps = sc.fps;
    const ceiling = 5 * fps;
    const peers = new Map<number, Peer<unknown, unknown>>();
    // Largest Δ of any peer at each second of run time, from the heal (40 s) on.
    const worstAfterHeal: number[] = [];
    let atEnd: number[] = [];
    let atHeal: number[] = [];
    const { metrics } = await driveScenario(sc, virtualNetwork(sc, sc.seed), {
      defaultRoom: 'symmetric-sim',
      includeWall: false,
      hooks: {
        onPeer: (i, peer) => peers.set(i, peer),
        onPaceRound: (atMs) => {
          const deltas = [...peers.values()].map((p) => p.delayTicks);
          if (atMs === 39_000) atHeal = deltas;
          if (atMs >= 40_000) worstAfterHeal.push(Math.max(...deltas));
        },
        onEnd: () => {
          atEnd = [...peers.values()].map((p) => p.delayTicks);
        },
      },
    });
    expect(metrics.converged).toBe(true);
    expect(metrics.desyncs).toBe(0);
    expect(atEnd).toHaveLength(sc.peers);
    // Before the heal each side measures its own half (its peers started up to 10 s apart);
    // after it, the whole topology.
    const normalBefore = Math.max(...atHeal);
    expect(normalBefore).toBeGreaterThan(1);
    expect(normalBefore).toBeLessThan(ceiling / 4);
    for (const d of atEnd) {
      expect(d).toBeGreaterThan(1);
      expect(d).toBeLessThan(ceiling / 4);
    }
    expect(worstAfterHeal.length).toBeGreaterThan(60);
    expect(Math.max(...worstAfterHeal)).toBeLessThan(ceiling / 4);
  });
});
