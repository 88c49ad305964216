/**
 * `@symmetric/transport-loopback`: in-process Symmetric links with a network model (latency
 * distributions, FIFO per link direction, cuts and partitions), in real time or driven by a
 * virtual clock for the simulator. Deterministic for a seed.
 *
 * @packageDocumentation
 */
export type { LoopbackErrorCode } from './errors.js';
export { isLoopbackError, LoopbackError } from './errors.js';
export type { LatencyModel } from './latency.js';
export { sampleLatency, validateLatency } from './latency.js';
export { LoopbackLink } from './link.js';
export { LoopbackNetwork } from './network.js';
export type { LoopbackFootprint, LoopbackNetworkOptions, LoopbackStats, SentFrame } from './options.js';
export type { LoopbackPair, LoopbackPairOptions } from './pair.js';
export { createLoopbackPair } from './pair.js';
export { SeededRandom } from './random.js';
export type { LoopbackTransportOptions } from './transport.js';
export { LoopbackTransport } from './transport.js';
