/**
 * Local-first scenarios: peers that crash and come back with their store
 * (scenarios/store-churn.json), and peers whose users keep emitting while their links are down
 * (scenarios/offline-work.json), for longer than the horizon too (scenarios/offline-past-horizon.json). Each converges, and every event generated is held by every
 * peer at the end: none was lost.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driveScenario } from '../src/driver.js';
import { formatMetrics } from '../src/format.js';
import { parseScenario } from '../src/scenario.js';
import { virtualNetwork } from '../src/virtual-network.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const run = async (name: string) => {
  const sc = parseScenario(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')));
  return (
    await driveScenario(sc, virtualNetwork(sc, sc.seed), { defaultRoom: 'symmetric-sim', includeWall: false })
  ).metrics;
};

describe('local-first scenarios', () => {
  it('store-restart churn: peers resume from their stores; converges, events generated = events applied', async () => {
    const m = await run('store-churn');
    expect(m.converged).toBe(true);
    expect(m.offline).toBeDefined();
    expect(m.offline!.resumes).toBeGreaterThan(3);
    expect(m.eventsGenerated).toBeGreaterThan(100);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.eventsAppliedMax).toBe(m.eventsGenerated);
    expect(m.offline!.noneLost).toBe(true);
    expect(m.desyncs).toBe(0);
  });

  it('offline emitting: cut-off peers keep emitting; converges, events generated = events applied', async () => {
    const m = await run('offline-work');
    expect(m.converged).toBe(true);
    expect(m.offline).toBeDefined();
    expect(m.offline!.eventsEmittedOffline).toBeGreaterThan(5);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.eventsAppliedMax).toBe(m.eventsGenerated);
    expect(m.offline!.noneLost).toBe(true);
    expect(m.offline!.eventsRestamped).toBe(0);
    expect(formatMetrics(m)).toMatch(
      /offline +\d+ emitted offline, 0 re-stamped, 0 dropped, 0 resumes from a store; none lost/,
    );
  });

  it('offline past the horizon: the re-based peers re-stamp their dropped events; converges, none lost', async () => {
    const m = await run('offline-past-horizon');
    expect(m.converged).toBe(true);
    expect(m.offline!.eventsEmittedOffline).toBeGreaterThan(10);
    expect(m.offline!.eventsRestamped).toBeGreaterThan(0);
    expect(m.eventsApplied).toBe(m.eventsGenerated);
    expect(m.offline!.noneLost).toBe(true);
  });

  it('a store needs restarts, offline emitting a peer that keeps running', () => {
    const base = JSON.parse(readFileSync(join(dir, 'store-churn.json'), 'utf8')) as Record<string, unknown>;
    expect(() =>
      parseScenario({ ...base, churn: { onlineMeanS: 5, offlineMeanS: 5, restart: false, store: true } }),
    ).toThrow(/restart: true/);
    expect(() =>
      parseScenario({ ...base, churn: { onlineMeanS: 5, offlineMeanS: 5, emitOffline: true } }),
    ).toThrow(/restart: false/);
  });
});
