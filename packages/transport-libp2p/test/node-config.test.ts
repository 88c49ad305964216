import { generateKeyPair } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { libp2pOptions, type PlatformConfig } from '../src/node-config.js';
import { resolveOptions } from '../src/options.js';

const platform: PlatformConfig = {
  transports: [],
  listen: ['/ip4/0.0.0.0/tcp/0'],
  extraListen: ['/p2p-circuit'],
  maxConnections: 300,
  services: {},
};

describe('libp2pOptions', () => {
  it('shares Noise, yamux, identify and the connection limits; listens where the platform says', async () => {
    const key = await generateKeyPair('Ed25519');
    const init = await libp2pOptions(key, {}, resolveOptions({}), platform);
    expect(init.privateKey).toBe(key);
    expect(init.addresses).toEqual({ listen: ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit'] });
    expect(init.connectionEncrypters).toHaveLength(1);
    expect(init.streamMuxers).toHaveLength(1);
    expect(Object.keys(init.services ?? {}).sort()).toEqual(['identify', 'identifyPush']);
    expect(init.connectionManager).toEqual({
      maxConnections: 300,
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 256,
      inboundUpgradeTimeout: 5_000,
      dialTimeout: 10_000,
    });
    expect(typeof init.connectionGater?.denyInboundConnection).toBe('function');
    expect(init.connectionProtector).toBeUndefined();
  });

  it('listen, announce, maxConnections, gossip and roomKey options take effect', async () => {
    const key = await generateKeyPair('Ed25519');
    const options = {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      announce: ['/dns4/example.com/tcp/443/wss'],
      maxConnections: 20,
      gossip: { room: 'r' },
      roomKey: 'secret',
      inboundConnectionsPerSecond: 3,
      maxPendingInbound: 40,
      inboundUpgradeTimeoutMs: 1_500,
    };
    const init = await libp2pOptions(key, options, resolveOptions(options), platform);
    expect(init.addresses).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'],
      announce: ['/dns4/example.com/tcp/443/wss'],
    });
    expect(init.connectionManager).toMatchObject({
      maxConnections: 20,
      inboundConnectionThreshold: 3,
      maxIncomingPendingConnections: 40,
      inboundUpgradeTimeout: 1_500,
    });
    expect(typeof (init.services as Record<string, unknown>).pubsub).toBe('function');
    expect(typeof init.connectionProtector).toBe('function');
  });
});
