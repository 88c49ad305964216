import type { Clock } from './clock.js'; // for {@link} in doc comments

/**
 * SYNC information exchanged between neighbours (carried by the codec's `sync` frame; fields
 * identical).
 *
 * - `time`: the sender's local monotonic clock in ms when sent (an opaque token for the receiver,
 *   which only ever hands it back in `echo.time`).
 * - `tick`: the sender's clock (fractional tick, see {@link Clock.clockTick}) at that moment.
 * - `echo`: the `time` of the last SYNC the sender received from the receiver, and how long (ms,
 *   sender's clock) it held that SYNC before sending this one. With it the receiver measures the
 *   round trip NTP-style: `rtt = (now - echo.time) - echo.holdMs`.
 */
export interface SyncMessage {
  time: number;
  tick: number;
  echo?: { time: number; holdMs: number };
}

/** What a clock knows about one neighbour link (part of {@link ClockEstimate}). */
export interface LinkEstimate {
  /** Round-trip time (ms) of the link: the minimum over the filter window; `NaN` before any. */
  readonly rttMs: number;
  /** One-way latency estimate (ms): `rttMs / 2`; `NaN` before any round trip. */
  readonly oneWayMs: number;
  /**
   * The neighbour's RTT-compensated clock minus this clock, in ticks, now (positive: the
   * neighbour is ahead); `NaN` before the first accepted round trip.
   */
  readonly offsetTicks: number;
  /** Round-trip samples accepted for this link (after jitter filtering). */
  readonly samples: number;
}

/** This clock's view of the network's time (see {@link Clock.estimate}). */
export interface ClockEstimate {
  /** Estimate of the network's (fractional) tick at the given time. */
  readonly networkTick: number;
  /**
   * Uncertainty of `networkTick` in ticks (about one standard deviation): how much this clock
   * and its neighbours' RTT-compensated clocks disagree, plus the measurement noise of those
   * estimates. `0` for a clock that has no neighbour (it is the whole network).
   */
  readonly uncertaintyTicks: number;
  /** This clock's own (fractional) tick, {@link Clock.clockTick}. */
  readonly clockTick: number;
  /** Ticks the simulation still has to run to reach the clock (`floor(clockTick) - tick`, ≥ 0). */
  readonly behindTicks: number;
  /** The neighbour link this clock follows, or `undefined` when it is a reference itself. */
  readonly reference: string | undefined;
  /** Per neighbour link: RTT, one-way latency and offset estimates. */
  readonly links: ReadonlyMap<string, LinkEstimate>;
}

/** Counters of one {@link Clock} (monotonic, for the runtime's stats). */
export interface ClockStats {
  /** SYNCs produced by {@link Clock.syncFor}. */
  readonly syncsSent: number;
  /** Valid SYNCs accepted by {@link Clock.onSync}. */
  readonly syncsReceived: number;
  /** Round-trip samples that passed the jitter filter and moved a link's estimate. */
  readonly samplesAccepted: number;
  /** Round-trip samples dropped by the minimum-RTT filter (queueing spikes) or `maxRttMs`. */
  readonly samplesFiltered: number;
  /**
   * Forward jumps of the clock: adopting the network's time (join, rejoin, healed partition) or
   * catching up with its reference after that one jumped.
   */
  readonly adoptions: number;
  /** Times the clock changed the neighbour it follows (its reference). */
  readonly referenceChanges: number;
  /** Times a link's estimate was reset because the neighbour's clock visibly jumped. */
  readonly steps: number;
  /** Calls rejected with a {@link ClockError} (bad time, message, link, tick). */
  readonly rejected: number;
  /** Ticks returned by {@link Clock.advance} in total. */
  readonly ticksRun: number;
  /**
   * Times an established clock did not follow a neighbour's lead because nobody corroborated it
   * (see `ClockOptions.corroborationMs`).
   */
  readonly uncorroborated: number;
  /** SYNCs refused as `CLOCK_LIE` (also counted in {@link ClockStats.rejected}). */
  readonly lies: number;
  /** Event ticks given to {@link Clock.witness}. */
  readonly witnessed: number;
}
