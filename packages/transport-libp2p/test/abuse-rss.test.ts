import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { frameOf, type Started, startTransport, stopAll, until } from './helpers.js';

const MiB = 1024 * 1024;

/** Resident set size in MB (after a GC when `--expose-gc` is on). */
function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / MiB);
}

/** Raw TCP sockets to the listener of `address` (a multiaddr), each writing `head` and never reading. */
function sockets(address: string, n: number, head: Uint8Array): Socket[] {
  const m = /\/ip4\/([^/]+)\/tcp\/(\d+)/.exec(address)!;
  return Array.from({ length: n }, () => {
    const s = connect(Number(m[2]), m[1]);
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
  it('200 TCP connections that never speak, then 200 dribbling a multistream header: no link, RSS bounded, friend served after', async () => {
    const victim = await startTransport('victim');
    const before = rssMb();
    const silent = sockets(victim.address, 200, new Uint8Array(0));
    const header = new TextEncoder().encode('\x13/multistream/1.0.0\n');
    const slow = sockets(victim.address, 200, header.subarray(0, 4));
    for (let i = 4; i < header.length; i++) {
      for (const s of slow) if (!s.destroyed) s.write(header.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, 50));
    }
    const during = rssMb();
    const open = [...silent, ...slow].filter((s) => !s.destroyed && s.readyState === 'open').length;
    // Whether an honest peer gets in while the flood holds the listener's pending connections.
    const duringFlood = await stillWorks(victim).then(
      () => 'served',
      (error: unknown) => `refused (${String(error).slice(0, 80)})`,
    );
    console.log(
      `libp2p connection flood + slow-loris: RSS ${before} -> ${during} MB, ${open}/400 sockets still open, ` +
        `a friendly dial during the flood: ${duringFlood}`,
    );
    expect(victim.rec.links.filter((l) => l.remotePeerId === undefined)).toHaveLength(0);
    expect(during - before).toBeLessThan(300);
    for (const s of [...silent, ...slow]) s.destroy();
    // Once the attackers hang up, an honest peer gets in again (retried while the listener frees up).
    const gone = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await stillWorks(victim);
        console.log(
          `friendly dial served ${Date.now() - gone} ms after the flood ended (attempt ${attempt})`,
        );
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }, 60_000);

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
