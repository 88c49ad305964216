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
  /** The clock's cache of per-link figures (see {@link LinkFiguresCache}). */
  readonly figures: LinkFiguresCache;
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

/** The per-link figures of an estimate, frozen (never changed once made). */
interface LinkFigures {
  readonly ids: readonly string[];
  /** The link states they were read from (a link dropped and opened again has a new one). */
  readonly states: readonly LinkState[];
  /** Per link `k`, from `3k`: its minimum RTT, smoothed offset `u` and sample count. */
  readonly values: readonly number[];
}

/**
 * The last per-link figures a clock's estimates were made of: estimates share them while no
 * link's RTT, offset or sample count changes, so an estimate copies nothing per link; when only
 * figures change, the new ones share the ids and states of the last. @internal
 */
export class LinkFiguresCache {
  #last: LinkFigures = { ids: [], states: [], values: [] };

  /** Figures equal to `links` now (the last ones when nothing changed). */
  of(links: ReadonlyMap<string, LinkState>): LinkFigures {
    const last = this.#last;
    let sameLinks = last.ids.length === links.size;
    if (sameLinks) {
      const v = last.values;
      let k = 0;
      let same = true;
      for (const l of links.values()) {
        if (last.states[k] !== l) {
          sameLinks = false;
          same = false;
          break;
        }
        if (
          same &&
          (!Object.is(v[3 * k], l.minRtt) || !Object.is(v[3 * k + 1], l.u) || v[3 * k + 2] !== l.samples)
        )
          same = false;
        k++;
      }
      if (same) return last;
    }
    const values: number[] = [];
    for (const l of links.values()) values.push(l.minRtt, l.u, l.samples);
    const next: LinkFigures = sameLinks
      ? { ids: last.ids, states: last.states, values }
      : { ids: [...links.keys()], states: [...links.values()], values };
    this.#last = next;
    return next;
  }
}

/** A {@link ClockEstimate} whose per-link map is made on first read. */
class Estimate implements ClockEstimate {
  readonly #figures: LinkFigures;
  readonly #q: number;
  #links: ReadonlyMap<string, LinkEstimate> | undefined;

  constructor(
    readonly networkTick: number,
    readonly uncertaintyTicks: number,
    readonly clockTick: number,
    readonly behindTicks: number,
    readonly reference: string | undefined,
    figures: LinkFigures,
    q: number,
  ) {
    this.#figures = figures;
    this.#q = q;
  }

  get links(): ReadonlyMap<string, LinkEstimate> {
    if (this.#links !== undefined) return this.#links;
    const f = this.#figures;
    const clock = this.clockTick;
    const links = new Map<string, LinkEstimate>();
    for (let k = 0; k < f.ids.length; k++) {
      const rtt = f.values[3 * k]!;
      const samples = f.values[3 * k + 2]!;
      links.set(f.ids[k]!, {
        rttMs: rtt,
        oneWayMs: rtt / 2,
        offsetTicks: samples > 0 ? f.values[3 * k + 1]! + this.#q - clock : Number.NaN,
        samples,
      });
    }
    this.#links = links;
    return links;
  }
}

/**
 * The network's tick (this clock plus its reference's offset), its uncertainty (the spread of
 * the neighbours' offsets around the reference's, plus the reference's measurement noise) and
 * per-link RTT and offsets (made when first read, from figures shared through `i.figures`). @internal
 */
export function networkEstimate(i: EstimateInput): ClockEstimate {
  const { clock, q } = i;
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
  return new Estimate(clock + refOff, uncertainty, clock, behind, i.parent, i.figures.of(i.links), q);
}
