import { createServer } from 'node:net';
import { isTransportError } from '@symmetric/transport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLibp2pTransport,
  generateIdentity,
  identityFromBytes,
  identityToBytes,
  peerIdOf,
  verifySignature,
} from '../src/index.js';
import { frameOf, numberOf, type Started, startTransport, stopAll, until } from './helpers.js';

afterEach(stopAll);

function linkTo(s: Started, peerId: string) {
  return s.t.links().filter((l) => l.remotePeerId === peerId);
}

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('one link per neighbour', () => {
  it('simultaneous dials between every pair end with exactly one link per pair, no churn', async () => {
    const peers = await Promise.all(['A', 'B', 'C', 'D'].map((l) => startTransport(l)));
    const dials: Promise<unknown>[] = [];
    for (const x of peers) {
      for (const y of peers) if (x !== y) dials.push(x.t.dial(y.address));
    }
    const results = await Promise.all(dials);
    for (const x of peers) {
      for (const y of peers) {
        if (x === y) continue;
        await until(() => linkTo(x, y.t.peerId).length === 1, `${x.rec.label}→${y.rec.label} link`);
      }
    }
    // Every dial resolved to the one link that stays open.
    let k = 0;
    for (const x of peers) {
      for (const y of peers) {
        if (x === y) continue;
        const link = results[k++];
        expect(linkTo(x, y.t.peerId)).toEqual([link]);
      }
    }
    // Frames flow both ways over each kept link; nothing was closed or reported.
    for (const x of peers) for (const link of x.t.links()) expect(link.send(frameOf(7))).toBe(true);
    for (const x of peers) {
      await until(
        () => x.t.links().every((l) => x.rec.framesOf(l).length === 1),
        `${x.rec.label} receives one frame per link`,
      );
      expect(x.rec.links).toHaveLength(3);
      expect([...x.rec.closes.values()].every((c) => c.length === 0)).toBe(true);
      expect(x.rec.errors).toEqual([]);
      expect(x.rec.violations).toEqual([]);
    }
    // The two ends of a link agree on who dialled it.
    for (const x of peers) {
      for (const y of peers) {
        if (x === y) continue;
        const [mine] = linkTo(x, y.t.peerId);
        const [theirs] = linkTo(y, x.t.peerId);
        expect(mine?.direction === 'outbound').toBe(theirs?.direction === 'inbound');
      }
    }
  });

  it('a second dial to a linked peer returns the same link', async () => {
    const a = await startTransport('A');
    const b = await startTransport('B');
    const first = await a.t.dial(b.address);
    const second = await a.t.dial(b.address);
    const byId = await a.t.dial(b.t.peerId); // a bare peer id works once libp2p knows the peer
    expect(second).toBe(first);
    expect(byId).toBe(first);
    expect(a.t.links()).toHaveLength(1);
  });

  it('a restarted neighbour (same key, new instance) replaces its stale link at once', async () => {
    const key = await generateIdentity();
    const a = await startTransport('A');
    const old = await startTransport('B-old', { privateKey: key });
    const stale = await old.t.dial(a.address);
    await until(() => a.rec.links.length === 1, 'first link on A');
    const aStale = a.rec.links[0]!;
    // The "restarted" instance comes up while the old one's connection still looks alive
    // (a crash that TCP has not noticed yet) and dials again.
    const fresh = await startTransport('B-new', { privateKey: key });
    expect(fresh.t.peerId).toBe(old.t.peerId);
    const link = await fresh.t.dial(a.address);
    await until(() => a.rec.links.length === 2, 'the new link on A');
    expect(a.rec.closeCount(aStale)).toBe(1);
    expect(a.rec.closes.get(aStale)![0]!.reason).toMatch(/restarted/);
    expect(a.t.links()).toEqual([a.rec.links[1]]);
    expect(a.rec.links[1]!.remotePeerId).toBe(fresh.t.peerId);
    expect(a.t.stats().linksReplaced).toBe(1);
    await until(() => old.rec.closeCount(stale) === 1, 'the stale side closed too');
    expect(link.send(frameOf(1))).toBe(true);
    await until(() => a.rec.framesOf(a.rec.links[1]!).length === 1, 'a frame on the new link');
  });
});

describe('bootstrap addresses', () => {
  it('are dialled at start, re-dialled with backoff while down, and again after the peer restarts', async () => {
    const key = await generateIdentity();
    const port = await freePort();
    const bAddress = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdOf(key)}`;
    const a = await startTransport('A', { bootstrap: [bAddress], redial: { initialMs: 100, maxMs: 400 } });
    // B is not up yet: failures are reported, not thrown.
    await until(() => a.rec.errors.length >= 2, 'two failed bootstrap dials');
    expect(a.rec.errors.every((e) => isTransportError(e.error) && e.error.code === 'DIAL_FAILED')).toBe(true);
    expect(a.t.links()).toHaveLength(0);

    const b1 = await startTransport('B1', { privateKey: key, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    await until(() => a.t.links().length === 1, 'A links to B once B is up');
    await until(() => b1.t.links().length === 1, 'B sees the link');
    expect(a.t.links()[0]!.remotePeerId).toBe(b1.t.peerId);

    await b1.t.stop();
    await until(() => a.t.links().length === 0, 'A sees B go');
    const b2 = await startTransport('B2', {
      privateKey: identityToBytes(key),
      listen: [`/ip4/127.0.0.1/tcp/${port}`],
    });
    await until(() => a.t.links().length === 1, 'A re-dials the restarted B');
    expect(b2.t.links()).toHaveLength(1);
    expect(a.t.stats().redials).toBeGreaterThanOrEqual(2);
    expect(a.rec.violations).toEqual([]);
  });
});

describe('identity', () => {
  it('the libp2p Ed25519 peer id is the link peer id; the key signs and verifies', async () => {
    const key = await generateIdentity();
    const stored = identityToBytes(key);
    const a = await startTransport('A', { privateKey: stored });
    const b = await startTransport('B');
    expect(a.t.peerId).toBe(peerIdOf(identityFromBytes(stored)));
    expect(a.t.peerId).toMatch(/^12D3KooW/);
    expect(a.address.endsWith(`/p2p/${a.t.peerId}`)).toBe(true);
    const link = await a.t.dial(b.address);
    expect(link.remotePeerId).toBe(b.t.peerId);
    await until(() => b.rec.links.length === 1, 'inbound link');
    expect(b.rec.links[0]!.remotePeerId).toBe(a.t.peerId);

    const data = new TextEncoder().encode('event 1 at tick 42');
    const signature = await a.t.sign(data);
    expect(signature).toHaveLength(64);
    expect(await verifySignature(a.t.peerId, data, signature)).toBe(true);
    expect(await b.t.verify(a.t.peerId, data, signature)).toBe(true);
    const tampered = data.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(await verifySignature(a.t.peerId, tampered, signature)).toBe(false);
    expect(await verifySignature(b.t.peerId, data, signature)).toBe(false);
    expect(await verifySignature('not a peer id', data, signature)).toBe(false);
    expect(await verifySignature(a.t.peerId, data, signature.subarray(1))).toBe(false);
  });

  it('bad keys and options are typed ConfigErrors', async () => {
    await expect(createLibp2pTransport({ privateKey: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'BAD_KEY',
    });
    await expect(createLibp2pTransport({ maxFrameBytes: -1 })).rejects.toBeInstanceOf(ConfigError);
    await expect(createLibp2pTransport({ protocol: 'symmetric' })).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
    await expect(createLibp2pTransport({ gossip: { room: '' } })).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
  });
});

describe('lifecycle', () => {
  it('start twice is ALREADY_STARTED; dialling itself is BAD_ADDRESS; a stopped transport starts again', async () => {
    const a = await startTransport('A');
    await expect(a.t.start(a.rec)).rejects.toMatchObject({ name: 'TransportError', code: 'ALREADY_STARTED' });
    await expect(a.t.dial(a.address)).rejects.toMatchObject({ code: 'BAD_ADDRESS' });
    await expect(a.t.dial('/ip4/127.0.0.1/tcp/1/not-a-protocol')).rejects.toMatchObject({
      code: 'BAD_ADDRESS',
    });
    const id = a.t.peerId;
    await a.t.stop();
    expect(a.t.addresses()).toEqual([]);
    await a.t.start(a.rec);
    expect(a.t.peerId).toBe(id);
    const b = await startTransport('B');
    const link = await b.t.dial(a.t.addresses()[0]!);
    expect(link.remotePeerId).toBe(id);
    link.send(frameOf(3));
    await until(() => a.rec.links.some((l) => a.rec.framesOf(l).length === 1), 'frame after restart');
    expect(numberOf(a.rec.framesOf(a.rec.links.at(-1)!)[0]!)).toBe(3);
  });
});
