import { IdRegistry, MAX_FRONTIER_PRINTS } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { inspectJoin } from '../src/inspect.js';
import { PrintExchange } from '../src/print-exchange.js';
import { newRemoteFrontier, type RemoteFrontier } from '../src/remote-frontier.js';
import { cluster, loopback } from './helpers/harness.js';
import { RawPeer } from './helpers/raw-peer.js';

const p = (tick: number, count: number, digest = count * 7) => ({ tick, count, digest });

const remote = (): RemoteFrontier => newRemoteFrontier(new IdRegistry());

describe('PrintExchange: prints sent and kept per link', () => {
  it('sends nothing new before a frontier went out, then each mark once', () => {
    const mine = [p(10, 1), p(20, 2)];
    const x = new PrintExchange(() => mine);
    const r = remote();
    expect(x.newSince(r)).toEqual([]);
    expect(x.toSend(r)).toEqual(mine);
    expect(x.newSince(r)).toEqual([]);
    mine.push(p(30, 3), p(40, 3));
    expect(x.newSince(r)).toEqual([p(30, 3), p(40, 3)]);
    expect(x.newSince(r)).toEqual([]);
  });

  it('a frontier without prints: the first prints frame carries every print kept', () => {
    const mine: ReturnType<typeof p>[] = [];
    const x = new PrintExchange(() => mine);
    const r = remote();
    expect(x.toSend(r)).toEqual([]);
    mine.push(p(10, 1), p(20, 2));
    expect(x.newSince(r)).toEqual([p(10, 1), p(20, 2)]);
  });

  it("keeps the neighbour's prints: a frontier replaces them, a prints frame appends past the marks it keeps", () => {
    const x = new PrintExchange(() => []);
    const r = remote();
    x.received(r, [p(10, 1), p(20, 2)]);
    expect(x.appended(r, [p(30, 4)])).toBe(true);
    expect(r.prints).toEqual([p(10, 1), p(20, 2), p(30, 4)]);
    // A print at a mark it sent already replaces the rest from there.
    expect(x.appended(r, [p(20, 3), p(30, 5)])).toBe(true);
    expect(r.prints).toEqual([p(10, 1), p(20, 3), p(30, 5)]);
    // Out of order: nothing taken.
    expect(x.appended(r, [p(50, 1), p(40, 1)])).toBe(false);
    expect(r.prints).toEqual([p(10, 1), p(20, 3), p(30, 5)]);
    x.received(r, [p(100, 9)]);
    expect(r.prints).toEqual([p(100, 9)]);
  });

  it("holds a neighbour's print equal to ours at the same mark as our own object", () => {
    const mine = [p(10, 1), p(20, 2)];
    const x = new PrintExchange(() => mine);
    const r = remote();
    x.received(r, [p(10, 1), p(20, 3), p(30, 4)]);
    expect(r.prints[0]).toBe(mine[0]);
    expect(r.prints[1]).not.toBe(mine[1]);
    expect(r.prints).toEqual([p(10, 1), p(20, 3), p(30, 4)]);
    // Our base passes the mark 30 with the same print: the neighbour's becomes ours.
    mine.push(p(30, 4));
    x.share(r);
    expect(r.prints[2]).toBe(mine[2]);
    expect(r.prints).toEqual([p(10, 1), p(20, 3), p(30, 4)]);
    // Appended prints are shared as they come.
    mine.push(p(40, 6));
    expect(x.appended(r, [p(40, 6)])).toBe(true);
    expect(r.prints[3]).toBe(mine[3]);
  });

  it('keeps at most MAX_FRONTIER_PRINTS of them, the newest', () => {
    const x = new PrintExchange(() => []);
    const r = remote();
    for (let i = 1; i <= MAX_FRONTIER_PRINTS + 5; i++) x.appended(r, [p(10 * i, i)]);
    expect(r.prints).toHaveLength(MAX_FRONTIER_PRINTS);
    expect(r.prints[0]!.tick).toBe(60);
  });

  it('orders on the prints of both sides, read again once either changes', () => {
    const mine = [p(10, 1), p(20, 2)];
    const x = new PrintExchange(() => mine);
    const r = remote();
    x.received(r, [p(10, 1), p(20, 2)]);
    expect(x.order(r)).toBe('equal');
    x.appended(r, [p(30, 5)]);
    expect(x.order(r)).toBe('equal');
    mine.push(p(30, 4));
    expect(x.order(r)).toBe('greater');
    x.appended(r, [p(30, 3)]);
    expect(x.order(r)).toBe('less');
  });

  it('with a count of base changes: our prints are read again only once it moves', () => {
    let mine = [p(10, 1), p(20, 2)];
    let bases = 0;
    let reads = 0;
    const x = new PrintExchange(
      () => {
        reads++;
        return mine;
      },
      () => bases,
    );
    /** The order read afresh, with no memo. */
    const fresh = (r: RemoteFrontier) => {
      const { printOrder: _, ...unread } = r;
      return new PrintExchange(() => mine).order(unread);
    };
    const r = remote();
    x.received(r, [p(10, 1), p(20, 3)]);
    expect(x.order(r)).toBe(fresh(r));
    expect(fresh(r)).not.toBe('equal');
    const first = reads;
    expect(x.order(r)).toBe(fresh(r));
    expect(reads).toBe(first);
    // A compaction that printed nothing new: read once more, the same order.
    bases++;
    expect(x.order(r)).toBe(fresh(r));
    expect(x.order(r)).toBe(fresh(r));
    expect(reads).toBe(first + 1);
    // A compaction that changed our prints: the new ones count.
    mine = [p(10, 1), p(20, 3)];
    bases++;
    expect(x.order(r)).toBe('equal');
    expect(reads).toBe(first + 2);
    // Theirs changed: read again.
    x.appended(r, [p(20, 7)]);
    const before = reads;
    expect(x.order(r)).toBe(fresh(r));
    expect(fresh(r)).not.toBe('equal');
    expect(reads).toBe(before + 1);
  });
});

describe('prints frames from a neighbour', () => {
  it('out of order: counted in printsRefused and dropped, the link kept; in order: kept and sent on at each mark', async () => {
    const net = loopback(10);
    const c = await cluster(net, { history: { horizonTicks: 80 }, delay: 100 });
    const a = await c.add('a');
    const x = await new RawPeer(net.transport('x'), 'x').start();
    x.dial('a');
    c.run(2000);
    x.send('a', { type: 'prints', prints: [p(50, 1), p(40, 1)] });
    c.run(2500);
    expect(a.stats().printsRefused).toBe(1);
    expect(a.neighbours().map((n) => n.peerId)).toContain('x');
    // a's base passes a mark every ten ticks (an eighth of the horizon): x hears of each mark
    // once, in order, the new ones of each housekeeping round in one frame.
    x.received.length = 0;
    c.run(8000);
    const sent = x.received.filter((f) => f.type === 'prints');
    expect(sent.length).toBeGreaterThanOrEqual(4);
    const ticks = sent.flatMap((f) => (f.type === 'prints' ? f.prints.map((q) => q.tick) : []));
    expect(ticks.length).toBeGreaterThan(20);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(10);
  });
});

describe('a peer that starts vouching while a link is in its handshake', () => {
  it('sends that neighbour its vouching frontier, with its prints, and then its prints at each mark', async () => {
    const net = loopback(150);
    const c = await cluster(net, { history: { horizonTicks: 80 }, aloneGraceMs: 600 });
    const a = await c.add('a');
    const x = await new RawPeer(net.transport('x'), 'x').start();
    c.run(500);
    x.dial('a');
    // a's alone grace ends while the link to x is in its handshake (x's hello on its way).
    let syncedAlone = false;
    c.run(1200, () => {
      if (!syncedAlone && inspectJoin(a).phase === 'synced')
        syncedAlone = a.neighbours().length === 0 && a.stats().links === 1;
    });
    expect(syncedAlone).toBe(true);
    // The frontier that went behind a's hello listed nothing (a did not vouch then); the one a
    // sends on becoming synced lists its own source, so x compares histories with a from then on.
    const frontiers = x.received.filter((f) => f.type === 'frontier');
    expect(frontiers[0]!.type === 'frontier' && frontiers[0]!.entries).toEqual([]);
    expect(frontiers.some((f) => f.type === 'frontier' && f.entries.length > 0)).toBe(true);
    c.run(6000);
    const prints = x.received.filter((f) => f.type === 'prints' || (f.type === 'frontier' && f.prints));
    expect(prints.length).toBeGreaterThan(0);
  });
});
