/**
 * How a {@link Clock} steers: which neighbour it follows (its reference), when it jumps, and the
 * slewing and frequency learning toward the reference, planned again after every sample. The
 * clock keeps the time base (its anchors, read on every step): a control step reads them, jumps
 * the clock through it, and hands back the correction to slew in and the rate to run at.
 * @internal
 */
import type { Clock } from './clock.js'; // for {@link} in doc comments
import { learnedFrequency } from './frequency.js';
import type { MinorityGuard } from './guard.js';
import { furthestAhead, type LinkState, takeSample } from './link-state.js';
import type { ResolvedClockOptions } from './options.js';
import { clearLead } from './reference.js';

/** A reference clock defers to a neighbour only with this multiple of the usual switch margin. */
const ROOT_MARGIN_FACTOR = 1.5;
// Only +, −, ×, ÷ and sqrt below (all exactly rounded by IEEE 754), never Math.exp and friends,
// whose last bits may differ between engines: the same inputs give the same outputs everywhere.

/** The counters of a clock's stats that its steering moves (the clock's own stats record). @internal */
export interface SteeringCounters {
  samplesAccepted: number;
  samplesFiltered: number;
  referenceChanges: number;
  steps: number;
}

/** The steering a control step leaves the clock with (see {@link Steering.control}). @internal */
export interface SteeringPlan {
  /** The correction (ticks) to slew in from the step's time. */
  pend: number;
  /** The slew rate (ticks per ms) of that correction. */
  slewRate: number;
  /** The rate factor of the clock and its free-running reference: `1 +` the learned frequency. */
  rate: number;
}

/** The one result record (no allocation per call: read it before the next call). */
const plan: SteeringPlan = { pend: 0, slewRate: 0, rate: 1 };

/**
 * The steering state of one {@link Clock}: the reference followed, whether it is still joining,
 * the learned frequency, and the control law that plans jumps, slewing and the frequency.
 * @internal
 */
export class Steering {
  readonly #o: ResolvedClockOptions;
  readonly #links: ReadonlyMap<string, LinkState>;
  readonly #guard: MinorityGuard;
  readonly #counters: SteeringCounters;
  /** Jump the clock forward (anchors at the current time). */
  readonly #jump: (by: number) => void;
  /** Adoption threshold in ticks. */
  readonly #adoptTicks: number;
  /** Largest slew rate in ticks per ms. */
  readonly #maxSlewRate: number;
  readonly #maxFreq: number;
  /** Smallest switch margin in ticks. */
  readonly #switchTicks: number;
  readonly #fps: number;
  readonly #adoptAfterSamples: number;

  /** The neighbour link this clock follows; `undefined` when it is a reference itself. */
  #parent: string | undefined;
  /** Until the clock took an RTT-compensated time (again after an uncompensated jump): it jumps to it. */
  #joining = true;
  #freq = 0;
  /** `1 + #freq` (recomputed when the frequency changes). */
  #rate = 1;
  #lastControlAt: number | undefined;
  /** Some link's `stepped` flag is set (a stepped sample since the last control). */
  #anyStepped = false;

  /**
   * @param o the clock's resolved options
   * @param links the clock's link states (read, never added to or removed from here)
   * @param guard the clock's minority guard (asked before every jump and every reference)
   * @param counters the clock's stats record: sample, reference and step counts move here
   * @param jump jumps the clock forward by `by` ticks, its anchors being at the current time (the
   *   guard reads the clock between the jumps of one control step)
   */
  constructor(
    o: ResolvedClockOptions,
    links: ReadonlyMap<string, LinkState>,
    guard: MinorityGuard,
    counters: SteeringCounters,
    jump: (by: number) => void,
  ) {
    this.#o = o;
    this.#links = links;
    this.#guard = guard;
    this.#counters = counters;
    this.#jump = jump;
    this.#adoptTicks = (o.adoptThresholdMs * o.fps) / 1000;
    this.#maxSlewRate = (o.maxSlew * o.fps) / 1000;
    this.#maxFreq = o.maxFrequencyPpm / 1e6;
    this.#switchTicks = (o.switchMarginMs * o.fps) / 1000;
    this.#fps = o.fps;
    this.#adoptAfterSamples = o.adoptAfterSamples;
  }

  /** The neighbour link followed; `undefined` when this clock is a reference itself. */
  get parent(): string | undefined {
    return this.#parent;
  }

  /** The learned frequency correction, as a rate. */
  get frequency(): number {
    return this.#freq;
  }

  /** The clock jumped to `link`'s time, not yet RTT-compensated: follow `link`, joining. */
  follow(link: string): void {
    this.#parent = link;
    this.#joining = true;
  }

  /**
   * Take a round trip `rtt` measured on link `l` by a SYNC of `tick`, `q` being the clock's
   * free-running reference at its receipt: `true` when the sample was accepted (the clock then
   * runs a {@link Steering.control} step).
   */
  sample(l: LinkState, tick: number, rtt: number, q: number): boolean {
    const sample = takeSample(l, tick, rtt, q, this.#o, this.#switchTicks);
    const counters = this.#counters;
    if (sample === 'filtered') {
      counters.samplesFiltered++;
      return false;
    }
    counters.samplesAccepted++;
    if (sample === 'stepped') {
      counters.steps++;
      this.#anyStepped = true;
    }
    return true;
  }

  /**
   * Re-plan the steering at `t`, the clock's anchors being at `t`, `qMinusC` apart (free-running
   * reference less clock):
   * 1. adopt: jump forward to the furthest neighbour more than the adoption threshold ahead;
   * 2. choose the reference: keep the current one unless another neighbour is ahead of it by
   *    a clear margin (hysteresis); forget it when it fell far behind (it restarted);
   * 3. steer toward the reference's RTT-compensated clock (slew + frequency integral).
   *
   * Jumps go to the clock at once; returns the correction to slew in and the rate (the record is
   * reused by the next call).
   */
  control(t: number, integrate: boolean, qMinusC: number): SteeringPlan {
    const links = this.#links;
    const guard = this.#guard;
    const counters = this.#counters;
    const adoptAfter = this.#adoptAfterSamples;
    const adoptTicks = this.#adoptTicks;
    const ahead = furthestAhead(links, qMinusC, adoptAfter, adoptTicks, guard, t);
    let jump = ahead === undefined ? 0 : ahead.u + qMinusC;
    const jumpTo = ahead?.id;
    if (jumpTo !== undefined && guard.mayJump(jumpTo, jump, t)) {
      this.#jump(jump);
      this.#parent = jumpTo;
    } else jump = 0;
    const base = qMinusC - jump;
    let ref = this.#parent === undefined ? undefined : links.get(this.#parent);
    if (ref === undefined) this.#parent = undefined;
    else if (ref.fresh >= adoptAfter && ref.u + base < -adoptTicks - 6 * ref.noiseSd) {
      // The reference fell far behind: it restarted (and will adopt our time). Stop following it.
      this.#parent = undefined;
      ref = undefined;
    } else if (ref.samples > 0 && !guard.mayFollow(this.#parent!, ref.u + base, t)) {
      // The reference ran far ahead and nobody else vouches for that time: stop following it.
      this.#parent = undefined;
      ref = undefined;
    }
    const refOff = ref !== undefined && ref.samples > 0 ? ref.u + base : 0;
    const refSigma = ref !== undefined && ref.samples > 0 ? ref.sigma : 0;
    // A reference clock defers with a wider margin and more patience: it anchors the network's
    // time, and its own followers can only appear ahead of it through noise.
    const scale = ref === undefined ? ROOT_MARGIN_FACTOR : 1;
    const lead = clearLead(links, this.#parent, guard, t, {
      base,
      refOff,
      refSigma,
      refMinRtt: ref?.minRtt ?? 0,
      scale,
      adoptAfter,
      switchTicks: this.#switchTicks,
      fps: this.#fps,
      switchAfterMs: this.#o.switchAfterMs,
    });
    const best = lead.id;
    const bestBy = lead.by;
    const bestMargin = lead.margin;
    if (best !== undefined) {
      // Switching is gated by a clear, persistent lead. A large lead (a merge) is taken at once,
      // like a joiner; otherwise slew (jumping on a merely clear lead would be a ratchet).
      this.#parent = best;
      if (bestBy > bestMargin) this.#joining = true;
      counters.referenceChanges++;
      ref = links.get(best);
      for (const l of links.values()) l.aheadSince = undefined;
    }
    let e = ref !== undefined && ref.samples > 0 ? ref.u + base : 0;
    if (this.#joining) {
      if (ref === undefined) {
        // Nobody ahead: this clock is the network's time (or the most advanced part of it).
        for (const l of links.values()) if (l.samples >= adoptAfter) this.#joining = false;
      } else if (ref.samples >= adoptAfter) {
        this.#joining = false;
        if (e > 0 && guard.mayJump(this.#parent!, e, t)) {
          this.#jump(e);
          e = 0;
        }
      }
    }
    if (!this.#joining) guard.agreed(t);
    if (
      ref !== undefined &&
      e > 0 &&
      (ref.stepped || e > Math.max(this.#switchTicks, 4 * ref.sigma)) &&
      guard.mayJump(this.#parent!, e, t)
    ) {
      // The reference jumped (a detected step), or is clearly ahead beyond the noise: follow at
      // once rather than slewing for seconds behind it, so jumps sweep down the tree quickly.
      // Never for gaps within the noise (that would be a ratchet: jump up, slew down).
      this.#jump(e);
      e = 0;
    }
    if (this.#anyStepped) {
      // (only a stepped sample sets the flags: no loop over the links otherwise)
      for (const l of links.values()) l.stepped = false;
      this.#anyStepped = false;
    }
    if (integrate && this.#lastControlAt !== undefined && jump === 0) {
      this.#freq = learnedFrequency(this.#freq, {
        dt: Math.min(t - this.#lastControlAt, 4 * this.#o.syncIntervalMs),
        error: ref !== undefined && ref.samples > 0 ? e : undefined,
        lockedWithin: this.#switchTicks / 2,
        maxFreq: this.#maxFreq,
        options: this.#o,
      });
      this.#rate = 1 + this.#freq;
    }
    if (integrate) this.#lastControlAt = t;
    plan.pend = e;
    plan.slewRate = Math.min(this.#maxSlewRate, Math.abs(e) / this.#o.phaseTimeConstantMs);
    plan.rate = this.#rate;
    return plan;
  }
}
