import { describe, expect, it } from 'vitest';
import { SimulatedGossip } from '../src/broadcast.js';
import { runScenario } from '../src/index.js';

const room = {
  name: 'gossip-room',
  seed: 3,
  peers: 14,
  topology: { kind: 'random-regular', degree: 8 },
  fps: 50,
  durationS: 24,
  warmupS: 8,
  quietTailS: 6,
  startJitterS: 2,
  latency: { dist: 'normal', meanMs: 30, sdMs: 5 },
  delay: { ms: 400 },
  events: { perMinute: 120, app: 'rectangle' },
  trusted: true,
};

describe('simulated gossipsub room', () => {
  it('peers on the broadcast mode converge and send fewer event frames than flooding', async () => {
    const flood = await runScenario(room, { includeWall: false });
    const gossip = await runScenario(room, { includeWall: false, broadcast: {} });
    expect(flood.converged).toBe(true);
    expect(gossip.converged).toBe(true);
    expect(gossip.eventsApplied).toBe(flood.eventsApplied);
    // Links no longer carry the events, only the rest (SYNC, hashes, announcements).
    expect(gossip.bytes).toBeLessThan(flood.bytes);
  });

  it('is deterministic from the seed', async () => {
    const a = await runScenario(room, { includeWall: false, broadcast: {} });
    const b = await runScenario(room, { includeWall: false, broadcast: {} });
    expect(a).toEqual(b);
  });

  it('delivers every message once to every member over a mesh of degree within [Dlo, Dhi]', () => {
    const n = 30;
    const neighbours = (i: number): number[] => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    const g = new SimulatedGossip(n, { dist: 'constant', ms: 10 }, 1);
    const got: number[] = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      g.channel(i).onMessage(() => got[i]!++);
      g.join(i, neighbours(i), 0);
    }
    g.runUntil(5000);
    const mesh = g.stats().mesh;
    expect(mesh.min).toBeGreaterThanOrEqual(4);
    expect(mesh.max).toBeLessThanOrEqual(12);
    expect(g.channel(0).publish(new Uint8Array(20))).toBe(true);
    g.runUntil(10_000);
    const s = g.stats();
    expect(got[0]).toBe(0);
    expect(got.slice(1).every((c) => c === 1)).toBe(true);
    expect(s.deliveries).toBe(n - 1);
    // floodPublish: the publisher sends to all 29 members, then the mesh forwards.
    expect(s.data.messages).toBeGreaterThanOrEqual(n - 1);
    expect(s.ihave.messages).toBeGreaterThan(0);
    expect(Math.max(...s.arrivalHops)).toBeLessThanOrEqual(2);
  });

  it('recovers a message by IHAVE/IWANT when eager push misses a peer', () => {
    // A line 0-1-2 where 2 is outside 1's mesh can only learn of messages by gossip.
    const g = new SimulatedGossip(3, { dist: 'constant', ms: 5 }, 2, {
      D: 1,
      Dlo: 1,
      Dhi: 2,
      Dlazy: 1,
      floodPublish: false,
    });
    const got: number[] = [0, 0, 0];
    for (let i = 0; i < 3; i++) g.channel(i).onMessage(() => got[i]!++);
    g.join(0, [1], 0);
    g.join(1, [0, 2], 0);
    g.join(2, [1], 0);
    g.runUntil(3000);
    g.channel(0).publish(new Uint8Array(8));
    g.runUntil(10_000);
    expect(got).toEqual([0, 1, 1]);
    const s = g.stats();
    expect(s.deliveries).toBe(2);
    expect(s.data.messages + s.iwantReplies.messages).toBeGreaterThanOrEqual(2);
  });

  it('refuses to publish for a peer that has not joined or has left', () => {
    const g = new SimulatedGossip(2, { dist: 'constant', ms: 1 }, 1);
    expect(g.channel(0).publish(new Uint8Array(1))).toBe(false);
    g.join(0, [1], 0);
    expect(g.channel(0).publish(new Uint8Array(1))).toBe(true);
    g.leave(0);
    expect(g.channel(0).publish(new Uint8Array(1))).toBe(false);
  });
});
