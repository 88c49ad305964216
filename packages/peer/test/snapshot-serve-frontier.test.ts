/**
 * A peer serving a snapshot sends its frontier just before it: the peer re-basing on it judges
 * which settled events after the snapshot to carry over by what the served history holds now,
 * not by a frontier sent before the server took them (e.g. the repairs the re-basing peer itself
 * sent when its link came back). Without it, a re-based peer dropped an event its new history
 * held, and re-stamped it when it was its own: the history held the re-stamp next to its original
 * (the simulator's `offline-past-horizon` seeds 10 and 34).
 */
import type { Frame } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { honestTraffic, roomWithAttacker } from './helpers/honest-room.js';

describe('serving a snapshot (loopback, virtual time)', () => {
  it('the frontier goes just before the chunks and lists the events taken since the last one', async () => {
    const { c, a, b, cc, m } = await roomWithAttacker();
    // m had a's frontier at its handshake: every event below came after it.
    const emitted = honestTraffic(c, [a, b, cc], 4, c.now() + 5000);
    expect(emitted).toBe(12);
    const frames: Frame<number>[] = [];
    m.onFrame = (frame, from) => {
      if (from === 'a') frames.push(frame);
    };
    m.send('a', { type: 'snapshot-request' });
    c.run(c.now() + 200);
    const first = frames.findIndex((f) => f.type === 'snapshot');
    expect(first).toBeGreaterThan(0);
    const before = frames[first - 1]!;
    expect(before.type).toBe('frontier');
    if (before.type !== 'frontier') return;
    for (const p of [a, b, cc]) {
      const entry = before.entries.find((e) => e.source === p.source);
      expect(entry?.seq).toBe(4);
    }
  });
});
