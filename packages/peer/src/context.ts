import type { Clock } from '@symmetric/clock-sync';
import type { Codec, Frame } from '@symmetric/codec';
import type { Emitter } from './emitter.js';
import type { PeerError } from './errors.js';
import type { KnownEvents } from './known.js';
import type { LinkEntry } from './links.js';
import type { ResolvedOptions } from './options.js';
import type { Signer } from './signing.js';
import type { PeerCounters } from './stats.js';
import type { PeerEvents } from './types.js';

/**
 * What every component of a peer shares: the resolved options, identity, the clock, the set of
 * known events, the counters, the public event emitter, and the few actions every component
 * needs (read the time, report an error, send a frame to a neighbour, list the neighbours).
 * Components take this object and talk through it, never through each other's fields.
 * @internal
 */
export interface PeerContext<S, E> {
  readonly options: ResolvedOptions;
  /** This peer's id. */
  readonly id: string;
  /** This incarnation's event source id (`<id>~<incarnation>`). */
  readonly source: string;
  readonly codec: Codec<E>;
  /** Signs own events and proofs, verifies others' (disabled in a trusted room). */
  readonly signer: Signer<E>;
  readonly clock: Clock;
  /** Every event identity `(source, seq)` this peer holds or has pending. */
  readonly eventIds: KnownEvents;
  /** The runtime's own counters (see stats.ts). */
  readonly stats: PeerCounters;
  /** The public events (`render`, `status`, `peer:join`, ...). */
  readonly events: Emitter<PeerEvents<S, E>>;
  /** Local monotonic time for work done outside `step` (never below a time already used). */
  now(): number;
  /** Count `error` and emit it as `error`. */
  report(error: PeerError): void;
  /** Encode and send `frame` on `link` (dropped when the link is closed). */
  send(link: LinkEntry<E>, frame: Frame<E>): void;
  /** Open links with a completed handshake, in opening order. */
  neighbours(): readonly LinkEntry<E>[];
}

/** The few host globals the runtime uses (typed here: the package compiles without DOM/Node types). @internal */
export interface HostGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  queueMicrotask(fn: () => void): void;
  crypto: { getRandomValues(bytes: Uint8Array): Uint8Array };
  performance: { now(): number };
}

/** The host's globals. @internal */
export const host = globalThis as unknown as HostGlobals;
