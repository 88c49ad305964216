/**
 * `@symmetric/clock-sync`: tick pacing and clock agreement between Symmetric peers.
 *
 * Sans-I/O: a {@link Clock} is fed the local monotonic time (ms) and the SYNC messages its
 * neighbours send; it answers how many ticks to simulate now, which SYNC to send, and its
 * estimate of the network's time. It never reads a clock, sets a timer or touches a network.
 *
 * @packageDocumentation
 */

export { Clock } from './clock.js';
export { ClockError, type ClockErrorCode, isClockError } from './errors.js';
export { CLOCK_DEFAULTS, type ClockOptions, type ResolvedClockOptions } from './options.js';
export { STEP_PHASE } from './phase.js';
export type { ClockEstimate, ClockStats, LinkEstimate, SyncMessage } from './types.js';
