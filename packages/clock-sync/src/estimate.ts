/** A clock's estimate of the network's time from its per-link state, as a pure function. */
import { type LinkState, linkSigma } from './link-state.js';
import type { ClockEstimate, LinkEstimate } from './types.js';

/** What {@link networkEstimate} reads of a clock at one instant. @internal */
export interface EstimateInput {
  /** The clock's (fractional) tick now. */
  readonly clock: number;
  /** The free-running reference Q now. */
  readonly q: number;
  /** Whole ticks simulated. */
  readonly tick: number;
  readonly links: ReadonlyMap<string, LinkState>;
  /** The link followed, if any. */
  readonly parent: string | undefined;
  /** Adoption threshold (ticks): links further behind are joining, not part of the time. */
  readonly adoptTicks: number;
  /** Weight of a new sample in a link's smoothed offset. */
  readonly smoothing: number;
  /** Tolerance for floating-point noise when flooring the clock to whole ticks. */
  readonly floorEpsilon: number;
}

/**
 * Offset (ticks) of the reference link's clock from this clock, given the reference Q and the
 * clock now: `0` without a reference or before its first sample. @internal
 */
export function referenceOffset(ref: LinkState | undefined, q: number, clock: number): number {
  return ref !== undefined && ref.samples > 0 ? ref.u + q - clock : 0;
}

/**
 * The network's tick (this clock plus its reference's offset), its uncertainty (the spread of
 * the neighbours' offsets around the reference's, plus the reference's measurement noise) and
 * per-link RTT and offsets. @internal
 */
export function networkEstimate(i: EstimateInput): ClockEstimate {
  const { clock, q } = i;
  const links = new Map<string, LinkEstimate>();
  for (const [id, l] of i.links) {
    links.set(id, {
      rttMs: l.minRtt,
      oneWayMs: l.minRtt / 2,
      offsetTicks: l.samples > 0 ? l.u + q - clock : Number.NaN,
      samples: l.samples,
    });
  }
  const ref = i.parent === undefined ? undefined : i.links.get(i.parent);
  const refOff = referenceOffset(ref, q, clock);
  let spread = refOff * refOff; // this clock itself
  let n = 1;
  for (const l of i.links.values()) {
    if (l.samples === 0) continue;
    const off = l.u + q - clock;
    if (off < -i.adoptTicks) continue; // joining: not part of the network's time yet
    spread += (off - refOff) ** 2;
    n++;
  }
  const noise = ref !== undefined && ref.samples > 0 ? linkSigma(ref, i.smoothing) : 0;
  const uncertainty = n > 1 ? Math.sqrt(spread / n + noise * noise) : 0;
  const behind = Math.max(0, Math.floor(clock + i.floorEpsilon) - i.tick);
  return {
    networkTick: clock + refOff,
    uncertaintyTicks: uncertainty,
    clockTick: clock,
    behindTicks: behind,
    reference: i.parent,
    links,
  };
}
