/** A standalone circuit-relay-v2 relay for browsers (Node only). */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify, identifyPush } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p, type Libp2p } from 'libp2p';
import { inboundGate } from './inbound-gate.js';
import { generateIdentity, toIdentity } from './keys.js';
import { roomKeyToSwarmKey } from './pnet.js';

/** Options of {@link createRelayNode}. */
export interface RelayNodeOptions {
  /** Fixed key so the relay's multiaddr (with its peer id) stays the same across restarts. Default: new key. */
  readonly privateKey?: PrivateKey | Uint8Array;
  /** Listen addresses. Default `/ip4/0.0.0.0/tcp/0/ws` and `/ip4/0.0.0.0/tcp/0`. */
  readonly listen?: readonly string[];
  /** Addresses to announce (e.g. a public `/dns4/relay.example.com/tcp/443/wss`). */
  readonly announce?: readonly string[];
  /** Most concurrent reservations. Default 128 (libp2p default 15). */
  readonly maxReservations?: number;
  /** Keep libp2p's 2 min / 128 KiB limit on each relayed connection. Default `true`. */
  readonly applyDefaultLimit?: boolean;
  /** Inbound connections per second per remote host. Default 100. */
  readonly inboundConnectionsPerSecond?: number;
  /** Inbound connections of one IP address in their upgrade at once. Default 32. */
  readonly maxPendingInboundPerHost?: number;
  /** Inbound connections in their upgrade at once, over all hosts. Default 256. */
  readonly maxPendingInbound?: number;
  /** Time for an inbound connection's upgrade (room key, Noise, muxer), in ms. Default 5 000. */
  readonly inboundUpgradeTimeoutMs?: number;
  /** Same room key as the peers when they use a private network. */
  readonly roomKey?: string | Uint8Array;
}

/**
 * Starts a libp2p node that only relays: browsers dial it over WebSockets, reserve a slot,
 * and reach each other over WebRTC with it carrying the signalling. Returns the started
 * node; `node.getMultiaddrs()` gives the addresses to hand to browsers (`relays` option).
 * A Symmetric peer can be the relay instead: set `relayServer: true` on its transport.
 */
export async function createRelayNode(options: RelayNodeOptions = {}): Promise<Libp2p> {
  const key = options.privateKey === undefined ? await generateIdentity() : toIdentity(options.privateKey);
  const rate = options.inboundConnectionsPerSecond ?? 100;
  return createLibp2p({
    privateKey: key,
    addresses: {
      listen: [...(options.listen ?? ['/ip4/0.0.0.0/tcp/0/ws', '/ip4/0.0.0.0/tcp/0'])],
      ...(options.announce === undefined ? {} : { announce: [...options.announce] }),
    },
    transports: [webSockets(), tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: rate,
      maxIncomingPendingConnections: options.maxPendingInbound ?? 256,
      inboundUpgradeTimeout: options.inboundUpgradeTimeoutMs ?? 5_000,
    },
    connectionGater: inboundGate(options.maxPendingInboundPerHost ?? 32, () => {}).gater,
    ...(options.roomKey === undefined
      ? {}
      : { connectionProtector: preSharedKey({ psk: await roomKeyToSwarmKey(options.roomKey) }) }),
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: options.maxReservations ?? 128,
          applyDefaultLimit: options.applyDefaultLimit ?? true,
        },
      }),
    },
  });
}
