import { describe, expect, it } from 'vitest';
import { RealRunError, runRealScenario } from '../src/real/run.js';

// A short real-time run on real sockets: 5 peers in a ring over WebSockets on 127.0.0.1 with
// 20 ms (s.d. 4 ms) injected per link, Δ = 200 ms, a steady event load. ~12 s of wall time.

const scenario = {
  name: 'real-smoke',
  seed: 3,
  peers: 5,
  topology: { kind: 'ring' },
  fps: 50,
  durationS: 12,
  warmupS: 3,
  quietTailS: 3,
  startJitterS: 1,
  latency: { dist: 'normal', meanMs: 20, sdMs: 4 },
  delay: { ms: 200 },
  events: { perMinute: 150, app: 'rectangle', firstAfterS: 0.5 },
};

describe('real run (WebSockets on 127.0.0.1, injected latency)', () => {
  it('5 peers in a ring converge, with the injected latency and the load of the plan', async () => {
    const progress: number[] = [];
    const m = await runRealScenario(scenario, {
      progressEveryMs: 2000,
      onProgress: (p) => progress.push(p.elapsedS),
    });
    expect(m.converged).toBe(true);
    expect(m.distinctFinalHashes).toBe(1);
    expect(m.peersOnline).toBe(5);
    expect(m.desyncs).toBe(0);
    // ~150/min over ~8 s of load: some events, every one applied by every peer.
    expect(m.eventsGenerated).toBeGreaterThan(5);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.eventsAppliedMax).toBe(m.eventsGenerated);
    expect(m.finalTick).toBeGreaterThan(400);
    expect(m.finalTickSpread).toBeLessThanOrEqual(50);
    expect(m.ticksSimulated).toBeGreaterThan(0);
    expect(m.paceReports).toBeGreaterThan(0);
    // The wrapper delayed frames by about what it was told (plus timer lateness).
    const lat = m.runtime.latency;
    expect(lat.framesDelivered).toBeGreaterThan(100);
    expect(lat.actualMeanMs).toBeGreaterThan(18);
    expect(lat.actualMeanMs).toBeLessThan(40);
    expect(m.runtime.ticksPerSecond.mean).toBeGreaterThan(40);
    // Clocks read off the SYNCs on the wire: measured, and within a few ticks of each other.
    expect(m.runtime.clockSpreadMs.max).toBeGreaterThan(0);
    expect(m.runtime.clockSpreadMs.p50).toBeLessThan(100);
    // Every event after warm-up was seen arriving at the other peers, with both clocks read.
    const lt = m.runtime.lateness;
    expect(lt.deliveries).toBeGreaterThan(0);
    expect(lt.deliveries).toBeLessThanOrEqual(4 * m.eventsGenerated);
    expect(lt.late).toBeLessThanOrEqual(lt.deliveries);
    expect(lt.stampLagMeanMs).toBeGreaterThanOrEqual(0);
    expect(lt.stampLagMeanMs).toBeLessThan(60);
    expect(lt.offsetAbsMeanMs).toBeLessThan(60);
    expect(lt.deltaMs).toBe(200);
    expect(m.wallMs).toBeGreaterThanOrEqual(12_000);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  }, 40_000);

  it('runs churn: peers stopped and restarted from nothing rejoin on their port, and recovery is measured', async () => {
    const m = await runRealScenario({
      ...scenario,
      name: 'real-smoke-churn',
      durationS: 20,
      churn: { onlineMeanS: 4, offlineMeanS: 1.5, restart: true },
    });
    expect(m.converged).toBe(true);
    expect(m.distinctFinalHashes).toBe(1);
    expect(m.desyncs).toBe(0);
    // Comebacks after warm-up were measured under both definitions.
    expect(m.recoveryS.count + m.recoveryS.unrecovered).toBeGreaterThan(0);
    expect(m.recoveryPaperS.count + m.recoveryPaperS.unrecovered).toBeGreaterThan(0);
    expect(m.afterRecovery.count).toBe(m.recoveryS.count);
    // The bound is computed over the frames the links carried.
    expect(m.lowerBoundTicks).toBeGreaterThanOrEqual(0);
    expect(m.runtime.cpuUsPerPeerFrame).toBeGreaterThan(0);
  }, 60_000);

  it('refuses what it cannot run in real time with a typed error', async () => {
    const keepState = { ...scenario, churn: { onlineMeanS: 5, offlineMeanS: 2, restart: false } };
    await expect(runRealScenario(keepState)).rejects.toMatchObject({ code: 'UNSUPPORTED_SCENARIO' });
    const partition = { ...scenario, partitions: [{ atS: 4, healAtS: 6, groups: [[0]] }] };
    await expect(runRealScenario(partition)).rejects.toMatchObject({ code: 'UNSUPPORTED_SCENARIO' });
    const drift = { ...scenario, driftPpm: 100 };
    await expect(runRealScenario(drift)).rejects.toBeInstanceOf(RealRunError);
    await expect(runRealScenario(scenario, { seed: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
