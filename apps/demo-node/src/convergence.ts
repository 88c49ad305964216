/** What {@link checkConvergence} needs of a peer. */
export interface HashSource {
  /** Current tick. */
  readonly tick: number;
  /** Hash of the state at a recorded tick (multiples of the snapshot interval and of `hashEvery`). */
  stateHashAt(tick: number): string | undefined;
  /** Counters; `events` = distinct events known. */
  stats(): { readonly events: number };
}

/** Result of {@link checkConvergence}. */
export interface ConvergenceCheck {
  /** Every peer holds the expected events and the same state hash at `tick`. */
  readonly converged: boolean;
  /** The common tick compared (`undefined` when no tick after `afterTick` is known to every peer yet). */
  readonly tick: number | undefined;
  /** Each peer's hash at `tick` (same order as the peers given). */
  readonly hashes: readonly (string | undefined)[];
  /** Each peer's count of distinct events. */
  readonly events: readonly number[];
  /** Why it has not converged (empty when it has). */
  readonly reason: string;
}

/**
 * Checks the convergence criterion: every peer holds `expectedEvents` events (when given) and
 * the same state hash at one common tick that every peer has passed and that lies after
 * `afterTick` (the largest tick any event was stamped with). Candidate ticks are multiples of
 * `step` (the peers' snapshot interval, 10 by default), newest first; the newest tick every
 * peer still knows a hash for is compared.
 */
export function checkConvergence(
  peers: readonly HashSource[],
  afterTick: number,
  options: { readonly expectedEvents?: number; readonly step?: number } = {},
): ConvergenceCheck {
  const step = options.step ?? 10;
  const events = peers.map((p) => p.stats().events);
  const none = { converged: false, tick: undefined, hashes: [], events } as const;
  if (peers.length === 0) return { ...none, reason: 'no peers' };
  if (options.expectedEvents !== undefined && events.some((e) => e !== options.expectedEvents)) {
    return { ...none, reason: `events held ${events.join(',')}, expected ${options.expectedEvents}` };
  }
  const minTick = Math.min(...peers.map((p) => p.tick));
  const common = Math.floor((minTick - 1) / step) * step;
  if (common <= afterTick) {
    return { ...none, reason: `slowest peer at tick ${minTick}, need a tick after ${afterTick}` };
  }
  for (let t = common; t > afterTick; t -= step) {
    const hashes = peers.map((p) => p.stateHashAt(t));
    if (hashes.some((h) => h === undefined)) continue;
    const converged = hashes.every((h) => h === hashes[0]);
    return {
      converged,
      tick: t,
      hashes,
      events,
      reason: converged ? '' : `hashes differ at tick ${t}`,
    };
  }
  return { ...none, reason: `no tick after ${afterTick} with a hash on every peer` };
}
