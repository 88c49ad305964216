import { LoopbackNetwork } from './network.js';
import type { LoopbackNetworkOptions } from './options.js';
import type { LoopbackTransport } from './transport.js';

/** Options of {@link createLoopbackPair}: network options plus the two addresses. */
export interface LoopbackPairOptions extends LoopbackNetworkOptions {
  /** Addresses of the two transports. Default `['a', 'b']`. */
  addresses?: readonly [string, string];
}

/** Two transports that link to each other as soon as both are started, and their network. */
export interface LoopbackPair {
  /** The network (for `runUntil`, `setLatency`, `cut`, `stats`, ...). */
  readonly network: LoopbackNetwork;
  /** Listens at the first address. */
  readonly a: LoopbackTransport;
  /** Listens at the second address and dials `a` once both are started (and again after a heal). */
  readonly b: LoopbackTransport;
}

/**
 * A connected pair for tests (like automerge-repo's paired dummy adapters, with latency):
 * hand `a` and `b` to two peers; once both are started there is one link between them,
 * with the network's latency model.
 *
 * ```ts
 * const { a, b, network } = createLoopbackPair({ latency: { dist: 'normal', meanMs: 50, sdMs: 10 } });
 * ```
 */
export function createLoopbackPair(options: LoopbackPairOptions = {}): LoopbackPair {
  const { addresses = ['a', 'b'], ...networkOptions } = options;
  const network = new LoopbackNetwork(networkOptions);
  const a = network.transport(addresses[0]);
  const b = network.transport(addresses[1], { connectTo: [addresses[0]] });
  return { network, a, b };
}
