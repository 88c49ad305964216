/**
 * A short horizon (10 s) in a room whose peers each emit about once a minute: every source is
 * forgotten between two of its events, and most come back while the timelines still list their
 * folded frontier (eight horizons). A healthy room: the events flood, nothing is asked for that
 * no neighbour can send, no peer re-bases, every peer ends on one state at the room's pace.
 */
import { describe, expect, it } from 'vitest';
import { driveScenario } from '../src/driver.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

describe('sources quiet for several horizons', () => {
  it('come back without repair requests or re-bases: the room stays on one history at one pace', async () => {
    const sc = parseScenario({
      name: 'quiet-sources',
      seed: 1,
      peers: 100,
      topology: { kind: 'random-regular', degree: 4, seed: 1 },
      fps: 50,
      durationS: 120,
      warmupS: 5,
      quietTailS: 10,
      startJitterS: 1,
      latency: { dist: 'constant', ms: 50 },
      delay: { ms: 300 },
      events: { perMinute: 100, app: 'rectangle' },
      history: { horizonTicks: 500 },
      trusted: true,
    });
    const totals = { resyncs: 0, requestsSent: 0, snapshotsAdopted: 0, peers: 0 };
    const peers: { stats(): { resyncs: number; requestsSent: number; snapshotsAdopted: number } }[] = [];
    const { metrics: m } = await driveScenario(sc, virtualNetwork(sc, sc.seed), {
      defaultRoom: 'symmetric-sim',
      includeWall: false,
      hooks: {
        onPeer: (_i, peer) => {
          peers.push(peer);
        },
        onEnd: () => {
          for (const p of peers) {
            const s = p.stats();
            totals.resyncs += s.resyncs;
            totals.requestsSent += s.requestsSent;
            totals.snapshotsAdopted += s.snapshotsAdopted;
            totals.peers++;
          }
        },
      },
    });
    expect(totals.peers).toBe(100);
    expect(totals.resyncs).toBe(0);
    expect(totals.requestsSent).toBe(0);
    // Joining: one snapshot each at most (the peers that join an established room).
    expect(totals.snapshotsAdopted).toBeLessThanOrEqual(100);
    expect(m.converged).toBe(true);
    expect(m.desyncs).toBe(0);
    expect(m.skewTicks.max).toBeLessThanOrEqual(2);
  });
});
