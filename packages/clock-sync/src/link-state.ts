/** What a {@link Clock} keeps per link: SYNC bookkeeping, the RTT filter and the offset estimate. */
import type { ClockOptions } from './options.js';

/** The state of one link (one neighbour) inside a clock. @internal */
export interface LinkState {
  /** The link's id (the key it is kept under), so that loops over states need no entries. */
  readonly id: string;
  /** Local time of the first SYNC produced for this link (echoes must not predate it). */
  firstSentAt: number | undefined;
  lastSentAt: number | undefined;
  /** SYNCs produced for this link (the first `syncBurst` are spaced `syncBurstIntervalMs`). */
  sent: number;
  /**
   * When the next SYNC to this link is due ({@link syncDueTime} of this state, kept up to date by
   * the clock whenever `lastSentAt` or `sent` change): `-Infinity` before the first SYNC.
   */
  dueAt: number;
  /** Last SYNC received on the link: the sender's `time` and `tick`, and our local receive time. */
  lastRx: { time: number; tick: number; at: number } | undefined;
  /** Ring buffer of the last `filterWindow` RTTs (ms). */
  readonly rtts: number[];
  rttNext: number;
  minRtt: number;
  /**
   * Smoothed (neighbour's clock − our free-running reference Q) at the same instant, in ticks.
   * Stored against Q rather than against our steered clock so that our own steering and jumps
   * never make it stale. `NaN` before the first accepted sample.
   */
  u: number;
  /** Exponentially weighted variance of accepted samples around `u` (ticks²). */
  noiseVar: number;
  /** `Math.sqrt(noiseVar)`, kept with it by {@link takeSample}. */
  noiseSd: number;
  /** {@link linkSigma} of this state with the clock's smoothing, kept up to date by {@link takeSample}. */
  sigma: number;
  samples: number;
  /** Samples averaged since the estimate was (re)started: few means the estimate is still noisy. */
  fresh: number;
  /** The last sample showed the neighbour jumping (set by the step detector, cleared by control). */
  stepped: boolean;
  /** Since when (local ms) this link has been clearly ahead of the current reference. */
  aheadSince: number | undefined;
  /**
   * A SYNC of this link claimed a tick within the corroboration bound of this clock: the
   * neighbour kept this clock's time at least once (see `MinorityGuard.corroborated`).
   */
  agreed: boolean;
}

/** The state of link `id` before any SYNC. @internal */
export function newLinkState(id: string): LinkState {
  return {
    id,
    firstSentAt: undefined,
    lastSentAt: undefined,
    sent: 0,
    dueAt: Number.NEGATIVE_INFINITY,
    lastRx: undefined,
    rtts: [],
    rttNext: 0,
    minRtt: Number.NaN,
    u: Number.NaN,
    noiseVar: 0,
    noiseSd: 0, // Math.sqrt(0)
    sigma: 0, // linkSigma: Math.sqrt(0 * …)
    samples: 0,
    fresh: 0,
    stepped: false,
    aheadSince: undefined,
    agreed: false,
  };
}

/**
 * Local time from which a SYNC to a link in state `l` is due: at once (`-Infinity`) when none was
 * produced yet; else `syncBurstIntervalMs` (at most `syncIntervalMs`) after the last one while the
 * link is within its first `syncBurst` SYNCs, `syncIntervalMs` after it beyond. @internal
 */
export function syncDueTime(
  l: LinkState | undefined,
  o: Pick<Required<ClockOptions>, 'syncIntervalMs' | 'syncBurst' | 'syncBurstIntervalMs'>,
): number {
  const last = l?.lastSentAt;
  if (l === undefined || last === undefined) return Number.NEGATIVE_INFINITY;
  const interval = o.syncIntervalMs;
  return last + (l.sent < o.syncBurst ? Math.min(o.syncBurstIntervalMs, interval) : interval);
}

/** Record a SYNC received on link `l`: the sender's `time` and `tick`, our receive time `at`. @internal */
export function recordRx(l: LinkState, time: number, tick: number, at: number): void {
  const rx = l.lastRx;
  if (rx === undefined) l.lastRx = { time, tick, at };
  else {
    // In place (nothing else holds it): no object per SYNC.
    rx.time = time;
    rx.tick = tick;
    rx.at = at;
  }
}

/**
 * The link whose clock is furthest ahead of a clock's (its offset from the clock, `l.u + qMinusC`),
 * among links with at least `adoptAfter` samples more than `adoptTicks` plus four standard
 * deviations of their noise ahead that `guard` lets the clock follow at `t` (asked in link order,
 * for each one further ahead than the furthest so far). @internal
 */
export function furthestAhead(
  links: ReadonlyMap<string, LinkState>,
  qMinusC: number,
  adoptAfter: number,
  adoptTicks: number,
  guard: { mayFollow(claimant: string, lead: number, t: number): boolean },
  t: number,
): LinkState | undefined {
  let jump = 0;
  let found: LinkState | undefined;
  for (const l of links.values()) {
    if (l.samples < adoptAfter) continue;
    const off = l.u + qMinusC;
    if (off > adoptTicks + 4 * l.noiseSd && off > jump && guard.mayFollow(l.id, off, t)) {
      jump = off;
      found = l;
    }
  }
  return found;
}

/** The sample-noise variance is smoothed this many times slower than the offset itself. */
const NOISE_SMOOTHING = 0.25;

/**
 * Feed one round trip into link `l`: the neighbour's `tick` as sent, the measured round trip
 * (ms), and this clock's free-running reference at the receive time. Returns `'filtered'` when
 * the minimum-RTT filter (or `maxRttMs`) dropped the sample, `'stepped'` when the neighbour's
 * clock visibly jumped (the estimate restarts there), `'accepted'` otherwise. @internal
 */
export function takeSample(
  l: LinkState,
  tick: number,
  rawRtt: number,
  refNow: number,
  o: Readonly<
    Pick<
      Required<ClockOptions>,
      'fps' | 'filterWindow' | 'filterSlack' | 'filterFloorMs' | 'maxRttMs' | 'smoothing'
    >
  >,
  switchTicks: number,
): 'filtered' | 'stepped' | 'accepted' {
  const rtt = Math.max(0, rawRtt);
  const w = o.filterWindow;
  // The minimum of the window, kept as it moves: rescanned only when its smallest value leaves.
  let min = l.minRtt; // NaN while the window is empty
  if (l.rtts.length < w) {
    l.rtts.push(rtt);
    if (!(min <= rtt)) min = rtt;
  } else {
    const leaving = l.rtts[l.rttNext]!;
    l.rtts[l.rttNext] = rtt;
    if (rtt <= min) min = rtt;
    else if (leaving === min) {
      min = Number.POSITIVE_INFINITY;
      for (const r of l.rtts) if (r < min) min = r;
    }
  }
  l.rttNext = (l.rttNext + 1) % w;
  l.minRtt = min;
  if (rtt > o.maxRttMs || rtt > min * (1 + o.filterSlack) + o.filterFloorMs) return 'filtered';
  // The neighbour's clock now ≈ its tick when it sent + the return trip, taken as rtt / 2.
  const neighbour = tick + (rtt * o.fps) / 2000;
  const s = neighbour - refNow;
  let result: 'stepped' | 'accepted' = 'accepted';
  if (l.samples === 0) {
    l.u = s;
    // Prior for the sample noise until samples say otherwise: a twentieth of the round trip.
    const prior = (rtt * o.fps) / 20_000;
    l.noiseVar = prior * prior;
    l.fresh = 0;
  } else if (Math.abs(s - l.u) > 5 * l.noiseSd + switchTicks / 2) {
    // A step far outside the noise: the neighbour jumped (adopted a time). Follow it at once
    // instead of smoothing it in over several samples.
    l.u = s;
    l.fresh = 1;
    l.stepped = true;
    result = 'stepped';
  } else {
    const a = o.smoothing;
    const d = s - l.u;
    l.u += a * d;
    const b = a * NOISE_SMOOTHING;
    l.noiseVar = (1 - b) * (l.noiseVar + b * d * d);
  }
  l.samples++;
  l.fresh++;
  // noiseVar and fresh change here only: their derived figures are computed once per sample.
  l.noiseSd = Math.sqrt(l.noiseVar);
  l.sigma = linkSigma(l, o.smoothing);
  return result;
}

/**
 * The clock of the neighbour behind `l` at local time `t` as far as known: its RTT-compensated
 * estimate (against this clock's reference `refNow` at `t`) or, when larger, its last SYNC's tick
 * run on; `NaN` when nothing is known. @internal
 */
export function neighbourClockAt(l: LinkState, t: number, refNow: number, fps: number): number {
  const low = l.lastRx === undefined ? Number.NaN : l.lastRx.tick + ((t - l.lastRx.at) * fps) / 1000;
  const compensated = l.samples > 0 ? l.u + refNow : Number.NaN;
  return Number.isNaN(compensated) || compensated < low ? low : compensated;
}

/** One neighbour's clock at some local time as far as known (`NaN`: nothing heard yet). @internal */
export interface NeighbourClock {
  readonly id: string;
  readonly at: number;
}

/** Every neighbour's clock at local time `t` (see {@link neighbourClockAt}). @internal */
export function neighbourClocks(
  links: ReadonlyMap<string, LinkState>,
  t: number,
  refNow: number,
  fps: number,
): NeighbourClock[] {
  const out: NeighbourClock[] = [];
  for (const l of links.values()) out.push({ id: l.id, at: neighbourClockAt(l, t, refNow, fps) });
  return out;
}

/** Noise of a link's smoothed estimate (ticks, one standard deviation). @internal */
export function linkSigma(l: LinkState, smoothing: number): number {
  const a = smoothing;
  return Math.sqrt(l.noiseVar * Math.max(a / (2 - a), 1 / Math.max(1, l.fresh)));
}
