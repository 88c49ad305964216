/** What a transport hands the conformance suite: how to create transports, and which tiers to run. */
import type { Transport } from '../transport.js';
import type { ConformanceClock } from './clock.js';

/** How the conformance suite gets transports to test, and which optional tiers it runs. */
export interface ConformanceHarness<A = unknown, E = unknown> {
  /**
   * A fresh, NOT started transport that listens: after `start` it is dialable at one of
   * `addresses()` (the suite uses the first), and it can dial the others. Called several
   * times per test (up to 13 instances live at once).
   */
  create(): Promise<Transport>;
  /** Called after each test, once every transport it created was stopped. */
  cleanup?(): Promise<void>;
  /**
   * The transport's configured frame limit: the largest frame `send` accepts. When set, the
   * large-frame test uses `min(1 MiB, maxFrameBytes)` and an extra test sends one byte more;
   * when `undefined` that one oversized-frame test is not registered.
   */
  maxFrameBytes?: number;
  /** How long one wait (for a link, a frame, a close) may take, in ms of {@link clock}. Default 10 000. */
  timeoutMs?: number;
  /**
   * The clock every wait of the suite uses. Default: real time. A transport in virtual time
   * passes a clock whose `sleep` advances its network (see {@link ConformanceClock}).
   */
  clock?: ConformanceClock;
  /**
   * `true` when the created transports offer {@link Transport.broadcast}: registers the room
   * broadcast tier. When not set, the suite checks that they offer none.
   */
  broadcast?: boolean;
  /** Registers the acceptance tier: real peers converge over the transport. */
  acceptance?: AcceptanceHarness<A, E>;
}

/** The part of a `@symmetric/peer` `Peer` the acceptance tier uses. */
export interface AcceptancePeer<E> {
  /** Current local tick. */
  readonly tick: number;
  /** Start the transports, dial, and step on real timers. */
  start(): Promise<void>;
  /** Start the transports and dial, without timers (virtual time: the suite calls {@link step}). */
  attach(): Promise<void>;
  /** Advance to local time `nowMs`. */
  step(nowMs: number): void;
  /** Stop the peer and its transports. */
  stop(): Promise<void>;
  /** Stamp and flood an event; `tick` is `-1` while the peer is not part of the room yet. */
  emit(payload: E): { readonly tick: number };
  /** Counters; `events` is the number of events the peer holds. */
  stats(): { readonly events: number };
  /** Hash of the state at `tick` (recorded every `fps` ticks by default). */
  stateHashAt(tick: number): string | undefined;
}

/** The options the acceptance tier gives its peer factory (a subset of `@symmetric/peer`'s). */
export interface AcceptancePeerOptions<A> {
  /** The app of {@link AcceptanceHarness.app}. */
  readonly app: A;
  /** One transport, created by {@link ConformanceHarness.create}, not started. */
  readonly transports: readonly Transport[];
  /** A room name unique to the test. */
  readonly room: string;
  /** Ticks per second. */
  readonly fps: number;
  /** Δ in ms. */
  readonly delay: number;
  /** Addresses to dial at start (the previous peer of the line). */
  readonly dial: readonly string[];
  /** Keep every event (hashes of old ticks stay comparable). */
  readonly history: 'full';
  /** Virtual time only: the suite's clock. */
  readonly now?: () => number;
}

/**
 * The acceptance tier's inputs. `@symmetric/transport` depends on no peer runtime: the test
 * passes `createPeer` from `@symmetric/peer` (or a wrapper adding transport-specific options,
 * e.g. libp2p's `peerId`), an app and the payloads to emit.
 */
export interface AcceptanceHarness<A, E> {
  /** Builds one peer, not started. `createPeer` from `@symmetric/peer` fits as it is. */
  createPeer(options: AcceptancePeerOptions<A>): AcceptancePeer<E>;
  /** The app every peer runs, e.g. `rectangleApp` from `@symmetric/core`. */
  readonly app: A;
  /** Payloads the peers emit, in turn (peer `p`'s `k`-th emit is `events[(p + k) % length]`). */
  readonly events: readonly E[];
  /** Peers in the line. Default 4. */
  readonly peers?: number;
  /** Emits per peer. Default 3. */
  readonly eventsPerPeer?: number;
  /** How long the peers may take to converge, in ms of the suite's clock. Default 30 000. */
  readonly timeoutMs?: number;
}
