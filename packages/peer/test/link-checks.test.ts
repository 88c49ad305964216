import type { Frame } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { cluster, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

/** One-way latency of the test network (constant). */
const LATENCY_MS = 10;
/** The harness steps every 20 ms from t = 20; housekeeping runs at most every 50 ms: t = 20 + 60k. */
const firstRoundFrom = (t: number): number => 20 + 60 * Math.max(0, Math.ceil((t - 20 - 1e-9) / 60));

/** A raw neighbour that records when each frame it received was sent (arrival less the latency). */
async function recordingNeighbour(
  net: ReturnType<typeof loopback>,
  address: string,
): Promise<{ raw: RawPeer; sent: { at: number; frame: Frame<number> }[] }> {
  const raw = await new RawPeer(net.transport(address), address).start();
  const sent: { at: number; frame: Frame<number> }[] = [];
  raw.onFrame = (frame) => sent.push({ at: net.now() - LATENCY_MS, frame });
  return { raw, sent };
}

describe('housekeeping link checks', () => {
  it('each link gets its SYNCs at the first housekeeping round they are due, whatever the other links', async () => {
    const net = loopback(LATENCY_MS);
    const c = await cluster(net);
    await c.add('p');
    const f1 = await recordingNeighbour(net, 'f1');
    const f2 = await recordingNeighbour(net, 'f2');
    f1.raw.dial('p');
    c.run(130); // the second link opens between rounds, its schedule interleaved with the first's
    f2.raw.dial('p');
    // f2 also SYNCs p twice: p answers at once (outside housekeeping), which moves that link's schedule.
    let asked = 0;
    c.run(6000, (t) => {
      if (t >= 400 && asked < 2 && f2.sent.some((s) => s.frame.type === 'sync')) {
        asked++;
        f2.raw.send('p', { type: 'sync', time: t, tick: t / 20 });
      }
    });
    for (const { sent } of [f1, f2]) {
      const syncs = sent.filter((s) => s.frame.type === 'sync').map((s) => s.at);
      expect(syncs.length).toBeGreaterThan(10);
      let early = 0;
      for (let i = 1; i < syncs.length; i++) {
        const interval = i < 8 ? 250 : 1000; // a burst of 8 at 250 ms, then every second
        const due = syncs[i - 1]! + interval;
        // Sent before its due time: an answer, or the SYNC that goes with a change of join phase
        // (both outside housekeeping). Otherwise at the first round it was due, never later.
        if (syncs[i]! < due) early++;
        else expect(syncs[i]).toBe(firstRoundFrom(due));
      }
      expect(early).toBeLessThanOrEqual(sent === f2.sent ? 3 : 1);
    }
    expect(asked).toBe(2);
    expect(c.errors).toEqual([]);
  });

  it('a neighbour gone silent is closed at the first round past the idle timeout', async () => {
    const net = loopback(LATENCY_MS);
    const idleTimeoutMs = 2000;
    const c = await cluster(net, { quotas: { idleTimeoutMs } });
    const p = await c.add('p');
    const talker = await recordingNeighbour(net, 'f1');
    const quiet = await recordingNeighbour(net, 'f2');
    talker.raw.dial('p');
    quiet.raw.dial('p');
    let left: number | undefined;
    p.on('peer:leave', (e) => {
      if (e.peerId === 'f2') left ??= net.now();
    });
    let lastHeard = 0;
    c.run(7000, (t) => {
      // f1 keeps the link alive; f2 speaks until t = 1000, then stops (SYNCs are harmless frames).
      if (t % 200 === 0) talker.raw.send('p', { type: 'sync', time: t, tick: t / 20 });
      if (t <= 1000 && t % 300 === 0) {
        quiet.raw.send('p', { type: 'sync', time: t, tick: t / 20 });
        lastHeard = t + LATENCY_MS;
      }
    });
    expect(lastHeard).toBe(910);
    expect(left).toBe(firstRoundFrom(lastHeard + idleTimeoutMs + 1));
    expect(p.neighbours().map((n) => n.peerId)).toEqual(['f1']);
    expect(p.stats().errors.QUOTA).toBe(1);
  });
});
