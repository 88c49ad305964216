/**
 * `@symmetric/transport-libp2p` for browsers: WebSockets to Node peers, WebRTC between
 * browsers through a circuit-relay-v2 relay. Same API as the Node entry, without the
 * Node-only pieces (TCP, mDNS, relay serving).
 *
 * @packageDocumentation
 */
import { browserPlatform } from './browser-platform.js';
import { createWithPlatform } from './factory.js';
import type { Libp2pTransportOptions } from './options.js';
import type { Libp2pTransport } from './transport.js';

export * from './common.js';

/**
 * Creates a (not yet started) libp2p transport for browsers: WebSockets, WebRTC and the
 * circuit-relay-v2 client (reservations on the `relays` you give), Noise, yamux, identify.
 * Generates an Ed25519 identity when `privateKey` is not given (store it with
 * `identityToBytes` to keep the peer id across reloads).
 */
export function createLibp2pTransport(options: Libp2pTransportOptions = {}): Promise<Libp2pTransport> {
  return createWithPlatform(browserPlatform, options);
}
