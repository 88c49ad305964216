import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketTransport } from '../src/index.js';
import { bytes, guard, Recorder, sleep, until } from './helpers.js';

const { track } = guard();
const MiB = 1024 * 1024;

/** Resident set size in MB (after a GC when `--expose-gc` is on). */
function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / MiB);
}

/** A listening transport and a friendly link to it that must keep working. */
async function victim(options: ConstructorParameters<typeof WebSocketTransport>[0] = {}) {
  const server = track(new WebSocketTransport({ listen: { port: 0 }, ...options }));
  const rec = new Recorder();
  await server.start(rec);
  const friend = track(new WebSocketTransport());
  await friend.start(new Recorder());
  const address = server.addresses()[0]!;
  const link = await friend.dial(address);
  await until(() => rec.links.length === 1, 'the friendly link');
  const friendly = rec.links[0]!;
  let n = 0;
  const check = async () => {
    n++;
    expect(link.send(bytes(100, n))).toBe(true);
    await until(() => rec.framesOf(friendly).length === n, `friendly frame ${n}`);
    expect(friendly.open).toBe(true);
  };
  return { server, rec, address, check };
}

/** Raw TCP sockets to `address`, each writing `head` (possibly nothing) and then never reading. */
function sockets(address: string, n: number, head: string): Socket[] {
  const url = new URL(address);
  return Array.from({ length: n }, () => {
    const s = connect(Number(url.port), url.hostname);
    s.on('error', () => {});
    s.pause();
    if (head.length > 0) s.write(head);
    return s;
  });
}

const UPGRADE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

// Figures printed for the record (RSS before/after); the assertions are about service and bounds.
declare const console: { log(...args: unknown[]): void };

describe('socket-level abuse of a WebSocket listener (RSS before and after)', () => {
  it('300 upgraded connections that never read, 50 of them sent 8 MiB each: send buffers bounded, friend served', async () => {
    const { rec, address, check } = await victim({ maxBufferedBytes: 256 * 1024 });
    const before = rssMb();
    const socks = sockets(address, 300, UPGRADE);
    await until(() => rec.links.length === 301, '300 hostile links', 15_000);
    // The server has a lot to say to 50 of them; none of them reads.
    const talkedTo = rec.links.slice(1, 51);
    for (const l of talkedTo) for (let i = 0; i < 128 && l.open; i++) l.send(bytes(64 * 1024, i));
    await sleep(500);
    const during = rssMb();
    const closed = talkedTo.filter((l) => !l.open).length;
    console.log(
      `never-reading flood: RSS ${before} -> ${during} MB, 300 links held, ${closed}/50 closed for send buffer overflow`,
    );
    expect(closed).toBe(50);
    expect(during - before).toBeLessThan(300);
    for (const s of socks) s.destroy();
    await check();
  }, 30_000);

  it('20 never-reading links, each sent less than maxBufferedBytes but together beyond maxTotalBufferedBytes: the heaviest are closed, the total stays bounded, friend served', async () => {
    const { rec, address, check } = await victim({
      maxBufferedBytes: 8 * MiB,
      maxTotalBufferedBytes: 16 * MiB,
    });
    const before = rssMb();
    const socks = sockets(address, 20, UPGRADE);
    await until(() => rec.links.length === 21, '20 hostile links', 15_000);
    const slow = rec.links.slice(1);
    // Each is sent 64 KiB frames until 2 MiB wait in its own queue (a quarter of its cap) once the
    // kernel's socket buffers are full: 40 MiB queued in all if nothing stopped it.
    const queued = (l: (typeof slow)[number]) => (l as unknown as { buffered(): number }).buffered();
    for (const l of slow) {
      for (let i = 0; i < 1_000 && l.open && queued(l) < 2 * MiB; i++) l.send(bytes(64 * 1024, i));
    }
    const during = rssMb();
    const reasons = slow.map((l) => rec.closeOf(l)?.reason);
    const overTotal = reasons.filter((r) => r === 'total send buffers overflow').length;
    const overOwn = reasons.filter((r) => r === 'send buffer overflow').length;
    const held = slow.reduce((sum, l) => sum + queued(l), 0);
    console.log(
      `20 slow readers, 2 MiB queued each (own cap 8 MiB, total cap 16 MiB): ${overTotal} closed over the total, ` +
        `${overOwn} over their own cap, ${Math.round(held / MiB)} MiB still queued, RSS ${before} -> ${during} MB`,
    );
    expect(overOwn).toBe(0);
    expect(overTotal).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(16 * MiB);
    expect(rec.errorCodes().every((c) => c === 'LINK_CLOSED')).toBe(true);
    for (const s of socks) s.destroy();
    await check();
  }, 30_000);

  it('slow-loris: 200 sockets dribbling an unfinished upgrade never become links; friend served', async () => {
    const { rec, address, check } = await victim();
    const before = rssMb();
    const socks = sockets(address, 200, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    for (let i = 0; i < 10; i++) {
      for (const s of socks) if (!s.destroyed) s.write(`X-Slow-${i}: ${'a'.repeat(8)}\r\n`);
      await sleep(100);
    }
    const during = rssMb();
    console.log(`slow-loris: RSS ${before} -> ${during} MB, links ${rec.links.length - 1} (none expected)`);
    expect(rec.links).toHaveLength(1);
    expect(during - before).toBeLessThan(200);
    for (const s of socks) s.destroy();
    await check();
  }, 30_000);

  it('a 100 MB message from a real client is refused; RSS stays far below 100 MB of growth', async () => {
    const { rec, address, check } = await victim();
    const before = rssMb();
    const socks = sockets(address, 1, UPGRADE);
    await until(() => rec.links.length === 2, 'the hostile link');
    const header = Buffer.alloc(10);
    header[0] = 0x82;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(100 * MiB), 2);
    socks[0]!.write(Buffer.concat([header, Buffer.from([1, 2, 3, 4]), Buffer.alloc(4 * MiB)]));
    await until(() => !rec.links[1]!.open, 'the hostile link closing');
    const after = rssMb();
    console.log(`100 MB message: RSS ${before} -> ${after} MB, ${rec.errorCodes().join(',')}`);
    expect(rec.errorCodes()).toContain('FRAME_TOO_LARGE');
    expect(after - before).toBeLessThan(60);
    socks[0]!.destroy();
    await check();
  }, 30_000);
});
