import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { plaintext } from '@libp2p/plaintext';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { lengthPrefix, writeVarint } from '@symmetric/codec';
import { isTransportError } from '@symmetric/transport';
import fc from 'fast-check';
import { createLibp2p, type Libp2p } from 'libp2p';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeAccept, encodeHello, randomNonce } from '../src/handshake.js';
import { DEFAULT_PROTOCOL } from '../src/index.js';
import { frameOf, type Started, startTransport, stopAll, until } from './helpers.js';

/** A stock libp2p node: Noise + yamux over TCP, nothing from this package. */
function stockNode(encrypter: 'noise' | 'plaintext' = 'noise'): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [encrypter === 'noise' ? noise() : plaintext()],
    streamMuxers: [yamux()],
    connectionManager: { dialTimeout: 3_000 },
  });
}

let victim: Started;
let attacker: Libp2p;

beforeAll(async () => {
  victim = await startTransport('victim', { handshakeTimeoutMs: 400 });
  attacker = await stockNode();
});

afterAll(async () => {
  await attacker.stop();
  await stopAll();
});

let errorsBefore = 0;
afterEach(() => {
  errorsBefore = victim.rec.errors.length;
  expect(victim.rec.violations).toEqual([]);
});

/** Dials the Symmetric protocol from the stock node, sends `bytes`, resolves when hung up on. */
async function attack(bytes: Uint8Array): Promise<void> {
  const stream = await attacker.dialProtocol(multiaddr(victim.address), DEFAULT_PROTOCOL);
  const connection = attacker.getConnections().find((c) => c.streams.includes(stream));
  if (bytes.length > 0) stream.send(bytes);
  await until(() => connection?.status !== 'open', 'the victim to hang up', 5_000);
}

function newErrors() {
  return victim.rec.errors.slice(errorsBefore).map((e) => e.error);
}

async function victimStillWorks(): Promise<void> {
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

describe('a stock libp2p node speaking garbage on /symmetric/1.0.0', () => {
  it('garbage instead of the handshake: typed PROTOCOL error, logged, disconnected', async () => {
    await attack(lengthPrefix(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')));
    await until(() => newErrors().length > 0, 'an error report');
    const [error] = newErrors();
    expect(isTransportError(error)).toBe(true);
    expect(error!.code).toBe('PROTOCOL');
    expect(victim.logs.some((l) => l.level === 'warn' && l.message.includes('protocol violation'))).toBe(
      true,
    );
    expect(victim.t.links()).toHaveLength(0);
    expect(victim.t.stats().protocolErrors).toBeGreaterThanOrEqual(1);
    expect(attacker.getConnections(victim.t.libp2p!.peerId)).toHaveLength(0);
  });

  it('an absurd length prefix: FRAME_TOO_LARGE before any body is buffered, disconnected', async () => {
    const header = new Uint8Array(8);
    const end = writeVarint(2 ** 40, header, 0);
    await attack(header.subarray(0, end));
    await until(() => newErrors().length > 0, 'an error report');
    expect(newErrors()[0]!.code).toBe('FRAME_TOO_LARGE');
  });

  it('a truncated handshake then silence: TIMEOUT, disconnected', async () => {
    await attack(lengthPrefix(encodeHello(randomNonce())).subarray(0, 7));
    await until(() => newErrors().length > 0, 'an error report');
    expect(newErrors()[0]!.code).toBe('TIMEOUT');
  });

  it('a handshake answer (ACCEPT) sent by the dialler instead of HELLO: PROTOCOL', async () => {
    await attack(lengthPrefix(encodeAccept(randomNonce())));
    await until(() => newErrors().length > 0, 'an error report');
    expect(newErrors()[0]!.code).toBe('PROTOCOL');
  });

  it('random bytes (property): always a typed error and a hang-up, never a link', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200, size: 'max' }), async (bytes) => {
        const before = victim.rec.errors.length;
        await attack(bytes);
        await until(() => victim.rec.errors.length > before, 'an error report');
        for (const { error } of victim.rec.errors.slice(before)) {
          expect(isTransportError(error)).toBe(true);
          expect(['PROTOCOL', 'FRAME_TOO_LARGE', 'TIMEOUT']).toContain(error.code);
        }
        expect(victim.t.links()).toHaveLength(0);
      }),
      { numRuns: 8 },
    );
    await victimStillWorks();
  });
});

describe('without Noise', () => {
  it('a plaintext-only libp2p node cannot connect at all', async () => {
    const plain = await stockNode('plaintext');
    try {
      await expect(plain.dialProtocol(multiaddr(victim.address), DEFAULT_PROTOCOL)).rejects.toThrow();
      expect(plain.getConnections()).toHaveLength(0);
      expect(victim.t.links()).toHaveLength(0);
    } finally {
      await plain.stop();
    }
  });
});

describe('private network (room key)', () => {
  it('peers with the same room key link; a peer without it, or with another, cannot', async () => {
    const a = await startTransport('A', { roomKey: 'room 7 secret' });
    const b = await startTransport('B', { roomKey: 'room 7 secret' });
    const outsider = await startTransport('outsider', { dialTimeoutMs: 1_500 });
    const other = await startTransport('other', { roomKey: 'another secret', dialTimeoutMs: 1_500 });
    const link = await b.t.dial(a.address);
    expect(link.remotePeerId).toBe(a.t.peerId);
    for (const intruder of [outsider, other]) {
      const error = await intruder.t.dial(a.address).catch((e: unknown) => e);
      expect(isTransportError(error)).toBe(true);
      expect(['DIAL_FAILED', 'TIMEOUT']).toContain((error as { code: string }).code);
    }
    expect(a.t.links()).toHaveLength(1);
    const stock = await stockNode();
    try {
      await expect(stock.dialProtocol(multiaddr(a.address), DEFAULT_PROTOCOL)).rejects.toThrow();
    } finally {
      await stock.stop();
    }
  });
});
