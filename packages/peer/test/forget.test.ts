import type { Frame } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { FORGET_HORIZONS } from '../src/forget.js';
import { type Peer, tableSizes } from '../src/index.js';
import { KEPT_OWN_HORIZONS } from '../src/offline.js';
import { cluster, distinct, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

// Horizon 100 ticks (2 s at 50 fps): a source is forgotten FORGET_HORIZONS horizons after its newest
// event (counted at the base, which trails the network's time by a horizon and a compaction period).
const HORIZON = 100;
const FORGET_MS = (FORGET_HORIZONS * HORIZON * 1000) / 50;
const HORIZON_MS = (HORIZON * 1000) / 50;
// A tombstone stands until a horizon or more after the timeline lets go of its source
// (KEPT_OWN_HORIZONS from its newest event, counted at the base), expiring at whole horizons.
const TOMBSTONE_MS = (KEPT_OWN_HORIZONS + 4) * HORIZON_MS;

type AnyPeer = Peer<unknown, unknown>;

/** The per-source tables of a peer (summed sizes by path, see tableSizes). */
function perSource(p: AnyPeer): {
  known: number;
  tombstones: number;
  log: number;
  folded: number;
  holds: number;
} {
  const t = tableSizes(p, new Map(), 8);
  return {
    known: t.get('ctx.eventIds') ?? 0,
    tombstones: t.get('ctx.eventIds.tombstones') ?? 0,
    log: t.get('driver.currentTimeline.log.logs.sources') ?? 0,
    folded: t.get('driver.currentTimeline.log.baseFrontier') ?? 0,
    holds: t.get('repair.frontiers[].holds') ?? 0,
  };
}

/** What `p` knows of event ids (held, pending, refused, or under a tombstone). */
function known(p: AnyPeer): {
  has(source: string, seq: number): boolean;
  contiguous(source: string): number;
} {
  return (p as unknown as { ctx: { eventIds: ReturnType<typeof known> } }).ctx.eventIds;
}

/** `true` while `p` keeps a tombstone of `source`. */
function tombstoned(p: AnyPeer, source: string): boolean {
  return (
    p as unknown as { ctx: { eventIds: { tombstones: ReadonlyMap<string, unknown> } } }
  ).ctx.eventIds.tombstones.has(source);
}

/** The sources `p`'s timeline lists in its frontier (forgotten ones are not). */
function frontierSources(p: AnyPeer): string[] {
  const timeline = (p as unknown as { driver: { timeline: { frontier(): ReadonlyMap<string, number> } } })
    .driver.timeline;
  return [...timeline.frontier().keys()];
}

/** The sources listed in `p`'s base snapshot. */
function baseSources(p: AnyPeer): string[] {
  const timeline = (
    p as unknown as { driver: { timeline: { baseSnapshot(): { frontier: [string, number][] } } } }
  ).driver.timeline;
  return timeline.baseSnapshot().frontier.map(([s]) => s);
}

const base = { history: { horizonTicks: HORIZON }, delay: 100, hashIntervalMs: 500 } as const;

describe('sources gone longer than the forget age are forgotten', () => {
  it('20 sources that came and went leave no per-source state, and peers that forgot at different times agree', async () => {
    const net = loopback(10);
    const c = await cluster(net, base);
    // Different snapshot periods: each peer compacts (and forgets) at other ticks.
    const a = await c.add('a', { snapshotEvery: 10 });
    const b = await c.add('b', { snapshotEvery: 30 }, ['a']);
    let t = 1000;
    c.run(t);
    for (let i = 0; i < 20; i++) {
      const n = await c.add(`n${i}`, {}, [i % 2 === 0 ? 'a' : 'b']);
      t += 1000;
      c.run(t);
      n.emit((i % 5) as 0 | 1 | 2 | 3 | 4);
      t += 500;
      c.run(t);
      await c.remove(`n${i}`);
      a.emit(((i + 1) % 5) as 0 | 1 | 2 | 3 | 4);
    }
    const during = perSource(a as AnyPeer);
    // Churner i's event is at 2 s + 1.5 s × i. Those gone for less than the forget age are still
    // known; those gone for longer than it plus the base's lag (a horizon, a compaction period)
    // and the forget step are forgotten.
    const goneMs = Array.from({ length: 20 }, (_, i) => t - (2000 + 1500 * i));
    const kept = goneMs.filter((g) => g < FORGET_MS).length;
    const forgotten = goneMs.filter((g) => g > FORGET_MS + 2 * HORIZON_MS).length;
    expect(forgotten).toBeGreaterThan(0);
    expect(during.known).toBeGreaterThanOrEqual(2 + kept);
    expect(during.known).toBeLessThanOrEqual(2 + 20 - forgotten);
    // A peer joining late, from a snapshot taken after some of the sources were forgotten.
    t += Math.max(0, FORGET_MS - 10_000);
    c.run(t);
    const late = await c.add('late', { snapshotEvery: 70 }, ['b']);
    t += Math.max(25_000, TOMBSTONE_MS + 8000);
    c.run(t, () => {
      if (Math.round(c.now()) % 1000 === 0) (c.now() % 2000 === 0 ? a : b).emit(1);
    });
    expect(late.stats().snapshotsAdopted).toBeGreaterThanOrEqual(1);
    const hashes = c.hashes();
    expect(distinct(hashes)).toHaveLength(1);
    for (const p of [a, b, late]) {
      expect(p.stats().desyncs).toBe(0);
      const s = perSource(p as AnyPeer);
      // Left: the three peers' own sources; the churners' are gone, tombstones expired too.
      expect(s.known).toBeLessThanOrEqual(3);
      expect(s.tombstones).toBe(0);
      expect(s.log).toBeLessThanOrEqual(3);
      expect(s.folded).toBeLessThanOrEqual(3);
      expect(s.holds).toBeLessThanOrEqual(6);
    }
  });
});

describe('a forgotten source', () => {
  const roomWithX = async () => {
    const net = loopback(10);
    const c = await cluster(net, base);
    const a = await c.add('a', { snapshotEvery: 10 });
    const b = await c.add('b', { snapshotEvery: 30 }, ['a']);
    const x = await new RawPeer(net.transport('x'), 'x').start();
    x.dial('a');
    c.run(3000);
    const old = [1, 2, 3].map((seq) => ({ source: 'x', seq, tick: a.tick + 10 * seq, payload: seq }));
    x.send('a', { type: 'events', events: old });
    c.run(4000);
    for (const p of [a, b]) expect(known(p as AnyPeer).contiguous('x')).toBe(3);
    // x leaves; the room runs on until both peers forgot it (its tombstone still stands).
    net.cut('x', 'a');
    let t = 4000;
    c.run(t + FORGET_MS + 5000, (now) => {
      if (now - t >= 1000) {
        t = now;
        a.emit(2);
      }
    });
    // Both forgot it: gone from their frontiers; their bases list its folded frontier (for the
    // offline merge) only while the merge's age is longer than the forget age.
    for (const p of [a, b]) {
      expect(frontierSources(p as AnyPeer)).not.toContain('x');
      expect(baseSources(p as AnyPeer).includes('x')).toBe(KEPT_OWN_HORIZONS > FORGET_HORIZONS);
    }
    net.heal('x', 'a');
    x.dial('a');
    c.run(c.now() + 1000);
    return { c, a, b, x, old };
  };

  const requestsFor = (frames: readonly Frame<number>[], source: string): number =>
    frames.filter((f) => f.type === 'request' && f.ranges.some((r) => r.source === source)).length;

  it('is not brought back by its old events nor by a neighbour listing it: nothing re-applied, requested or re-based', async () => {
    const { c, a, b, x, old } = await roomWithX();
    const before = [a, b].map((p) => ({ ...p.stats() }));
    x.received.length = 0;
    // While its tombstone stands: the frontier of a neighbour that has not forgotten it, and its
    // old events again. Nothing is asked for and x stays forgotten.
    x.send('a', { type: 'frontier', entries: [{ source: 'x', seq: 3 }] });
    x.send('a', { type: 'events', events: old });
    c.run(c.now() + 1500);
    for (const p of [a, b]) {
      expect(perSource(p as AnyPeer).known).toBe(1); // a's own source only
      expect(perSource(p as AnyPeer).tombstones).toBe(1);
    }
    // Tombstone gone: its old events are refused as settled, never applied nor repaired; what they
    // left known is swept after the forget age.
    c.run(Math.max(c.now() + 6000, 4000 + TOMBSTONE_MS + 2000));
    expect(perSource(a as AnyPeer).tombstones).toBe(0);
    x.send('a', { type: 'events', events: old });
    let t = c.now();
    c.run(t + FORGET_MS + 5000, (now) => {
      if (now - t >= 1000) {
        t = now;
        a.emit(2);
      }
    });
    expect(requestsFor(x.received, 'x')).toBe(0);
    for (const [i, p] of [a, b].entries()) {
      expect(p.stats().requestsSent).toBe(before[i]!.requestsSent);
      expect(p.stats().resyncs).toBe(before[i]!.resyncs);
      expect(p.stats().snapshotsAdopted).toBe(before[i]!.snapshotsAdopted);
      expect(p.stats().lateEvents).toBe(before[i]!.lateEvents);
      expect(perSource(p as AnyPeer).known).toBe(1);
    }
    expect(a.stats().tooOld).toBeGreaterThan(before[0]!.tooOld);
    expect(distinct(c.hashes())).toHaveLength(1);
  });

  it('replaced by a newer incarnation of its peer: its folded frontier leaves the base at once', async () => {
    const { c, a, b, x } = await roomWithX();
    for (const p of [a, b]) expect(baseSources(p as AnyPeer)).toContain('x');
    x.send('a', { type: 'events', events: [{ source: 'x~2', seq: 1, tick: a.tick + 10, payload: 1 }] });
    c.run(c.now() + 3000);
    for (const p of [a, b]) {
      expect(known(p as AnyPeer).contiguous('x~2')).toBe(1);
      expect(baseSources(p as AnyPeer)).not.toContain('x');
    }
    expect(distinct(c.hashes())).toHaveLength(1);
  });

  it('replaced by a newer incarnation: its tombstone goes a horizon after its forgetting, not when the timeline would have let go', async () => {
    const tombstonesAt = async (replace: boolean): Promise<number[]> => {
      const { c, a, b, x } = await roomWithX();
      if (replace)
        x.send('a', { type: 'events', events: [{ source: 'x~2', seq: 1, tick: a.tick + 10, payload: 1 }] });
      const out: number[] = [];
      const start = c.now();
      for (let ms = 500; ms <= TOMBSTONE_MS; ms += 500) {
        c.run(start + ms);
        out.push([a, b].filter((p) => tombstoned(p as AnyPeer, 'x')).length);
      }
      return out;
    };
    // x was forgotten more than a horizon ago: replaced, its tombstone goes at the next
    // compaction; otherwise it stands a while longer, then expires all the same.
    const kept = await tombstonesAt(false);
    const replaced = await tombstonesAt(true);
    expect(kept.slice(0, 4)).toEqual([2, 2, 2, 2]);
    expect(replaced.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(kept).toContain(0);
  });

  it('returning under the same id continues above its forgotten seqs: applied everywhere, no gap asked for', async () => {
    const { c, a, b, x } = await roomWithX();
    x.received.length = 0;
    x.send('a', { type: 'events', events: [{ source: 'x', seq: 4, tick: a.tick + 10, payload: 4 }] });
    c.run(c.now() + 3000);
    for (const p of [a, b]) {
      expect(known(p as AnyPeer).contiguous('x')).toBe(4);
      expect(p.stats().desyncs).toBe(0);
    }
    expect(requestsFor(x.received, 'x')).toBe(0);
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});

describe('a source quiet for several horizons', () => {
  it('comes back while the timelines still list its folded frontier: known from there on, nothing requested or re-based', async () => {
    const net = loopback(10);
    const c = await cluster(net, base);
    const a = await c.add('a', { snapshotEvery: 10 });
    const b = await c.add('b', { snapshotEvery: 30 }, ['a']);
    const d = await c.add('d', {}, ['b']);
    c.run(2000);
    d.emit(1);
    d.emit(2);
    // d is quiet for 8 horizons (forgotten after one, listed in the bases for the offline merge
    // until KEPT_OWN_HORIZONS) while a keeps the room going; then it emits again.
    let t = 2000;
    c.run(2000 + 8 * HORIZON_MS, (now) => {
      if (now - t >= 1000) {
        t = now;
        a.emit(3);
      }
    });
    for (const p of [a, b]) expect(frontierSources(p as AnyPeer)).not.toContain(d.source);
    d.emit(4);
    c.run(c.now() + 3000);
    for (const p of [a, b, d]) {
      expect(known(p as AnyPeer).contiguous(d.source)).toBe(3);
      expect(p.stats().requestsSent).toBe(0);
      expect(p.stats().gapsGivenUp).toBe(0);
      expect(p.stats().resyncs).toBe(0);
    }
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});

describe('events held, once their sources are forgotten', () => {
  it('count each event once: the own source the timeline forgot, a source some of whose events were refused as settled', async () => {
    const net = loopback(20);
    const c = await cluster(net, base);
    const a = await c.add('a', { snapshotEvery: 10 });
    const b = await c.add('b', { snapshotEvery: 30 }, ['a']);
    const x = await new RawPeer(net.transport('x'), 'x').start();
    x.dial('a');
    c.run(6_010);
    a.emit(1);
    // Nine events of x around the settled bound: a refuses the oldest, both hold the others.
    const now = a.tick;
    const events = [];
    for (let k = 0; k < 9; k++) events.push({ source: 'x', seq: k + 1, tick: now - 104 + k, payload: k % 5 });
    x.send('a', { type: 'events', events });
    c.run(8_000);
    net.cut('x', 'a');
    const held = 1 + 9 - a.stats().tooOld;
    expect(a.stats().tooOld).toBeGreaterThan(0);
    for (const p of [a, b]) expect(p.stats().events).toBe(held);
    // Nobody emits: a's source and x are forgotten by both timelines.
    c.run(8_000 + FORGET_MS + 4 * HORIZON_MS);
    for (const p of [a, b]) {
      expect(frontierSources(p as AnyPeer)).toEqual([]);
      expect(p.stats().events).toBe(held);
    }
    expect(distinct(c.hashes())).toHaveLength(1);
  });
});
