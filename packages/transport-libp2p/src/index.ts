/**
 * `@symmetric/transport-libp2p`: the serverless Symmetric transport. Links are libp2p streams
 * (`/symmetric/1.0.0`, one per neighbour) over Noise-encrypted, yamux-multiplexed connections;
 * the libp2p Ed25519 peer id is the Symmetric peer id. This is the Node entry (TCP,
 * WebSockets, mDNS, optional WebRTC and relay server); bundlers targeting browsers get
 * `browser.ts` through the package's `exports` conditions, with the same API.
 *
 * @packageDocumentation
 */
import { createWithPlatform } from './factory.js';
import { nodePlatform } from './node-platform.js';
import type { Libp2pTransportOptions } from './options.js';
import type { Libp2pTransport } from './transport.js';

export * from './common.js';
export { createRelayNode, type RelayNodeOptions } from './relay.js';

/**
 * Creates a (not yet started) libp2p transport for Node: TCP and WebSockets listeners,
 * Noise, yamux, identify; plus mDNS, gossipsub, pnet, WebRTC or relay serving when asked.
 * Generates an Ed25519 identity when `privateKey` is not given.
 */
export function createLibp2pTransport(options: Libp2pTransportOptions = {}): Promise<Libp2pTransport> {
  return createWithPlatform(nodePlatform, options);
}
