import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTransportError, type Link } from '@symmetric/transport';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, InvalidOptionError, isInvalidOptionError, WebSocketTransport } from '../src/index.js';
import { bytes, guard, Recorder, rejectionOf, sleep, until } from './helpers.js';

const { track } = guard();

async function listening(
  options: ConstructorParameters<typeof WebSocketTransport>[0] = {},
): Promise<{ t: WebSocketTransport; rec: Recorder; address: string }> {
  const t = track(new WebSocketTransport({ listen: { port: 0 }, ...options }));
  const rec = new Recorder();
  await t.start(rec);
  const address = t.addresses()[0];
  if (address === undefined) throw new Error('no address');
  return { t, rec, address };
}

async function pair(): Promise<{
  a: Awaited<ReturnType<typeof listening>>;
  b: Awaited<ReturnType<typeof listening>>;
  out: Link;
  inbound: Link;
}> {
  const a = await listening();
  const b = await listening();
  const out = await a.t.dial(b.address);
  await until(() => b.rec.links.length === 1, 'inbound link');
  return { a, b, out, inbound: b.rec.links[0]! };
}

describe('WebSocketTransport (Node)', () => {
  it('listens on 127.0.0.1 with an ephemeral port and reports a ws:// address', async () => {
    const { t, address } = await listening();
    expect(address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(address).port)).toBeGreaterThan(0);
    expect(t.name).toBe('ws');
    expect(t.links()).toEqual([]);
  });

  it('advertises the configured addresses while listening, and nothing once stopped', async () => {
    const t = track(
      new WebSocketTransport({
        listen: { port: 0, host: '0.0.0.0' },
        advertise: ['wss://peer.example.org/room'],
      }),
    );
    expect(t.addresses()).toEqual([]);
    await t.start(new Recorder());
    expect(t.addresses()).toEqual(['wss://peer.example.org/room']);
    await t.stop();
    expect(t.addresses()).toEqual([]);
    const any = track(new WebSocketTransport({ listen: { port: 0, host: '0.0.0.0' } }));
    await any.start(new Recorder());
    expect(any.addresses()[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a transport without listen has no addresses but can dial', async () => {
    const server = await listening();
    const t = track(new WebSocketTransport());
    const rec = new Recorder();
    await t.start(rec);
    expect(t.addresses()).toEqual([]);
    const link = await t.dial(server.address);
    expect(link.open).toBe(true);
    expect(link.remoteAddress).toBe(server.address);
    expect(link.remotePeerId).toBeUndefined();
  });

  it('carries frames both ways, in order, as plain Uint8Arrays, one message per frame', async () => {
    const { a, b, out, inbound } = await pair();
    const sizes = [1, 0, 5, 4096, 65_536, 3, 200_000, 17];
    sizes.forEach((n, i) => {
      expect(out.send(bytes(n, i))).toBe(true);
      expect(inbound.send(bytes(n, i + 100))).toBe(true);
    });
    await until(() => b.rec.framesOf(inbound).length === sizes.length, 'frames A→B');
    await until(() => a.rec.framesOf(out).length === sizes.length, 'frames B→A');
    sizes.forEach((n, i) => {
      const ab = b.rec.framesOf(inbound)[i]!;
      const ba = a.rec.framesOf(out)[i]!;
      expect(Object.getPrototypeOf(ab)).toBe(Uint8Array.prototype);
      expect(ab).toEqual(bytes(n, i));
      expect(ba).toEqual(bytes(n, i + 100));
    });
  });

  it('copies a frame on send: mutating it afterwards changes nothing on the wire', async () => {
    const { b, out, inbound } = await pair();
    const frame = bytes(100_000, 1);
    out.send(frame);
    frame.fill(0);
    await until(() => b.rec.framesOf(inbound).length === 1, 'frame');
    expect(b.rec.framesOf(inbound)[0]).toEqual(bytes(100_000, 1));
  });

  it('a peer listens and dials at once: three peers in a triangle', async () => {
    const p = [await listening(), await listening(), await listening()];
    await p[0]!.t.dial(p[1]!.address);
    await p[1]!.t.dial(p[2]!.address);
    await p[2]!.t.dial(p[0]!.address);
    await until(() => p.every((x) => x.t.links().length === 2), 'two links each');
    for (const x of p) {
      expect(
        x.t
          .links()
          .map((l) => l.direction)
          .sort(),
      ).toEqual(['inbound', 'outbound']);
    }
  });

  it('link.close sends 1000 with the reason; the remote reports local:false and the reason', async () => {
    const { a, b, out, inbound } = await pair();
    out.close('see you');
    expect(a.rec.closeOf(out)).toEqual({ local: true, reason: 'see you' });
    await until(() => b.rec.closeOf(inbound) !== undefined, 'remote close');
    expect(b.rec.closeOf(inbound)).toEqual({ local: false, reason: 'see you' });
    expect(a.rec.errors).toEqual([]);
    expect(b.rec.errors).toEqual([]);
  });

  it('the reason is cut to what a close frame can carry (123 bytes, whole characters)', async () => {
    const { b, out, inbound } = await pair();
    out.close('é'.repeat(100));
    await until(() => b.rec.closeOf(inbound) !== undefined, 'remote close');
    expect(b.rec.closeOf(inbound)!.reason).toBe('é'.repeat(61));
  });

  it('stop() sends 1001 going away; the remote sees a clean close', async () => {
    const a = await listening();
    const raw = new WebSocket(a.address, ['symmetric']);
    await new Promise((r) => raw.once('open', r));
    const closed = new Promise<[number, string]>((r) =>
      raw.once('close', (c, why) => r([c, why.toString()])),
    );
    await until(() => a.rec.links.length === 1, 'link');
    await a.t.stop();
    expect(await closed).toEqual([CloseCode.GoingAway, 'transport stopped']);
    expect(a.rec.closeOf(a.rec.links[0]!)).toEqual({ local: true, reason: 'transport stopped' });
  });

  it('throws FRAME_TOO_LARGE on send of maxFrameBytes + 1 and keeps the link usable', async () => {
    const a = await listening({ maxFrameBytes: 1000 });
    const b = await listening({ maxFrameBytes: 1000 });
    const out = await a.t.dial(b.address);
    await until(() => b.rec.links.length === 1, 'inbound');
    expect(() => out.send(new Uint8Array(1001))).toThrowError(
      expect.objectContaining({ name: 'TransportError', code: 'FRAME_TOO_LARGE' }),
    );
    expect(out.open).toBe(true);
    expect(out.send(new Uint8Array(1000))).toBe(true);
    await until(() => b.rec.framesOf(b.rec.links[0]!).length === 1, 'frame at the limit');
  });

  it('a receiver with a smaller limit closes with 1009 and both sides get typed errors', async () => {
    const small = await listening({ maxFrameBytes: 100 });
    const big = await listening({ maxFrameBytes: 10_000 });
    const out = await big.t.dial(small.address);
    await until(() => small.rec.links.length === 1, 'inbound');
    expect(out.send(new Uint8Array(5_000))).toBe(true);
    await until(() => big.rec.closeOf(out) !== undefined, 'close at the sender');
    const inbound = small.rec.links[0]!;
    await until(() => small.rec.closeOf(inbound) !== undefined, 'close at the receiver');
    expect(small.rec.framesOf(inbound)).toEqual([]);
    expect(small.rec.errorCodes()).toEqual(['FRAME_TOO_LARGE']);
    expect(small.rec.closeOf(inbound)!.error?.code).toBe('FRAME_TOO_LARGE');
    expect(big.rec.closeOf(out)!.local).toBe(false);
    expect(big.rec.closeOf(out)!.error?.code).toBe('FRAME_TOO_LARGE');
  });

  it('closes a link whose unsent bytes exceed maxBufferedBytes (4002) instead of buffering forever', async () => {
    const a = await listening({ maxBufferedBytes: 256 * 1024, maxFrameBytes: 128 * 1024 });
    const b = await listening({ maxFrameBytes: 128 * 1024 });
    const out = await a.t.dial(b.address);
    let sent = 0;
    while (out.send(new Uint8Array(100 * 1024))) sent++;
    expect(sent).toBeGreaterThan(0);
    expect(out.open).toBe(false);
    expect(a.rec.closeOf(out)!.error?.code).toBe('LINK_CLOSED');
    expect(a.rec.closeOf(out)!.reason).toBe('send buffer overflow');
    expect(a.rec.errorCodes()).toEqual(['LINK_CLOSED']);
  });

  it('dial failures reject with typed errors: bad URL, wrong scheme, refused, not started', async () => {
    const a = await listening();
    expect((await rejectionOf(a.t.dial('not a url'))).code).toBe('BAD_ADDRESS');
    expect((await rejectionOf(a.t.dial('http://127.0.0.1:1'))).code).toBe('BAD_ADDRESS');
    expect((await rejectionOf(a.t.dial('ws://127.0.0.1:9/x#frag'))).code).toBe('BAD_ADDRESS');
    const free = await freePort();
    const refused = await rejectionOf(a.t.dial(`ws://127.0.0.1:${free}`));
    expect(isTransportError(refused)).toBe(true);
    expect(refused.code).toBe('DIAL_FAILED');
    expect((refused.cause as { code?: string }).code).toBe('ECONNREFUSED');
    const idle = track(new WebSocketTransport());
    expect((await rejectionOf(idle.dial(a.address))).code).toBe('NOT_STARTED');
    expect(a.t.links()).toEqual([]);
    expect(a.rec.errors).toEqual([]);
  });

  it('a dial to a server that never answers the upgrade times out with TIMEOUT', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer();
    silent.on('upgrade', (_req, socket) => sockets.push(socket as import('node:net').Socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const t = track(new WebSocketTransport({ dialTimeoutMs: 200 }));
    await t.start(new Recorder());
    const error = await rejectionOf(t.dial(`ws://127.0.0.1:${port}`));
    expect(error.code).toBe('TIMEOUT');
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('an HTTP request that is not an upgrade gets 426', async () => {
    const { address } = await listening();
    const res = await fetch(address.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
  });

  it('a text message is a protocol error: closed with 1003, reported as PROTOCOL', async () => {
    const a = await listening();
    const raw = new WebSocket(a.address);
    await new Promise((r) => raw.once('open', r));
    const closed = new Promise<number>((r) => raw.once('close', (c) => r(c)));
    raw.send('hello');
    expect(await closed).toBe(CloseCode.UnsupportedData);
    expect(a.rec.errorCodes()).toEqual(['PROTOCOL']);
    expect(a.rec.closeOf(a.rec.links[0]!)!.error?.code).toBe('PROTOCOL');
  });

  it('start twice rejects ALREADY_STARTED; a port in use rejects LISTEN_FAILED; stop is idempotent', async () => {
    const a = await listening();
    expect((await rejectionOf(a.t.start(new Recorder()))).code).toBe('ALREADY_STARTED');
    const port = Number(new URL(a.address).port);
    const clash = track(new WebSocketTransport({ listen: { port } }));
    const error = await rejectionOf(clash.start(new Recorder()));
    expect(error.code).toBe('LISTEN_FAILED');
    expect((error.cause as { code?: string }).code).toBe('EADDRINUSE');
    await Promise.all([a.t.stop(), a.t.stop()]);
    await a.t.stop();
    expect(a.t.addresses()).toEqual([]);
  });

  it('can be started again after stop, on a new port', async () => {
    const a = await listening();
    const first = a.address;
    await a.t.stop();
    const rec = new Recorder();
    await a.t.start(rec);
    expect(a.t.addresses()[0]).not.toBe(first);
    const b = await listening();
    await b.t.dial(a.t.addresses()[0]!);
    await until(() => rec.links.length === 1, 'link after restart');
  });

  it('a start() with a bad dial address rejects BAD_ADDRESS', async () => {
    const t = track(new WebSocketTransport({ dial: ['ftp://x'] }));
    expect((await rejectionOf(t.start(new Recorder()))).code).toBe('BAD_ADDRESS');
  });

  it('a handler that throws is reported as INTERNAL, and the transport keeps working', async () => {
    const a = await listening();
    const b = await listening();
    b.rec.onFrameHook = () => {
      throw new Error('app bug');
    };
    const out = await a.t.dial(b.address);
    out.send(bytes(3));
    out.send(bytes(4));
    await until(() => b.rec.errors.length === 2, 'two INTERNAL errors');
    expect(b.rec.errorCodes()).toEqual(['INTERNAL', 'INTERNAL']);
    expect(b.rec.framesOf(b.rec.links[0]!)).toHaveLength(2);
    expect(out.open).toBe(true);
  });

  it('shares an existing HTTP server on a path, leaving other paths alone', async () => {
    const server = createServer((_req, res) => res.end('plain http'));
    const others: string[] = [];
    server.on('upgrade', (req, socket) => {
      if (req.url !== '/symmetric') {
        others.push(req.url ?? '');
        socket.destroy();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = track(new WebSocketTransport({ listen: { server, path: '/symmetric' } }));
    const rec = new Recorder();
    await a.start(rec);
    const port = (server.address() as AddressInfo).port;
    expect(a.addresses()).toEqual([`ws://127.0.0.1:${port}/symmetric`]);
    const b = track(new WebSocketTransport());
    await b.start(new Recorder());
    await b.dial(a.addresses()[0]!);
    await until(() => rec.links.length === 1, 'inbound on the shared server');
    const error = await rejectionOf(b.dial(`ws://127.0.0.1:${port}/elsewhere`));
    expect(error.code).toBe('DIAL_FAILED');
    expect(others).toEqual(['/elsewhere']);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain http');
    await a.stop();
    // The owner's server keeps running after the transport stops.
    expect(server.listening).toBe(true);
    await new Promise((r) => server.close(r));
  });

  it('rejects options out of range with InvalidOptionError', () => {
    expect(() => new WebSocketTransport({ maxFrameBytes: 0 })).toThrow(InvalidOptionError);
    expect(() => new WebSocketTransport({ reconnect: { factor: 0.5 } })).toThrow(/reconnect\.factor/);
    expect(() => new WebSocketTransport({ reconnect: { jitter: 2 } })).toThrow(InvalidOptionError);
    expect(() => new WebSocketTransport({ reconnect: { initialMs: 100, maxMs: 10 } })).toThrow(
      InvalidOptionError,
    );
    expect(() => new WebSocketTransport({ token: '' })).toThrow(InvalidOptionError);
    expect(() => new WebSocketTransport({ heartbeatMs: Number.NaN })).toThrow(InvalidOptionError);
  });

  it('isInvalidOptionError recognises the constructor error and its code, and nothing else', () => {
    let thrown: unknown;
    try {
      new WebSocketTransport({ closeGraceMs: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidOptionError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'INVALID_OPTION', option: 'closeGraceMs' });
    expect(isTransportError(thrown)).toBe(false);
    expect(isInvalidOptionError(new RangeError('closeGraceMs'))).toBe(false);
    expect(isInvalidOptionError(new InvalidOptionError('x', 'y'))).toBe(true);
  });

  it('sending from inside onLink works on both ends', async () => {
    const a = await listening();
    const b = await listening();
    const greet = (link: Link) => link.send(new TextEncoder().encode(link.direction));
    const hookA = a.rec.onLink.bind(a.rec);
    a.rec.onLink = (l) => {
      hookA(l);
      greet(l);
    };
    const hookB = b.rec.onLink.bind(b.rec);
    b.rec.onLink = (l) => {
      hookB(l);
      greet(l);
    };
    const out = await a.t.dial(b.address);
    await until(() => a.rec.framesOf(out).length === 1 && b.rec.inbound().length === 1, 'greetings');
    await until(() => b.rec.framesOf(b.rec.links[0]!).length === 1, 'greeting at B');
    expect(new TextDecoder().decode(a.rec.framesOf(out)[0])).toBe('inbound');
    expect(new TextDecoder().decode(b.rec.framesOf(b.rec.links[0]!)[0])).toBe('outbound');
    await sleep(10);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
