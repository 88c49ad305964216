import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createRelayNode } from '../src/index.js';
import { frameOf, type Started, startTransport, stopAll, until } from './helpers.js';

const MiB = 1024 * 1024;

/** Resident set size in MB (after a GC when `--expose-gc` is on). */
function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / MiB);
}

/**
 * Raw TCP sockets to the listener of `address` (a multiaddr), each writing `head` and never
 * reading, from `from` (another loopback address than the honest peers' 127.0.0.1, so the
 * listener can tell the flooding host from theirs).
 */
function sockets(address: string, n: number, head: Uint8Array, from = '127.0.0.2'): Socket[] {
  const m = /\/ip4\/([^/]+)\/tcp\/(\d+)/.exec(address)!;
  return Array.from({ length: n }, () => {
    const s = connect({ port: Number(m[2]), host: m[1], localAddress: from });
    s.on('error', () => {});
    s.pause();
    if (head.length > 0) s.write(head);
    return s;
  });
}

async function stillWorks(victim: Started): Promise<void> {
  const friend = await startTransport('friend');
  const link = await friend.t.dial(victim.address);
  expect(link.send(frameOf(42))).toBe(true);
  await until(
    () =>
      victim.rec.links.some((l) => l.remotePeerId === friend.t.peerId && victim.rec.framesOf(l).length === 1),
    'a frame from a real peer',
  );
  link.close('done');
}

// Figures printed for the record (RSS before/after); the assertions are about service and bounds.
declare const console: { log(...args: unknown[]): void };

afterAll(async () => {
  await stopAll();
});

describe('socket-level abuse of a libp2p listener (RSS before and after)', () => {
  it('200 TCP connections that never speak, then 200 dribbling a multistream header from one host: a friend from another host is served during the flood, the flood is closed within the upgrade timeout, RSS bounded', async () => {
    const victim = await startTransport('victim', { inboundUpgradeTimeoutMs: 1_500 });
    const before = rssMb();
    const start = Date.now();
    const silent = sockets(victim.address, 200, new Uint8Array(0));
    const header = new TextEncoder().encode('\x13/multistream/1.0.0\n');
    const slow = sockets(victim.address, 200, header.subarray(0, 4));
    const all = [...silent, ...slow];
    const closedAt: number[] = [];
    for (const s of all) {
      s.resume(); // reads (and drops) what the listener says, to see it hang up
      s.on('close', () => closedAt.push(Date.now() - start));
    }
    for (let i = 4; i < header.length; i++) {
      for (const s of slow) if (!s.destroyed) s.write(header.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, 50));
    }
    const during = rssMb();
    const open = all.filter((s) => !s.destroyed).length;
    // The flooding host holds at most `maxPendingInboundPerHost` pending slots: an honest peer from
    // another host gets in while the flood is on.
    await stillWorks(victim);
    const served = Date.now() - start;
    // Every flooding socket is closed by the listener: at once beyond the per-host cap, the rest
    // when their upgrade times out.
    await until(() => closedAt.length === all.length, 'the listener closing every flooding socket', 10_000);
    console.log(
      `libp2p connection flood + slow-loris from one host: RSS ${before} -> ${during} MB, ` +
        `${open}/400 sockets open after the header dribble, a friendly dial from another host served ` +
        `${served} ms into the flood, all 400 closed by the listener within ${Math.max(...closedAt)} ms ` +
        `(inboundUpgradeTimeoutMs 1500)`,
    );
    expect(victim.rec.links.filter((l) => l.remotePeerId === undefined)).toHaveLength(0);
    expect(during - before).toBeLessThan(300);
  }, 60_000);

  it('the flooding host itself is capped: beyond maxPendingInboundPerHost its connections are closed at once', async () => {
    const victim = await startTransport('victim', {
      maxPendingInboundPerHost: 4,
      inboundUpgradeTimeoutMs: 30_000,
    });
    const socks = sockets(victim.address, 20, new Uint8Array(0), '127.0.0.3');
    let closed = 0;
    for (const s of socks) {
      s.resume();
      s.on('close', () => closed++);
    }
    // 16 refused at once; the 4 held stay until their (long) upgrade timeout.
    await until(() => closed === 16, '16 sockets beyond the cap closed');
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(16);
    await stillWorks(victim);
    for (const s of socks) s.destroy();
  }, 30_000);

  it('a relay node caps pending connections per host the same way', async () => {
    const relay = await createRelayNode({ listen: ['/ip4/127.0.0.1/tcp/0'], maxPendingInboundPerHost: 4 });
    try {
      const address = relay.getMultiaddrs()[0]!.toString();
      const socks = sockets(address, 12, new Uint8Array(0), '127.0.0.4');
      let closed = 0;
      for (const s of socks) {
        s.resume();
        s.on('close', () => closed++);
      }
      await until(() => closed === 8, '8 sockets beyond the cap closed');
      for (const s of socks) s.destroy();
    } finally {
      await relay.stop();
    }
  }, 30_000);

  it('100 MB of bytes on 10 raw connections (no Noise) never become frames; RSS bounded', async () => {
    const victim = await startTransport('victim');
    const before = rssMb();
    const socks = sockets(victim.address, 10, new Uint8Array(0));
    const chunk = new Uint8Array(MiB).fill(0x41);
    for (let i = 0; i < 10; i++) for (const s of socks) if (!s.destroyed) s.write(chunk);
    await new Promise((r) => setTimeout(r, 1000));
    const during = rssMb();
    console.log(`libp2p 100 MB of garbage: RSS ${before} -> ${during} MB`);
    expect(victim.rec.links).toHaveLength(0);
    expect(during - before).toBeLessThan(300);
    for (const s of socks) s.destroy();
    await stillWorks(victim);
  }, 60_000);
});

describe('total unsent bytes across libp2p links', () => {
  it('6 neighbours that stop reading, each under maxBufferedBytes but together beyond maxTotalBufferedBytes: the heaviest are closed, the total stays bounded', async () => {
    const victim = await startTransport('victim', { maxTotalBufferedBytes: 4 * MiB });
    const sinks = await Promise.all(Array.from({ length: 6 }, (_, i) => startTransport(`sink${i}`)));
    for (const sink of sinks) await sink.t.dial(victim.address);
    await until(() => victim.rec.links.length === 6, '6 links');
    // Each neighbour stops reading its link: what the victim sends piles up in its stream queues.
    for (const sink of sinks)
      for (const l of sink.rec.links) (l as unknown as { stream: { pause(): void } }).stream.pause();
    const links = victim.rec.links;
    const queued = (l: (typeof links)[number]) => (l as unknown as { buffered(): number }).buffered();
    for (const l of links) {
      for (let i = 0; i < 500 && l.open && queued(l) < MiB; i++) l.send(new Uint8Array(64 * 1024));
    }
    const overTotal = links.filter(
      (l) => victim.rec.closes.get(l)?.[0]?.reason === 'total send buffers overflow',
    );
    const held = links.reduce((sum, l) => sum + queued(l), 0);
    console.log(
      `libp2p: 6 neighbours not reading, 1 MiB queued each (total cap 4 MiB): ${overTotal.length} closed ` +
        `over the total, ${Math.round(held / 1024)} KiB still queued`,
    );
    expect(overTotal.length).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(4 * MiB);
    expect(overTotal.every((l) => victim.rec.closes.get(l)?.[0]?.error?.code === 'LINK_CLOSED')).toBe(true);
  }, 30_000);
});
