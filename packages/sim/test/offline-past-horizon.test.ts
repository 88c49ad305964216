/**
 * Two of eight peers offline for about two horizons at a time, their users emitting
 * (scenarios/offline-past-horizon.json): histories meet again and again, a peer that missed an
 * event the room took while it was away re-bases, and re-stamps stand for dropped events.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/index.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios', 'offline-past-horizon.json');

describe('offline past the horizon, over seeds', () => {
  // Seeds 10 and 34 re-based peers on a server whose frontier predated events it had just taken
  // (repairs from the re-basing peer itself): a re-stamp ended up held next to its original.
  it.each([1, 2, 5, 8, 10, 12, 34])(
    'seed %i: one history, the same events on every peer, every user action held once',
    async (seed) => {
      const m = await runScenario(JSON.parse(readFileSync(file, 'utf8')), { seed, includeWall: false });
      expect(m.converged).toBe(true);
      expect(m.distinctFinalHashes).toBe(1);
      expect(m.eventsApplied).toBe(m.eventsAppliedMax);
      // The history holds one event per user action: no re-stamp next to its original.
      expect(m.eventsApplied).toBe(m.eventsGenerated);
      const o = m.offline!;
      expect(o.eventsRestamped).toBeGreaterThan(0);
      expect(o.witnesses).toBe(8);
      expect(o.missing).toBe(0);
      expect(o.heldTwice).toBe(0);
      expect(o.actionsHeld).toBe(m.eventsGenerated);
      expect(o.noneLost).toBe(true);
    },
  );
});
