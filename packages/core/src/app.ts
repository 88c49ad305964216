/**
 * The app contract: what an application gives Symmetric. Both callbacks must be
 * deterministic: no `Math.random`, no `Date`, no I/O, no iteration order that can differ
 * between runs. Use `ctx.random` for randomness; it rolls back with the state.
 */

/** Seeded deterministic pseudo-random generator whose state is part of the timeline. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n) for 1 <= n <= 2^32. */
  int(n: number): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
}

/**
 * What `tick` sees besides the state. The timeline reuses one context object for every call:
 * read it during the call, never keep it.
 */
export interface TickContext {
  /** The tick being simulated (the state passed in is the state at this tick). */
  readonly tick: number;
  /** Deterministic PRNG; its state is snapshotted and rolled back with the app state. */
  readonly random: Random;
}

/** What `event` sees besides the state and the event. */
export interface EventContext extends TickContext {
  /** Peer id of the event's source. */
  readonly source: string;
  /** The source's sequence number of this event. */
  readonly seq: number;
}

/**
 * A deterministic application. `S` is its state, `E` its event payload.
 * `tick` and `event` may mutate `state` in place and return nothing, or return a new state.
 */
export interface App<S, E> {
  /** State at tick 0, derived only from `seed`. */
  init(seed: number): S;
  /** Advance one tick. */
  tick(state: S, ctx: TickContext): S | void;
  /** Apply one event (at its tick, before that tick's `tick` call). */
  event(state: S, event: E, ctx: EventContext): S | void;
  /**
   * Copy the state for a snapshot (default: `structuredClone`). Must not alias `state`.
   * `reuse`, when given, is an old snapshot the timeline no longer needs: the app may write
   * the copy into it and return it, so taking snapshots allocates nothing.
   */
  snapshot?(state: S, reuse?: S): S;
  /**
   * Turn a snapshot back into a live state (default: `structuredClone`). Must not alias `snap`
   * (the same snapshot may be restored again). `into`, when given, is the live state being
   * thrown away: the app may overwrite it and return it, so a rollback allocates nothing.
   */
  restore?(snap: S, into?: S): S;
}
