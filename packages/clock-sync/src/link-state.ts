/** What a {@link Clock} keeps per link: SYNC bookkeeping, the RTT filter and the offset estimate. */

/** The state of one link (one neighbour) inside a clock. @internal */
export interface LinkState {
  /** Local time of the first SYNC produced for this link (echoes must not predate it). */
  firstSentAt: number | undefined;
  lastSentAt: number | undefined;
  /** SYNCs produced for this link (the first `syncBurst` are spaced `syncBurstIntervalMs`). */
  sent: number;
  /** Last SYNC received on the link: the sender's `time` and our local receive time. */
  lastRx: { time: number; at: number } | undefined;
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
  samples: number;
  /** Samples averaged since the estimate was (re)started: few means the estimate is still noisy. */
  fresh: number;
  /** The last sample showed the neighbour jumping (set by the step detector, cleared by control). */
  stepped: boolean;
  /** Since when (local ms) this link has been clearly ahead of the current reference. */
  aheadSince: number | undefined;
}

/** A link's state before any SYNC. @internal */
export function newLinkState(): LinkState {
  return {
    firstSentAt: undefined,
    lastSentAt: undefined,
    sent: 0,
    lastRx: undefined,
    rtts: [],
    rttNext: 0,
    minRtt: Number.NaN,
    u: Number.NaN,
    noiseVar: 0,
    samples: 0,
    fresh: 0,
    stepped: false,
    aheadSince: undefined,
  };
}
