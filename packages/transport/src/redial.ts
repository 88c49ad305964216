/**
 * Keeping addresses connected, and choosing between two links to the same neighbour: the one
 * copy of this logic that the peer runtime and every transport share. Sans-I/O: no timers here;
 * callers turn the delays into their own timers (real or virtual time).
 */

/** How long to wait between attempts to (re)open a link to one address. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Largest delay, in ms. */
  readonly maxMs: number;
  /** Growth of the delay per failed attempt (`2` doubles it). */
  readonly factor: number;
  /** Fraction in [0, 1] of the delay taken off at random (`0`: deterministic delays). */
  readonly jitter: number;
  /** A link that stayed open at least this long (ms) starts the next backoff from `initialMs`. */
  readonly stableMs: number;
}

/**
 * Delay before retry number `attempt` (0-based):
 * `min(maxMs, initialMs × factor^attempt) × (1 − jitter × random())`.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  if (policy.jitter === 0) return base;
  const u = Math.min(1, Math.max(0, random()));
  return base * (1 - policy.jitter * u);
}

/**
 * The backoff state of one address: how many attempts failed in a row, and the delay before the
 * next one. A dial that fails calls {@link failed}; a link that closes calls {@link closed} with
 * how long it was open (a stable link resets the count first).
 */
export class RedialSchedule {
  #attempt = 0;

  constructor(
    /** The policy the delays follow. */
    readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay the next failure would return, without counting an attempt. */
  peek(): number {
    return backoffDelay(this.#attempt, this.policy, () => 0);
  }

  /** A dial failed: returns the delay (ms) before the next attempt, and counts the attempt. */
  failed(): number {
    const delay = backoffDelay(this.#attempt, this.policy, this.random);
    this.#attempt += 1;
    return delay;
  }

  /**
   * A link to the address closed after being open `openMs`: returns the delay (ms) before
   * redialling. A link open at least `stableMs` resets the backoff first.
   */
  closed(openMs: number): number {
    if (openMs >= this.policy.stableMs) this.#attempt = 0;
    return this.failed();
  }

  /** Start again from `initialMs` (a link to the address opened and is trusted). */
  reset(): void {
    this.#attempt = 0;
  }
}

/** Which end opened a link: `outbound` when this side dialled. */
export type LinkDirection = 'inbound' | 'outbound';

/**
 * Two links to the same neighbour: which one to close. Both ends apply the same rule and so
 * keep the same link: the link dialled by the smaller peer id (string order) is kept; when the
 * same side dialled both, the newer (`incoming`) one is kept, since the older one is usually a
 * link the other side already gave up on.
 *
 * @param localId this peer's id
 * @param remoteId the neighbour's id
 * @param existing direction of the link already kept, seen from this side
 * @param incoming direction of the new link, seen from this side
 * @returns the link to close
 */
export function duplicateLinkLoser(
  localId: string,
  remoteId: string,
  existing: LinkDirection,
  incoming: LinkDirection,
): 'existing' | 'incoming' {
  const keeper = localId < remoteId ? localId : remoteId;
  const dialler = (d: LinkDirection): string => (d === 'outbound' ? localId : remoteId);
  return dialler(incoming) !== keeper && dialler(existing) === keeper ? 'incoming' : 'existing';
}
