/**
 * The {@link Clock}: its public API (input validation, per-link SYNC bookkeeping and schedule,
 * counters), its time base (the anchored clocks, read on every step) and the simulation tick's
 * pacing. Whom it follows and how it steers is its {@link Steering}; the minority rule its
 * {@link MinorityGuard}.
 */
import { ClockError } from './errors.js';
import { LinkFiguresCache, networkEstimate } from './estimate.js';
import { MinorityGuard } from './guard.js';
import { type LinkState, newLinkState, recordRx } from './link-state.js';
import { type ClockOptions, type ResolvedClockOptions, resolveClockOptions } from './options.js';
import { STEP_PHASE } from './phase.js';
import { Steering } from './steering.js';
import type { ClockEstimate, ClockStats, SyncMessage } from './types.js';
import { checkSync, checkTime, linkProblem, type Problem, tickProblem } from './validate.js';

// Only +, −, ×, ÷ and sqrt below (all exactly rounded by IEEE 754), never Math.exp and friends,
// whose last bits may differ between engines: the same inputs give the same outputs everywhere.

/** Tolerance for floating-point noise when flooring the clock to whole ticks. */
const FLOOR_EPSILON = 1e-9;

/**
 * Tick pacing and clock agreement for one peer (sans-I/O: every method takes the local monotonic
 * time in ms from an injected clock; nothing here reads a clock, sets a timer or touches a
 * network).
 *
 * Two quantities are kept apart:
 * - the **clock** ({@link Clock.clockTick}): a fractional tick, continuous and strictly
 *   increasing in local time, steered toward the network's time by rate changes (slewing, a
 *   learned frequency correction) and, when far behind, by forward jumps (adoption);
 * - the **simulation tick** ({@link Clock.tick}): whole ticks completed, which follows
 *   `floor(clock)` from below, at most `catchUpRate` times faster than nominal, and never
 *   decreases.
 *
 * The agreement: each clock follows one neighbour, its *reference*: the one whose
 * RTT-compensated clock is clearly ahead (with hysteresis), or none when no neighbour is ahead, in
 * which case it is a reference for the network. This grows a tree rooted at the most advanced
 * clock; each clock tracks its reference's clock without bias, so the network runs at the root's
 * oscillator rate (no ratchet), and a joiner or a merging part of the network jumps forward once.
 * Once established, the clock follows a neighbour far ahead only when another origin corroborates
 * it (see `ClockOptions.corroborationMs`; a lone claim far beyond is a `CLOCK_LIE`).
 * Details and the reasons for this design are in the package README.
 */
export class Clock {
  readonly #o: ResolvedClockOptions;
  /** Adoption threshold in ticks. */
  readonly #adoptTicks: number;
  // Options read on every call, kept on the clock itself (not behind the options object).
  readonly #fps: number;
  readonly #catchUpRate: number;
  readonly #maxTicksPerAdvance: number;
  readonly #syncBurst: number;
  /** The spacing of SYNCs on a link within its first `syncBurst`, then beyond (ms; see syncDueTime). */
  readonly #burstGapMs: number;
  readonly #syncGapMs: number;

  #tick = 0;
  #started = false;
  #seen = false;
  #lastNow = Number.NEGATIVE_INFINITY;

  // Piecewise-linear clocks, all anchored at local time #tA.
  // Q (free-running reference): qA + (t - tA) * fps * (1 + freq) / 1000.
  // C (the clock): cA + the same, plus a pending correction #pend slewed in at #slewRate.
  // (freq, #pend and #slewRate are planned by the steering's control steps.)
  #tA = 0;
  #qA = 0;
  #cA = 0;
  /** `1 + freq`: the rate factor of Q and C (recomputed when the frequency changes). */
  #rate = 1;
  #pend = 0;
  #slewRate = 0;

  /** Fractional simulation position (tick ≤ pos ≤ clock) used to bound the catch-up rate. */
  #pos = 0;
  #lastAdvanceAt = 0;
  /** {@link ClockStats.ticksRun} (counted on the clock itself: it moves on almost every advance). */
  #ticksRun = 0;

  // The reference link's offset as the network's tick reads it, refreshed by #followRef after
  // anything that changes the reference, the links or a sample: `true` and its `u` when the
  // reference is a link with samples.
  #refKnown = false;
  #refU = Number.NaN;

  readonly #links = new Map<string, LinkState>();
  readonly #figures = new LinkFiguresCache(); // per-link figures, shared by estimates while unchanged
  readonly #guard: MinorityGuard;
  /** Whom this clock follows and how it steers toward it. */
  readonly #s: Steering;
  readonly #stats = {
    syncsSent: 0,
    syncsReceived: 0,
    samplesAccepted: 0,
    samplesFiltered: 0,
    adoptions: 0,
    referenceChanges: 0,
    steps: 0,
    rejected: 0,
    ticksRun: 0, // (counted in #ticksRun: the key keeps its place in the snapshot)
    witnessed: 0,
  };

  /**
   * @param options `fps` and optional tuning (see {@link ClockOptions}).
   * @throws {@link ClockError} `BAD_OPTIONS`
   */
  constructor(options: ClockOptions) {
    this.#o = resolveClockOptions(options);
    this.#adoptTicks = (this.#o.adoptThresholdMs * this.#o.fps) / 1000;
    this.#fps = this.#o.fps;
    this.#catchUpRate = this.#o.catchUpRate;
    this.#maxTicksPerAdvance = this.#o.maxTicksPerAdvance;
    this.#syncBurst = this.#o.syncBurst;
    this.#burstGapMs = Math.min(this.#o.syncBurstIntervalMs, this.#o.syncIntervalMs);
    this.#syncGapMs = this.#o.syncIntervalMs;
    const ticks = (ms: number): number => (ms * this.#o.fps) / 1000;
    this.#guard = new MinorityGuard(
      this.#o.fps,
      ticks(this.#o.corroborationMs),
      ticks(this.#o.lieThresholdMs),
      this.#adoptTicks,
      this.#o.establishAfterMs,
      { clockAt: (t) => this.#clockAt(t), refAt: (t) => this.#refAt(t), links: this.#links },
      this.#o.freshWaitMs,
      ticks(this.#o.witnessSlackMs),
    );
    this.#s = new Steering(this.#o, this.#links, this.#guard, this.#stats, (by) => this.#jump(by));
  }

  /** The resolved options (defaults filled in). */
  get options(): ResolvedClockOptions {
    return this.#o;
  }

  /** Whole ticks completed locally (the sum of everything {@link advance} returned, plus {@link fastForward}). Never decreases. */
  get tick(): number {
    return this.#tick;
  }

  /** `true` once {@link advance} has been called. */
  get started(): boolean {
    return this.#started;
  }

  /** Current frequency correction in ppm (what the clock learned about its oscillator's drift, sign inverted). */
  get frequencyPpm(): number {
    return this.#s.frequency * 1e6;
  }

  /** A snapshot of the counters. */
  get stats(): ClockStats {
    const { uncorroborated, lies } = this.#guard;
    return { ...this.#stats, ticksRun: this.#ticksRun, uncorroborated, lies };
  }

  /** `true` once the clock agreed with a network for `establishAfterMs` (the minority guard applies). */
  get established(): boolean {
    return this.#guard.established;
  }

  /** May it become established (default `true`; `false` unestablishes it): not before its runtime met the room. */
  setEstablishable(establishable: boolean): void {
    this.#guard.establishable = establishable;
    if (!establishable) this.#guard.agreed(Number.NaN);
  }

  /**
   * Whether neighbour `link` speaks for the room (default `true`; `false`: as new as this clock;
   * `undefined`: not known yet, waited for): what a clock not established weighs a far lead against
   * (see `freshWaitMs`); with `nowMs`, leads that waited are weighed again at once.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  setVoice(link: string, voice: boolean | undefined, nowMs?: number): void {
    this.#guard.setVoice(link, voice);
    if (nowMs !== undefined && this.#seen && this.#guard.waiting().length > 0)
      this.#retake(this.#guard.waiting(), this.#time(nowMs));
  }

  /**
   * Evidence that the clock of `origin` was at least `tick` at local time `nowMs` (a validly
   * signed event's tick, lowered by the largest stamping delay, `witnessSlackMs`): corroborates
   * leads of neighbours other than `origin` (the link id when the author is that neighbour); a
   * clock not established it shows left behind weighs its last SYNCs again. Bad ticks are ignored.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  witness(origin: string, tick: number, nowMs: number): void {
    const now = this.#time(nowMs);
    if (typeof origin !== 'string' || tickProblem(tick, false) !== undefined) return;
    this.#stats.witnessed++;
    this.#guard.witness(origin, tick, now);
    if (this.#seen && !this.#guard.established && this.#guard.stale(this.#clockAt(now), now, ''))
      this.#retake([...this.#links.keys()], now);
  }

  /** Weigh again the last SYNC of each of `links`, extrapolated to `now` (see {@link #takeLower}). */
  #retake(links: readonly string[], now: number): void {
    this.#reanchor(now);
    for (const [id, rx] of links.map((l) => [l, this.#links.get(l)?.lastRx] as const))
      if (rx !== undefined) this.#takeLower(id, rx.tick + ((now - rx.at) * this.#fps) / 1000, now);
    this.#followRef();
  }

  /**
   * Called every frame with the local monotonic time; returns how many ticks to simulate now
   * (≥ 0) and advances {@link tick} by that. Behind the clock (after adopting the network's time)
   * the simulation runs at most `catchUpRate` times nominal and at most `maxTicksPerAdvance` per
   * call, never skipping a tick; ahead, it waits (returns 0), never going back. At the nominal
   * rate the count is exact: `tick === floor((now - start) * fps / 1000 + STEP_PHASE)`: the clock
   * starts at {@link STEP_PHASE} (half a tick), so frames stepped at the start time plus whole
   * frames fall mid-tick. The first call starts the clock (before it, the clock stands still).
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  advance(nowMs: number): number {
    const now = this.#time(nowMs);
    this.#touch(now);
    if (!this.#started) {
      this.#reanchor(now);
      this.#started = true;
      this.#lastAdvanceAt = now;
      this.#pos = Math.max(this.#pos, this.#tick);
    }
    const clock = this.#clockAt(now);
    const elapsed = now - this.#lastAdvanceAt;
    this.#lastAdvanceAt = now;
    const reach = this.#pos + (elapsed * this.#fps * this.#catchUpRate) / 1000;
    let pos = Math.max(this.#tick, Math.min(clock, reach));
    let n = Math.floor(pos + FLOOR_EPSILON) - this.#tick;
    if (n <= 0) {
      this.#pos = pos;
      return 0;
    }
    if (n > this.#maxTicksPerAdvance) {
      n = this.#maxTicksPerAdvance;
      pos = this.#tick + n;
    }
    this.#pos = pos;
    this.#tick += n;
    this.#ticksRun += n;
    return n;
  }

  /**
   * This clock's (fractional) tick at `nowMs`: its current idea of the network's time, continuous
   * and increasing. The simulation ({@link tick}) follows it from below.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  clockTick(nowMs: number): number {
    const now = this.#time(nowMs);
    return this.#seen ? this.#clockAt(now) : 0;
  }

  /**
   * The SYNC to send to neighbour `link` now: this clock's time and tick, and an echo of that
   * link's last SYNC when there is one. Call it when a SYNC is actually sent (it records the send
   * so that echoes can be checked); {@link syncDue} says when one is due.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`, `BAD_LINK`
   */
  syncFor(link: string, nowMs: number): SyncMessage {
    this.#must(linkProblem(link));
    const now = this.#time(nowMs);
    this.#touch(now);
    const l = this.#link(link);
    l.firstSentAt ??= now;
    l.lastSentAt = now;
    l.sent++;
    l.dueAt = now + (l.sent < this.#syncBurst ? this.#burstGapMs : this.#syncGapMs); // syncDueTime(l)
    this.#stats.syncsSent++;
    const msg: SyncMessage = { time: now, tick: this.#clockAt(now) };
    if (l.lastRx !== undefined) msg.echo = { time: l.lastRx.time, holdMs: now - l.lastRx.at };
    return msg;
  }

  /**
   * `true` when a SYNC to `link` is due: none was produced yet, or the last one is
   * `syncIntervalMs` old (`syncBurstIntervalMs` while the link is within its first `syncBurst`
   * SYNCs). The one schedule of SYNCs: a runtime sends {@link syncFor} whenever this says so.
   * @throws {@link ClockError} `BAD_LINK`, `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  syncDue(link: string, nowMs: number): boolean {
    this.#must(linkProblem(link));
    const now = this.#time(nowMs);
    return now >= (this.#links.get(link)?.dueAt ?? Number.NEGATIVE_INFINITY);
  }

  /** When {@link syncDue} turns `true` for `link` (`-Infinity`: now); {@link syncFor} moves it. */
  syncDueAt(link: string): number {
    return this.#links.get(link)?.dueAt ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * A SYNC received from neighbour `link` at local time `nowMs`. Invalid input (not the
   * documented shape, non-finite or negative numbers, an echo this clock cannot have caused)
   * throws a {@link ClockError} and changes nothing but {@link ClockStats.rejected}; the runtime
   * may close the link.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`, `BAD_LINK`, `BAD_MESSAGE`, `BAD_ECHO`,
   *   `CLOCK_LIE` (an established clock, a claim far ahead that nobody corroborates)
   */
  onSync(link: string, msg: SyncMessage, nowMs: number): void {
    this.#must(linkProblem(link));
    const now = this.#time(nowMs);
    const known = this.#links.get(link);
    // The round trip an echo measures (ms), `undefined` without an echo, or the problem.
    const rtt = checkSync(msg, known?.firstSentAt, now);
    if (typeof rtt === 'object') this.#reject(rtt[0], rtt[1]);
    const lead = this.#seen ? msg.tick - this.#clockAt(now) : 0;
    if (this.#guard.isLie(link, msg.tick, lead, now))
      this.#reject(
        'CLOCK_LIE',
        `SYNC claims tick ${msg.tick}, ${Math.round(lead)} ticks ahead; nobody agrees`,
      );
    this.#touch(now);
    const l = known ?? this.#link(link);
    recordRx(l, msg.time, msg.tick, now);
    this.#guard.heard(link, lead, now, l);
    this.#stats.syncsReceived++;
    this.#reanchor(now);
    this.#takeLower(link, msg.tick, now);
    if (rtt !== undefined && this.#s.sample(l, msg.tick, rtt, this.#refAt(now))) this.#control(now, true);
    this.#followRef();
  }

  /**
   * `true` when {@link onSync} would refuse `link`'s claim of `tick` at `nowMs` (a snapshot's
   * tick, say) as a `CLOCK_LIE`. Read-only. @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  refutes(link: string, tick: number, nowMs: number): boolean {
    const now = this.#time(nowMs);
    return this.#seen && this.#guard.refutes(link, tick, tick - this.#clockAt(now), now);
  }

  /** The neighbour link closed: forget everything about it. Unknown links are ignored. */
  dropLink(link: string): void {
    this.#guard.forget(link);
    if (!this.#links.delete(link) || !this.#seen) return;
    this.#reanchor(this.#lastNow);
    this.#control(this.#lastNow, false);
    this.#followRef();
  }

  /**
   * Adopt the network's time when (re)joining (e.g. the tick of a snapshot received from a
   * neighbour): the clock jumps forward to `networkTick` if it is behind it (never backward); the
   * simulation still catches up tick by tick ({@link advance} returns the bounded catch-up count).
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`, `BAD_TICK`
   */
  adopt(networkTick: number, nowMs: number): void {
    this.#must(tickProblem(networkTick, false));
    const now = this.#time(nowMs);
    this.#touch(now);
    this.#reanchor(now);
    if (networkTick > this.#cA) this.#jump(networkTick - this.#cA);
  }

  /**
   * The simulation state was replaced by one at tick `tick` (a snapshot loaded on join): move
   * {@link Clock.tick} forward to it without simulating (the only way `tick` moves other than
   * {@link Clock.advance}; it never moves backward: smaller values are ignored). A clock behind
   * `tick` adopts `tick + STEP_PHASE`, where a clock stepping at that tick stands.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`, `BAD_TICK`
   */
  fastForward(tick: number, nowMs: number): void {
    this.#must(tickProblem(tick, true));
    const now = this.#time(nowMs);
    // Behind the state's tick: stand where a clock stepping at that tick does (mid-tick).
    this.adopt(tick > this.clockTick(now) ? tick + STEP_PHASE : tick, now);
    if (tick > this.#tick) {
      this.#tick = tick;
      this.#pos = Math.max(this.#pos, tick);
    }
  }

  /**
   * Estimate of the network's (fractional) tick at `nowMs` and its uncertainty in ticks, plus
   * per-link RTT, one-way latency and offset estimates, so the runtime can choose Δ. Read-only.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  estimate(nowMs: number): ClockEstimate {
    const now = this.#time(nowMs);
    return networkEstimate({
      clock: this.#seen ? this.#clockAt(now) : 0,
      q: this.#seen ? this.#refAt(now) : 0,
      tick: this.#tick,
      links: this.#links,
      figures: this.#figures,
      parent: this.#s.parent,
      adoptTicks: this.#adoptTicks,
      smoothing: this.#o.smoothing,
      floorEpsilon: FLOOR_EPSILON,
    });
  }

  /**
   * {@link estimate}'s `networkTick` alone (the same number), without building the estimate.
   * @throws {@link ClockError} `BAD_TIME`, `TIME_WENT_BACKWARDS`
   */
  networkTick(nowMs: number): number {
    const now = this.#time(nowMs);
    // Unseen, no link is followed: 0. Else the clock plus the reference's offset (see
    // referenceOffset), with the run since the anchors computed once for the clock and Q.
    if (!this.#seen) return 0;
    const dt = now - this.#tA;
    const run = (dt * this.#fps * this.#rate) / 1000;
    const clock = this.#started ? this.#clockFrom(dt, run) : this.#cA;
    return this.#refKnown ? clock + (this.#refU + (this.#qA + run) - clock) : clock;
  }

  /** The state of the followed link and its offset for {@link networkTick}, after the reference, a link or a sample changed. */
  #followRef(): void {
    const parent = this.#s.parent;
    const ref = parent === undefined ? undefined : this.#links.get(parent);
    this.#refKnown = ref !== undefined && ref.samples > 0;
    this.#refU = ref !== undefined && ref.samples > 0 ? ref.u : Number.NaN;
  }

  #refAt(t: number): number {
    return this.#qA + ((t - this.#tA) * this.#fps * this.#rate) / 1000;
  }

  #clockAt(t: number): number {
    if (!this.#started) return this.#cA;
    const dt = t - this.#tA;
    return this.#clockFrom(dt, (dt * this.#fps * this.#rate) / 1000);
  }

  /** The clock `dt` ms after the anchors, `run` being Q's run over `dt` (started clocks only). */
  #clockFrom(dt: number, run: number): number {
    let c = this.#cA + run;
    const pend = this.#pend;
    if (pend !== 0) {
      const applied = Math.min(Math.abs(pend), dt * this.#slewRate);
      c += pend > 0 ? applied : -applied;
    }
    return c;
  }

  /** Move the anchors to `t` (consuming the part of the pending correction slewed in so far). */
  #reanchor(t: number): void {
    const c = this.#clockAt(t);
    const q = this.#refAt(t);
    if (this.#started && this.#pend !== 0) {
      const applied = Math.min(Math.abs(this.#pend), (t - this.#tA) * this.#slewRate);
      this.#pend += this.#pend > 0 ? -applied : applied;
    }
    this.#cA = c;
    this.#qA = q;
    this.#tA = t;
  }

  /** `link`'s clock is at least `tick` at `t` (anchors at `t`): jump to it, as far as the guard allows. */
  #takeLower(link: string, tick: number, t: number): void {
    const lower = tick - this.#cA;
    if (lower > this.#adoptTicks && this.#guard.mayJump(link, lower, t)) {
      this.#jump(lower);
      this.#s.follow(link);
    }
  }

  /** Jump the clock forward by `by` ticks (anchors must be at the current time). */
  #jump(by: number): void {
    this.#cA += by;
    this.#pend = 0;
    this.#slewRate = 0;
    this.#stats.adoptions++;
  }

  /** A control step of the steering at `t` (anchors must be at `t`; see {@link Steering.control}). */
  #control(t: number, integrate: boolean): void {
    const plan = this.#s.control(t, integrate, this.#qA - this.#cA);
    this.#pend = plan.pend;
    this.#slewRate = plan.slewRate;
    this.#rate = plan.rate;
  }

  #link(id: string): LinkState {
    let l = this.#links.get(id);
    if (l === undefined) {
      l = newLinkState(id);
      this.#links.set(id, l);
    }
    return l;
  }

  #touch(now: number): void {
    if (!this.#seen) {
      this.#seen = true;
      this.#tA = now;
      this.#cA = STEP_PHASE;
      this.#qA = STEP_PHASE;
    }
    if (now > this.#lastNow) this.#lastNow = now;
  }

  #reject(code: ClockError['code'], message: string): never {
    this.#stats.rejected++;
    throw new ClockError(code, message);
  }
  /** Validate a `nowMs` argument and return the time to use (see {@link checkTime}). */
  #time(now: number): number {
    if (Number.isFinite(now) && now >= this.#lastNow) return now; // (what checkTime returns then)
    const checked = checkTime(now, this.#lastNow);
    return typeof checked === 'number' ? checked : this.#reject(checked[0], checked[1]);
  }
  #must(problem: Problem | undefined): void {
    if (problem !== undefined) this.#reject(problem[0], problem[1]);
  }
}
