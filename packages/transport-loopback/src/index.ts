/**
 * `@symmetric/transport-loopback`: in-process Symmetric links with a network model (latency
 * distributions, FIFO per link direction, cuts and partitions), in real time or driven by a
 * virtual clock for the simulator. Deterministic for a seed.
 *
 * @packageDocumentation
 */
export type { LoopbackErrorCode } from './errors.js';
export { LoopbackError } from './errors.js';
export type { LatencyModel } from './latency.js';
export { sampleLatency, validateLatency } from './latency.js';
export type { LoopbackNetworkOptions, LoopbackStats, LoopbackTransportOptions } from './network.js';
export { LoopbackLink, LoopbackNetwork, LoopbackTransport } from './network.js';
export type { LoopbackPair, LoopbackPairOptions } from './pair.js';
export { createLoopbackPair } from './pair.js';
export { SeededRandom } from './random.js';
