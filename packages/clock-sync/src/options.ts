import type { Clock } from './clock.js'; // for {@link} in doc comments
import { ClockError } from './errors.js';

/**
 * Options of a {@link Clock}. Only `fps` is required; every other field has a default chosen for
 * internet-like links (RTTs of 10 ms to 1 s, ±200 ppm oscillators) and is listed in
 * {@link CLOCK_DEFAULTS}.
 */
export interface ClockOptions {
  /** Ticks per second of the simulation (the same on every peer). 0 < fps ≤ 1000. */
  fps: number;
  /**
   * How often the runtime should send a SYNC to each neighbour (ms). Advisory: {@link Clock.syncDue}
   * uses it; the agreement works with any period, but its gains assume about this one.
   * Default 250.
   */
  syncIntervalMs?: number;
  /**
   * SYNCs sent on a new link at the shorter `syncBurstIntervalMs` spacing before settling to
   * `syncIntervalMs`, so the link's round trip and offset are known quickly (≥ 0). Default 0.
   */
  syncBurst?: number;
  /** Spacing (ms) of the first `syncBurst` SYNCs on a link (capped at `syncIntervalMs`). Default 250. */
  syncBurstIntervalMs?: number;
  /**
   * Catch-up speed: while the simulation is behind the clock, it runs at most this many times the
   * nominal rate (≥ 1; 1 disables catching up faster). Default 4.
   */
  catchUpRate?: number;
  /** At most this many ticks are returned by one {@link Clock.advance} call (≥ 1). Default `fps`. */
  maxTicksPerAdvance?: number;
  /**
   * Phase steering time constant (ms): a measured offset is slewed away over about this long.
   * Default 1000.
   */
  phaseTimeConstantMs?: number;
  /**
   * Frequency learning time constant (ms): the frequency correction follows the clock's average
   * steering rate over about this long, so a clock holds its reference's rate on its own when the
   * reference goes away. Default 120 000.
   */
  frequencyTimeConstantMs?: number;
  /**
   * Largest phase-steering rate, as a fraction of the nominal rate (0 < maxSlew < 0.5): the clock
   * never runs faster than `1 + maxSlew + maxFrequency` or slower than `1 - maxSlew - maxFrequency`
   * times nominal while slewing. Default 0.05.
   */
  maxSlew?: number;
  /** Largest frequency correction in parts per million (0 ≤ … ≤ 100 000). Default 1000. */
  maxFrequencyPpm?: number;
  /**
   * Gap (ms of network time) above which the clock jumps forward to a neighbour instead of
   * slewing, and below which a neighbour that is behind still takes part in the agreement.
   * Default 100.
   */
  adoptThresholdMs?: number;
  /**
   * Smallest lead (ms) a neighbour must have over the clock's current reference before the clock
   * switches to following it (hysteresis; the actual margin is also at least 4 standard deviations
   * of that neighbour's estimate). Default 20.
   */
  switchMarginMs?: number;
  /** A neighbour must stay clearly ahead of the reference this long (ms) before the clock switches to it. Default 1000. */
  switchAfterMs?: number;
  /**
   * Accepted round-trip samples a link needs before its RTT-compensated estimate may make the
   * clock jump (the uncompensated lower bound may always). Default 2.
   */
  adoptAfterSamples?: number;
  /** Round-trip samples kept per link for minimum-RTT filtering (≥ 1). Default 8. */
  filterWindow?: number;
  /**
   * A round-trip sample is accepted when `rtt ≤ minRtt × (1 + filterSlack) + filterFloorMs`, the
   * minimum taken over the window; slower samples (queueing spikes) are dropped. Default 0.5.
   */
  filterSlack?: number;
  /** See `filterSlack`. Default 2. */
  filterFloorMs?: number;
  /** Weight of a new accepted sample in a link's smoothed offset (0 < … ≤ 1). Default 0.25. */
  smoothing?: number;
  /** Round-trip samples above this (ms) are dropped as useless. Default 10 000. */
  maxRttMs?: number;
  /**
   * Minority guard. Once the clock has agreed with a network for `establishAfterMs` (it is
   * *established*; until then it adopts any neighbour's time, as a joiner must), one neighbour's
   * word moves it forward only so far: a neighbour more than `corroborationMs` ahead is followed
   * only when another neighbour's clock, or a witnessed event tick ({@link Clock.witness}) of
   * another origin, is within `corroborationMs` of it; forward jumps nobody corroborates draw on
   * a budget of `corroborationMs` that refills at `corroborationMs` a minute. Default 1000.
   */
  corroborationMs?: number;
  /**
   * A SYNC claiming a clock more than this far (ms of ticks) ahead of an established clock, and
   * corroborated by nobody else, is a lie: {@link Clock.onSync} throws `CLOCK_LIE` (the runtime
   * closes that link). Default 30 000 (at least `corroborationMs`).
   */
  lieThresholdMs?: number;
  /** See `corroborationMs`. Default 20 000. */
  establishAfterMs?: number;
  /**
   * A clock not established (a joiner) follows a lead beyond `lieThresholdMs` only when another
   * neighbour that speaks for the room ({@link Clock.setVoice}), or a witnessed event tick of
   * another origin, corroborates it; with such neighbours not heard yet, it waits this long (ms)
   * for them before the one heard sets its time. Default 1000.
   */
  freshWaitMs?: number;
  /**
   * How far (ms of ticks) below its event's tick the runtime lowers a witnessed tick
   * ({@link Clock.witness}: the largest stamping delay). A lead the guard checks against evidence
   * alone (a joiner's, or the only neighbour's of an established clock) is corroborated by a
   * witness within this plus `corroborationMs`. Default 5000.
   */
  witnessSlackMs?: number;
}

/** Default value of every optional {@link ClockOptions} field. */
export const CLOCK_DEFAULTS: Readonly<Required<Omit<ClockOptions, 'fps' | 'maxTicksPerAdvance'>>> = {
  syncIntervalMs: 250,
  syncBurst: 0,
  syncBurstIntervalMs: 250,
  catchUpRate: 4,
  phaseTimeConstantMs: 500,
  frequencyTimeConstantMs: 120_000,
  maxSlew: 0.05,
  maxFrequencyPpm: 1000,
  adoptThresholdMs: 100,
  switchMarginMs: 20,
  switchAfterMs: 1000,
  adoptAfterSamples: 2,
  filterWindow: 8,
  filterSlack: 0.5,
  filterFloorMs: 2,
  smoothing: 0.25,
  maxRttMs: 10_000,
  corroborationMs: 1000,
  lieThresholdMs: 30_000,
  establishAfterMs: 20_000,
  freshWaitMs: 1000,
  witnessSlackMs: 5000,
};

/** Options with every default filled in (internal). */
export type ResolvedClockOptions = Readonly<Required<ClockOptions>>;

function check(
  name: string,
  value: unknown,
  min: number,
  max: number,
  opts: { integer?: boolean; minOpen?: boolean } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ClockError('BAD_OPTIONS', `${name} must be a finite number, got ${String(value)}`);
  }
  const belowMin = opts.minOpen ? value <= min : value < min;
  if (belowMin || value > max || (opts.integer === true && !Number.isInteger(value))) {
    throw new ClockError(
      'BAD_OPTIONS',
      `${name} must be ${opts.integer ? 'an integer ' : ''}in ${opts.minOpen ? '(' : '['}${min}, ${max}], got ${value}`,
    );
  }
  return value;
}

/** Validate options and fill in defaults; throws {@link ClockError} `BAD_OPTIONS`. */
export function resolveClockOptions(options: ClockOptions): ResolvedClockOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ClockError('BAD_OPTIONS', 'options must be an object');
  }
  const o = { ...CLOCK_DEFAULTS, ...stripUndefined(options) } as Required<ClockOptions>;
  const fps = check('fps', o.fps, 0, 1000, { minOpen: true });
  const r: Required<ClockOptions> = {
    fps,
    syncIntervalMs: check('syncIntervalMs', o.syncIntervalMs, 0, 3_600_000, { minOpen: true }),
    syncBurst: check('syncBurst', o.syncBurst, 0, 1_000_000, { integer: true }),
    syncBurstIntervalMs: check('syncBurstIntervalMs', o.syncBurstIntervalMs, 0, 3_600_000, { minOpen: true }),
    catchUpRate: check('catchUpRate', o.catchUpRate, 1, 1000),
    maxTicksPerAdvance: check(
      'maxTicksPerAdvance',
      o.maxTicksPerAdvance ?? Math.max(1, Math.ceil(fps)),
      1,
      1e9,
      {
        integer: true,
      },
    ),
    phaseTimeConstantMs: check('phaseTimeConstantMs', o.phaseTimeConstantMs, 0, 3_600_000, { minOpen: true }),
    frequencyTimeConstantMs: check('frequencyTimeConstantMs', o.frequencyTimeConstantMs, 0, 3_600_000, {
      minOpen: true,
    }),
    maxSlew: check('maxSlew', o.maxSlew, 0, 0.5, { minOpen: true }),
    maxFrequencyPpm: check('maxFrequencyPpm', o.maxFrequencyPpm, 0, 100_000),
    adoptThresholdMs: check('adoptThresholdMs', o.adoptThresholdMs, 0, 3_600_000, { minOpen: true }),
    switchMarginMs: check('switchMarginMs', o.switchMarginMs, 0, 3_600_000),
    switchAfterMs: check('switchAfterMs', o.switchAfterMs, 0, 3_600_000),
    adoptAfterSamples: check('adoptAfterSamples', o.adoptAfterSamples, 1, 1_000_000, { integer: true }),
    filterWindow: check('filterWindow', o.filterWindow, 1, 4096, { integer: true }),
    filterSlack: check('filterSlack', o.filterSlack, 0, 1000),
    filterFloorMs: check('filterFloorMs', o.filterFloorMs, 0, 3_600_000),
    smoothing: check('smoothing', o.smoothing, 0, 1, { minOpen: true }),
    maxRttMs: check('maxRttMs', o.maxRttMs, 0, 86_400_000, { minOpen: true }),
    corroborationMs: check('corroborationMs', o.corroborationMs, 0, 86_400_000, { minOpen: true }),
    lieThresholdMs: check('lieThresholdMs', o.lieThresholdMs, o.corroborationMs, 86_400_000 * 365),
    establishAfterMs: check('establishAfterMs', o.establishAfterMs, 0, 86_400_000),
    freshWaitMs: check('freshWaitMs', o.freshWaitMs, 0, 3_600_000),
    witnessSlackMs: check('witnessSlackMs', o.witnessSlackMs, 0, 86_400_000),
  };
  return r;
}

function stripUndefined(o: ClockOptions): Partial<ClockOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<ClockOptions>;
}
