import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { describe, expect, it } from 'vitest';
import { driveScenario, peerAddress, type ScenarioNetwork, virtualNetwork } from '../src/driver.js';
import { ScenarioError } from '../src/errors.js';
import { runScenario } from '../src/runner.js';

const ring = {
  name: 'ring',
  seed: 4,
  peers: 5,
  topology: { kind: 'ring' },
  fps: 50,
  durationS: 20,
  warmupS: 5,
  quietTailS: 3,
  startJitterS: 2,
  latency: { dist: 'normal', meanMs: 20, sdMs: 4 },
  delay: { ms: 200 },
  events: { perMinute: 120, app: 'rectangle' },
};

/** A loopback network in virtual time, as the simulator's own runner builds it, with or without cuts. */
function loopback(seed: number, withCuts: boolean): ScenarioNetwork {
  const net = new LoopbackNetwork({ time: 'virtual', seed, latency: { dist: 'constant', ms: 20 } });
  return {
    now: () => net.now(),
    advanceTo: (atMs) => {
      net.runUntil(atMs);
      return undefined;
    },
    stepsPeers: true,
    open: (i, { neighbours }) => ({
      transport: net.transport(peerAddress(i), {
        connectTo: neighbours.filter((j) => j > i).map(peerAddress),
      }),
    }),
    ...(withCuts
      ? {
          cut: (a: number, b: number) => net.cut(peerAddress(a), peerAddress(b)),
          heal: (a: number, b: number) => net.heal(peerAddress(a), peerAddress(b)),
        }
      : {}),
  };
}

describe('driveScenario', () => {
  it('drives a scenario over the given network and reports its phases to the hooks', async () => {
    const network = loopback(1, false);
    const started: number[] = [];
    const rounds: number[] = [];
    let warmUpAt: number | undefined;
    let ends = 0;
    const { metrics, finalPeers } = await driveScenario(ring, network, {
      defaultRoom: 'test',
      includeWall: false,
      hooks: {
        onPeer: (i) => started.push(i),
        onWarmUp: (atMs) => {
          warmUpAt = atMs;
        },
        onPaceRound: (atMs) => rounds.push(atMs),
        onEnd: () => ends++,
      },
    });
    expect([...started].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(warmUpAt).toBe(5000);
    expect(rounds).toEqual(Array.from({ length: 20 }, (_, k) => (k + 1) * 1000));
    expect(ends).toBe(1);
    expect(metrics.converged).toBe(true);
    expect(metrics.peersOnline).toBe(5);
    expect(finalPeers).toHaveLength(5);
    expect(metrics.eventsApplied).toBe(metrics.eventsGenerated);
    expect(metrics.paceReports).toBe(5 * 15);
  });

  it('lets the peers go before the realized bound when asked, with the same metrics', async () => {
    const run = (keepPeers: boolean) =>
      driveScenario(ring, virtualNetwork({ peers: 5, latency: { dist: 'normal', meanMs: 20, sdMs: 4 } }, 3), {
        defaultRoom: 'test',
        includeWall: false,
        keepPeers,
      });
    const kept = await run(true);
    const dropped = await run(false);
    expect(kept.finalPeers).toHaveLength(5);
    expect(dropped.finalPeers).toHaveLength(0);
    expect(kept.metrics.lowerBoundPct).not.toBeNull();
    expect(dropped.metrics).toEqual(kept.metrics);
  });

  it('refuses partitions on a network that cannot cut links, and runs them on one that can', async () => {
    const partitioned = { ...ring, partitions: [{ atS: 8, healAtS: 12, groups: [[0, 1]] }] };
    const refused = driveScenario(partitioned, loopback(1, false), { defaultRoom: 'test' });
    await expect(refused).rejects.toThrow(ScenarioError);
    await expect(refused).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const { metrics } = await driveScenario(partitioned, loopback(1, true), {
      defaultRoom: 'test',
      includeWall: false,
    });
    expect(metrics.converged).toBe(true);
  });

  it('is what runScenario runs: the same scenario and network give the same metrics', async () => {
    const a = await runScenario(ring, { includeWall: false });
    const b = await runScenario(ring, { includeWall: false });
    expect(b).toEqual(a);
    expect(a.converged).toBe(true);
  });
});
