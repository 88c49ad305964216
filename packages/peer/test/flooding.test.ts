import { FRAME_TYPE_CODES } from '@symmetric/codec';
import { RectangleKeys } from '@symmetric/core';
import { withLinkOverrides } from '@symmetric/transport';
import { describe, expect, it } from 'vitest';
import { cluster, distinct, loopback } from './helpers/harness.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('flooding with dedup', () => {
  it('a line of 5: each event crosses each link once, everyone converges', async () => {
    const net = loopback(15);
    const c = await cluster(net, { delay: 300 });
    const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
    for (let i = 0; i < names.length; i++) await c.add(names[i]!, {}, i > 0 ? [names[i - 1]!] : []);
    c.run(1500);
    for (const p of c.peers.values()) expect(p.status).toBe('live');
    const sentBefore = sum([...c.peers.values()].map((p) => p.stats().eventsSent));
    c.peers.get('p0')!.emit(RectangleKeys.right);
    c.peers.get('p4')!.emit(RectangleKeys.down);
    c.peers.get('p2')!.emit(RectangleKeys.up);
    c.run(3000);
    const sent = sum([...c.peers.values()].map((p) => p.stats().eventsSent)) - sentBefore;
    // 3 events × 4 links, once each.
    expect(sent).toBe(12);
    expect(sum([...c.peers.values()].map((p) => p.stats().duplicatesDropped))).toBe(0);
    for (const p of c.peers.values()) expect(p.stats().events).toBe(3);
    expect(distinct(c.hashes())).toHaveLength(1);
    expect(c.errors).toEqual([]);
  });

  it('counts the events frames it sends and their bytes, as the links carry them', async () => {
    const net = loopback(15, 5, 3);
    const c = await cluster(net, { delay: 300 });
    const carried = new Map<string, { frames: number; bytes: number }>();
    const names = ['p0', 'p1', 'p2', 'p3'];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const seen = { frames: 0, bytes: 0 };
      carried.set(name, seen);
      const transport = withLinkOverrides(net.transport(name), (link) => ({
        send: (frame) => {
          if (frame[1] === FRAME_TYPE_CODES.events) {
            seen.frames++;
            seen.bytes += frame.length;
          }
          return link.send(frame);
        },
      }));
      // A ring with one chord: relays, duplicates and frames of more than one event.
      await c.add(name, { transports: [transport] }, i > 0 ? [names[i - 1]!] : []);
    }
    c.peers.get('p3')!.dial('p0');
    c.peers.get('p0')!.dial('p2');
    c.run(1500);
    for (let k = 0; k < 12; k++) c.peers.get(names[k % 4]!)!.emit(RectangleKeys.right);
    c.run(3000);
    let frames = 0;
    for (const name of names) {
      const s = c.peers.get(name)!.stats();
      expect(s.eventFramesSent).toBe(carried.get(name)!.frames);
      expect(s.eventBytesSent).toBe(carried.get(name)!.bytes);
      expect(s.eventFramesSent).toBeLessThanOrEqual(s.eventsSent);
      frames += s.eventFramesSent;
    }
    expect(frames).toBeGreaterThan(0);
    expect(distinct(c.hashes())).toHaveLength(1);
  });

  it('a cycle of 6 and a full mesh of 5: at most twice per link, no endless rebroadcast', async () => {
    for (const shape of ['cycle', 'mesh'] as const) {
      const net = loopback(10, 3, 7);
      const c = await cluster(net, { delay: 400 });
      const n = shape === 'cycle' ? 6 : 5;
      const names = Array.from({ length: n }, (_, i) => `p${i}`);
      const edges: [number, number][] = [];
      if (shape === 'cycle') for (let i = 0; i < n; i++) edges.push([i, (i + 1) % n]);
      else for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
      for (const [i, j] of edges)
        net.setLatency(names[i]!, names[j]!, { dist: 'constant', ms: 10 + ((i * 7 + j * 13) % 40) });
      for (let i = 0; i < n; i++) {
        await c.add(
          names[i]!,
          {},
          edges.filter(([a, b]) => b === i && a < i).map(([a]) => names[a]!),
        );
      }
      // The cycle's closing edge: p0 dials p(n-1) once both exist.
      if (shape === 'cycle') c.peers.get('p0')!.dial(names[n - 1]!);
      c.run(1500);
      const before = [...c.peers.values()].map((p) => p.stats());
      const events = 10;
      for (let k = 0; k < events; k++) {
        c.peers.get(names[k % n]!)!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
        c.run(1500 + (k + 1) * 100);
      }
      c.run(5000);
      const after = [...c.peers.values()].map((p) => p.stats());
      const sent = sum(after.map((s, i) => s.eventsSent - before[i]!.eventsSent));
      expect(sent).toBeGreaterThanOrEqual(events * (n - 1));
      expect(sent).toBeLessThanOrEqual(events * 2 * edges.length);
      // Quiet: nothing more is sent once everyone has everything.
      const quiet = sum(after.map((s) => s.eventsSent));
      c.run(8000);
      expect(sum([...c.peers.values()].map((p) => p.stats().eventsSent))).toBe(quiet);
      for (const p of c.peers.values()) expect(p.stats().events).toBe(events);
      expect(distinct(c.hashes())).toHaveLength(1);
      expect(c.errors).toEqual([]);
    }
  });
});

describe('late events', () => {
  it('roll back and still converge', async () => {
    const net = loopback(60);
    // Δ = 20 ms < one hop of 60 ms: every remote event is late.
    const c = await cluster(net, { delay: 20 });
    await c.add('a');
    await c.add('b', {}, ['a']);
    await c.add('c', {}, ['b']);
    c.run(1500);
    const rollbacks: number[] = [];
    c.peers.get('c')!.on('rollback', (r) => rollbacks.push(r.toTick - r.fromTick));
    for (let k = 0; k < 12; k++) {
      c.peers.get(['a', 'b', 'c'][k % 3]!)!.emit((k % 5) as 0 | 1 | 2 | 3 | 4);
      c.run(1500 + (k + 1) * 170);
    }
    c.run(6000);
    const stats = [...c.peers.values()].map((p) => p.stats());
    for (const s of stats) {
      expect(s.lateEvents).toBeGreaterThan(0);
      expect(s.rollbacks).toBeGreaterThan(0);
      expect(s.ticksTravelledBack).toBeGreaterThan(0);
      expect(s.events).toBe(12);
    }
    expect(rollbacks.length).toBeGreaterThan(0);
    expect(Math.min(...rollbacks)).toBeGreaterThan(0);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
