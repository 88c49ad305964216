import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, WebSocketTransport } from '../src/index.js';
import { bytes, guard, Recorder, sleep, until } from './helpers.js';

const { track } = guard();
const MiB = 1024 * 1024;

/** A TCP client that performs the WebSocket upgrade by hand, so it can then send anything. */
class RawClient {
  readonly received: Buffer[] = [];
  ended = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.received.push(d));
    socket.on('close', () => {
      this.ended = true;
    });
    socket.on('error', () => {});
  }

  static async upgrade(address: string): Promise<RawClient> {
    const url = new URL(address);
    const socket = connect(Number(url.port), url.hostname);
    const client = new RawClient(socket);
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await until(() => Buffer.concat(client.received).includes('\r\n\r\n'), 'the upgrade response');
    const all = Buffer.concat(client.received);
    expect(all.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    const rest = all.subarray(all.indexOf('\r\n\r\n') + 4);
    client.received.length = 0;
    if (rest.length > 0) client.received.push(rest);
    return client;
  }

  /** The close code of the first close frame received, if any. */
  closeCode(): number | undefined {
    const all = Buffer.concat(this.received);
    if (all.length >= 4 && all[0] === 0x88) return all.readUInt16BE(2);
    return undefined;
  }
}

/** Header of a masked binary frame from a client, announcing `length` payload bytes. */
function frameHeader(length: number, mask = Buffer.from([1, 2, 3, 4])): Buffer {
  if (length < 126) return Buffer.concat([Buffer.from([0x82, 0x80 | length]), mask]);
  if (length < 65_536) {
    const h = Buffer.from([0x82, 0x80 | 126, 0, 0]);
    h.writeUInt16BE(length, 2);
    return Buffer.concat([h, mask]);
  }
  const h = Buffer.alloc(10);
  h[0] = 0x82;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return Buffer.concat([h, mask]);
}

/** Two real transports that must keep working while the listener is attacked. */
async function healthyPair() {
  const victim = track(new WebSocketTransport({ listen: { port: 0 } }));
  const vrec = new Recorder();
  await victim.start(vrec);
  const friend = track(new WebSocketTransport());
  const frec = new Recorder();
  await friend.start(frec);
  const link = await friend.dial(victim.addresses()[0]!);
  await until(() => vrec.links.length === 1, 'the friendly link');
  const friendly = vrec.links[0]!;
  let n = 0;
  const check = async () => {
    n++;
    expect(link.send(bytes(100, n))).toBe(true);
    await until(() => vrec.framesOf(friendly).length === n, `friendly frame ${n}`);
    expect(vrec.framesOf(friendly)[n - 1]).toEqual(bytes(100, n));
    expect(friendly.open).toBe(true);
  };
  return { victim, vrec, address: victim.addresses()[0]!, friendly, check };
}

describe('hostile input on a listening transport', () => {
  it('a 100 MB frame is refused with 1009 from its header alone, before its payload is buffered', async () => {
    const { vrec, address, check } = await healthyPair();
    const raw = await RawClient.upgrade(address);
    // Announce 100 MB but send only 16 bytes of it: the server must not wait for the rest.
    raw.socket.write(Buffer.concat([frameHeader(100 * MiB), Buffer.alloc(16)]));
    await until(() => raw.closeCode() !== undefined, 'a close frame');
    expect(raw.closeCode()).toBe(CloseCode.MessageTooBig);
    await until(() => vrec.links.length === 2, 'the hostile link');
    const hostile = vrec.links[1]!;
    await until(() => vrec.closeOf(hostile) !== undefined, 'the hostile link closing');
    expect(vrec.closeOf(hostile)!.error?.code).toBe('FRAME_TOO_LARGE');
    expect(vrec.errors.map((e) => [e.error.code, e.link?.id])).toEqual([['FRAME_TOO_LARGE', hostile.id]]);
    expect(vrec.framesOf(hostile)).toEqual([]);
    raw.socket.destroy();
    await check();
  });

  it('a ws client really sending 100 MB is closed with 1009; the friendly link carries on', async () => {
    const { vrec, address, check } = await healthyPair();
    const client = new WebSocket(address);
    client.on('error', () => {});
    await new Promise((r) => client.once('open', r));
    const closed = new Promise<number>((r) => client.once('close', (code) => r(code)));
    client.send(Buffer.alloc(100 * MiB, 7));
    expect(await closed).toBe(CloseCode.MessageTooBig);
    await until(() => vrec.errorCodes().includes('FRAME_TOO_LARGE'), 'the typed error');
    expect(vrec.errorCodes()).toEqual(['FRAME_TOO_LARGE']);
    await check();
  });

  it('garbage after the upgrade is a PROTOCOL error (close 1002), and nothing reaches onFrame', async () => {
    const { vrec, check } = await healthyPair().then(async (p) => {
      const raw = await RawClient.upgrade(p.address);
      // Reserved opcode 0x3 with FIN, then noise.
      raw.socket.write(Buffer.from([0x83, 0x85, 9, 9, 9, 9, 1, 2, 3, 4, 5, 0xff, 0xfe]));
      await until(() => raw.closeCode() !== undefined, 'a close frame');
      expect(raw.closeCode()).toBe(1002);
      raw.socket.destroy();
      return p;
    });
    await until(() => vrec.errors.length === 1, 'the typed error');
    expect(vrec.errorCodes()).toEqual(['PROTOCOL']);
    const hostile = vrec.links[1]!;
    expect(vrec.framesOf(hostile)).toEqual([]);
    expect(vrec.closeOf(hostile)!.error?.code).toBe('PROTOCOL');
    await check();
  });

  it('an unmasked client frame is a PROTOCOL error', async () => {
    const { vrec, address, check } = await healthyPair();
    const raw = await RawClient.upgrade(address);
    raw.socket.write(Buffer.from([0x82, 0x03, 1, 2, 3]));
    await until(() => raw.closeCode() !== undefined, 'a close frame');
    expect(raw.closeCode()).toBe(1002);
    await until(() => vrec.errors.length === 1, 'the typed error');
    expect(vrec.errorCodes()).toEqual(['PROTOCOL']);
    raw.socket.destroy();
    await check();
  });

  it('a truncated frame followed by a hang-up closes that link (LINK_CLOSED) and delivers nothing', async () => {
    const { vrec, address, check } = await healthyPair();
    const raw = await RawClient.upgrade(address);
    raw.socket.write(Buffer.concat([frameHeader(1000), Buffer.alloc(10)]));
    await sleep(30);
    raw.socket.end();
    await until(
      () => vrec.links.length === 2 && vrec.closeOf(vrec.links[1]!) !== undefined,
      'the link closing',
    );
    const hostile = vrec.links[1]!;
    expect(vrec.framesOf(hostile)).toEqual([]);
    expect(vrec.closeOf(hostile)).toMatchObject({ local: false });
    expect(vrec.closeOf(hostile)!.error?.code).toBe('LINK_CLOSED');
    await check();
  });

  it('bytes that are not HTTP at all never become a link', async () => {
    const { vrec, address, check } = await healthyPair();
    const url = new URL(address);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => {});
    let response = '';
    socket.on('data', (d: Buffer) => {
      response += d.toString('latin1');
    });
    const gone = new Promise((r) => socket.once('close', r));
    socket.write(Buffer.from('\x00\x01\x02 definitely not http \r\n\r\n\xff\xfe'));
    await gone;
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(vrec.links).toHaveLength(1);
    await check();
  });

  it('a flood of connections that send garbage leaves the transport serving', async () => {
    const { vrec, address, check } = await healthyPair();
    const raws = await Promise.all(Array.from({ length: 20 }, () => RawClient.upgrade(address)));
    raws.forEach((raw, i) => {
      raw.socket.write(Buffer.from([0x80 | ((i % 3) + 0x3), 0x80, 0, 0, 0, 0]));
    });
    await until(
      () => vrec.links.slice(1).every((l) => vrec.closeOf(l) !== undefined) && vrec.links.length === 21,
      'all hostile links closed',
    );
    expect(new Set(vrec.errorCodes())).toEqual(new Set(['PROTOCOL']));
    for (const raw of raws) raw.socket.destroy();
    await check();
  });
});
