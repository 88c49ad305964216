import { ConformanceRecorder } from '@symmetric/transport/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { createLibp2pTransport, type Libp2pTransport } from '../src/index.js';
import { until } from '../test/helpers.js';

const live: Libp2pTransport[] = [];
afterAll(async () => {
  await Promise.all(live.map((t) => t.stop()));
});

describe('mDNS discovery', () => {
  it('two peers on the LAN find each other and link without any address given', async () => {
    // A random service tag keeps parallel runs on the same LAN apart.
    const serviceTag = `symmetric-test-${Math.random().toString(36).slice(2)}.local`;
    const peers: { t: Libp2pTransport; rec: ConformanceRecorder }[] = [];
    for (const label of ['A', 'B']) {
      const t = await createLibp2pTransport({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: { interval: 500, serviceTag },
      });
      const rec = new ConformanceRecorder(label);
      await t.start(rec);
      live.push(t);
      peers.push({ t, rec });
    }
    const [a, b] = peers as [(typeof peers)[0], (typeof peers)[0]];
    await until(() => a.t.links().length === 1 && b.t.links().length === 1, 'the mDNS-found link', 15_000);
    expect(a.t.links()[0]!.remotePeerId).toBe(b.t.peerId);
    expect(b.t.links()[0]!.remotePeerId).toBe(a.t.peerId);
    expect([...a.rec.closes.values(), ...b.rec.closes.values()].every((c) => c.length === 0)).toBe(true);
  }, 30_000);
});
