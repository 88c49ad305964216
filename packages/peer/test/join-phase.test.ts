import { RectangleKeys } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import { inspectJoin } from '../src/inspect.js';
import type { SnapshotAdoptedInfo } from '../src/types.js';
import { cluster, loopback } from './helpers/harness.js';

describe('join phase (fresh → established → synced)', () => {
  it('a fresh peer alone becomes established after aloneGraceMs, and synced at once (nothing to wait for)', async () => {
    const net = loopback(20);
    const c = await cluster(net, { aloneGraceMs: 600 });
    const a = await c.add('a');
    const queued = a.emit(RectangleKeys.right);
    expect(inspectJoin(a).phase).toBe('fresh');
    expect(queued.seq).toBe(0); // queued while fresh: not stamped yet
    c.run(500);
    expect(inspectJoin(a).phase).toBe('fresh');
    expect(a.tick).toBe(0); // a fresh peer simulates nothing
    c.run(1000);
    const seen = inspectJoin(a);
    expect(seen.phase).toBe('synced');
    expect(seen.changes.map((x) => `${x.from}→${x.to}`)).toEqual(['fresh→established', 'established→synced']);
    for (const change of seen.changes) {
      expect(change.at).toBeGreaterThanOrEqual(600);
      expect(change.at).toBeLessThan(700);
    }
    expect(queued.seq).toBe(1); // stamped on becoming established
    expect(a.status).toBe('live');
  });

  it('a fresh peer next to a synced one adopts its snapshot, then is established and synced', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 100 }, aloneGraceMs: 300 });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    c.run(1000);
    for (let i = 0; i < 3; i++) a.emit(RectangleKeys.up);
    for (let i = 0; i < 2; i++) b.emit(RectangleKeys.left);
    c.run(6000);
    expect(inspectJoin(a).phase).toBe('synced');
    const j = await c.add('j', {}, ['a']);
    expect(inspectJoin(j).phase).toBe('fresh');
    const adoptions: SnapshotAdoptedInfo[] = [];
    j.on('snapshot:adopted', (info) => adoptions.push(info));
    let sawTransfer = false;
    c.run(8000, () => {
      if (inspectJoin(j).transferring) sawTransfer = true;
    });
    expect(sawTransfer).toBe(true);
    const seen = inspectJoin(j);
    expect(seen.transferring).toBe(false);
    expect(seen.phase).toBe('synced');
    expect(seen.changes.map((x) => x.to)).toEqual(['established', 'synced']);
    // Joined through the neighbour, one round trip after the link opened (its own alone grace
    // would have taken 300 ms).
    expect(seen.changes[0]!.at - 6000).toBeLessThan(100);
    expect(j.stats().snapshotsAdopted).toBe(1);
    expect(adoptions).toHaveLength(1);
    expect(adoptions[0]!.peerId).toBe(a.id);
    // The snapshot folds in every event of both sources that it is past.
    const folded = adoptions[0]!.frontier.reduce((n, [, seq]) => n + seq, 0);
    expect(adoptions[0]!.tick).toBeGreaterThan(0);
    expect(folded).toBe(5);
    expect(a.stats().snapshotsServed).toBe(1);
    expect(j.stats().events).toBe(5);
    expect(j.hash()).toBe(a.hash());
  });

  it('a peer that is not synced refuses to serve a snapshot; the joiner then starts on its own once alone', async () => {
    const net = loopback(20);
    const c = await cluster(net, { history: { horizonTicks: 100 }, aloneGraceMs: 400 });
    const a = await c.add('a');
    const b = await c.add('b', {}, ['a']);
    // Both fresh: neither lists a frontier, so neither asks the other for a snapshot.
    c.run(200);
    expect(inspectJoin(a).phase).toBe('fresh');
    expect(inspectJoin(b).phase).toBe('fresh');
    expect(a.stats().snapshotsServed + b.stats().snapshotsServed).toBe(0);
    c.run(2000);
    expect(inspectJoin(a).phase).toBe('synced');
    expect(inspectJoin(b).phase).toBe('synced');
    expect(a.stats().snapshotsAdopted + b.stats().snapshotsAdopted).toBe(0);
    expect(a.hash()).toBe(b.hash());
  });
});
