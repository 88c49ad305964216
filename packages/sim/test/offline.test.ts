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
    expect(m.offline!.witnesses).toBe(8);
    expect(m.offline!.actionsHeld).toBe(m.eventsGenerated);
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
    expect(m.offline!.actionsHeld).toBe(m.eventsGenerated);
    expect(formatMetrics(m)).toMatch(
      /offline +\d+ emitted offline, 0 re-stamped, 0 dropped, 0 resumes from a store; every user action held once \(8 peers checked\)/,
    );
  });

  it('offline past the horizon: re-stamps merge their user actions; each action generated once, held once on every witness', async () => {
    // Seed 3: both cut-off peers re-base and re-stamp (16 events), and the room keeps every action once.
    const sc = parseScenario(JSON.parse(readFileSync(join(dir, 'offline-past-horizon.json'), 'utf8')));
    let actions = 0;
    const m = (
      await driveScenario(sc, virtualNetwork(sc, 3), {
        seed: 3,
        defaultRoom: 'symmetric-sim',
        includeWall: false,
        hooks: {
          // The user's emits; a re-stamp is stamped by the runtime itself, not through emit().
          onPeer: (_i, peer) => {
            const emit = peer.emit.bind(peer);
            peer.emit = (payload) => {
              actions++;
              return emit(payload);
            };
          },
        },
      })
    ).metrics;
    expect(m.converged).toBe(true);
    const o = m.offline!;
    expect(o.eventsEmittedOffline).toBeGreaterThan(10);
    expect(o.eventsRestamped).toBeGreaterThan(0);
    expect(m.eventsGenerated).toBe(actions);
    expect(o.witnesses).toBeGreaterThan(0);
    expect(o.actionsHeld).toBe(actions);
    expect(o.missing).toBe(0);
    expect(o.heldTwice).toBe(0);
    expect(o.noneLost).toBe(true);
    // A peer counts the events of the history it is on: a re-stamped event's original, dropped
    // by the re-base, is not one of them (the re-stamp is).
    expect(m.eventsApplied).toBe(actions);
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
