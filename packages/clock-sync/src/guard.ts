/**
 * The minority guard of a clock: what one neighbour, or a few colluding ones, may make an
 * established clock do.
 *
 * The agreement follows the most advanced clock, so one neighbour claiming a clock far ahead
 * would drag everyone with it. Once the clock agrees with a network (established, after
 * `establishAfterMs`), a claim more than `corroborationTicks` ahead counts only when enough other
 * origins come near it: of the `n` other neighbours heard (not suspect), at least
 * `max(1, ceil(n / 2))` other origins, so that with the claimant they are a majority of the
 * neighbours heard. An origin is another neighbour whose clock is within the tolerance of the
 * claim, or one whose validly signed event tick was witnessed within `corroborationTicks` of it
 * ({@link MinorityGuard.witness}, fed by the runtime, lowered by the largest stamping delay); a
 * neighbour's clock and its own events are one origin. Forward jumps nobody corroborates draw on
 * a budget of `corroborationTicks` that refills at `corroborationTicks` per
 * {@link BUDGET_REFILL_MS}: `k` colluders among `n + 1` neighbours heard, `k - 1 < ceil(n / 2)`,
 * push the clock ahead by at most that much a minute, and by slewing at most `maxSlew` times
 * nominal toward a lead within `corroborationTicks`. A clock not yet established follows its
 * neighbours' word (its first time is the first neighbour's).
 * @internal
 */
import { type LinkState, type NeighbourClock, neighbourClocks } from './link-state.js';

/** The uncorroborated jump budget refills by `corroborationTicks` over this many ms. @internal */
export const BUDGET_REFILL_MS = 60_000;

/** Witnessed origins kept (the most advanced ones). @internal */
export const MAX_WITNESSES = 64;

/** How long (ms) a link whose lead was refused corroborates nobody else's. @internal */
export const SUSPECT_MS = 60_000;

/** What the guard reads of its clock. @internal */
export interface GuardedClock {
  /** The clock's (fractional) tick at local time `t`. */
  clockAt(t: number): number;
  /** The clock's free-running reference at `t` (what link estimates are kept against). */
  refAt(t: number): number;
  /** Its neighbours' link states. */
  readonly links: ReadonlyMap<string, LinkState>;
}

/** Witnessed evidence older than this (ms) is forgotten. @internal */
export const WITNESS_TTL_MS = 60_000;

/** Corroboration, the uncorroborated-jump budget and the lie test. @internal */
export class MinorityGuard {
  /** `true` once the clock agreed with a network (with measured neighbours) for `establishAfterMs`. */
  established = false;
  /** Leads not followed and jumps not made because nobody corroborated them. */
  uncorroborated = 0;
  /** Claims refused as lies. */
  lies = 0;
  #agreedSince: number | undefined;
  #budget: number;
  #budgetAt: number | undefined;
  /**
   * Until when (local ms) a link corroborates nobody: it claimed a lead nobody else came near (a
   * liar's claim must not vouch for an honest clock that copied it).
   */
  readonly #suspectUntil = new Map<string, number>();
  /** Per origin: the largest tick witnessed, as (tick, local time). */
  readonly #witnessed = new Map<string, { tick: number; at: number }>();

  constructor(
    private readonly fps: number,
    /** How far ahead (ticks) one neighbour is believed without corroboration. */
    readonly corroborationTicks: number,
    /** A lead (ticks) beyond this that nobody corroborates is a lie. */
    readonly lieTicks: number,
    /** A jump is corroborated by another neighbour within this many ticks of it (the adoption threshold). */
    private readonly jumpTolerance: number,
    /** The clock is established after agreeing with a network this long (ms). */
    private readonly establishAfterMs: number,
    private readonly clock: GuardedClock,
  ) {
    this.#budget = corroborationTicks;
  }

  /**
   * Whether agreeing with a network may establish the clock: `false` while the runtime has not
   * met the room's time (its neighbours may all be as new as it), which also unestablishes it.
   */
  establishable = true;

  /** The clock agrees with a network at `t` (it measured a neighbour and is not joining). */
  agreed(t: number): void {
    if (!this.establishable) {
      this.#agreedSince = undefined;
      this.established = false;
      return;
    }
    this.#agreedSince ??= t;
    if (t - this.#agreedSince >= this.establishAfterMs) this.established = true;
  }

  /** Evidence that `origin`'s clock was at least `tick` at local time `now`. */
  witness(origin: string, tick: number, now: number): void {
    const w = this.#witnessed.get(origin);
    if (w !== undefined) {
      if (this.#at(w, now) < tick) {
        w.tick = tick;
        w.at = now;
      }
      return;
    }
    if (this.#witnessed.size >= MAX_WITNESSES) this.#evict(now);
    if (this.#witnessed.size < MAX_WITNESSES) this.#witnessed.set(origin, { tick, at: now });
  }

  /** Number of origins with witnessed evidence. */
  get witnesses(): number {
    return this.#witnessed.size;
  }

  /**
   * `true` when a claim that the network's clock is at `claim` at local time `t`, made by
   * `claimant`, is corroborated: the claimant is the only neighbour heard (`otherLinks`, the
   * most advanced clock among the other neighbours, suspect ones included, is `NaN`) and once
   * claimed a tick within `corroborationTicks` of this clock (`LinkState.agreed`), or at
   * least `max(1, ceil(n / 2))` other origins come near it, `n` being the other neighbours heard
   * and not suspect (a suspect neighbour is heard but backs nobody): a neighbour whose
   * clock is within `linkTolerance` ticks of the claim, or a witness of another origin within
   * `corroborationTicks` (a witness is a lower bound of a clock that is not ours, so it never
   * vouches for more than that clock's own time: no ratchet). A neighbour and its own events are
   * one origin.
   */
  corroborated(
    claimant: string,
    claim: number,
    t: number,
    otherLinks: number,
    linkTolerance: number,
  ): boolean {
    // The claimant is the only neighbour heard and kept this clock's time before: it is this
    // clock's whole view of the network. One that never did (a link that opened with a lead) is
    // no such view: a liar left alone with an established clock would set its time.
    if (Number.isNaN(otherLinks) && this.clock.links.get(claimant)?.agreed === true) return true;
    let others = 0;
    const support = new Set<string>();
    for (const n of this.#all(t)) {
      if (n.id === claimant || Number.isNaN(n.at) || this.suspect(n.id, t)) continue;
      others++;
      if (n.at >= claim - linkTolerance) support.add(n.id);
    }
    const needed = Math.max(1, Math.ceil(others / 2));
    if (support.size >= needed) return true;
    const floor = claim - this.corroborationTicks;
    for (const [origin, w] of this.#witnessed) {
      if (origin === claimant || support.has(origin)) continue;
      if (t - w.at > WITNESS_TTL_MS) {
        this.#witnessed.delete(origin);
        continue;
      }
      if (this.#at(w, t) >= floor) {
        support.add(origin);
        if (support.size >= needed) return true;
      }
    }
    return false;
  }

  /**
   * A claim `claim` (a clock `lead` ticks ahead of ours at `t`) that nothing else comes near is a
   * lie once the clock is established and the lead exceeds `lieTicks`. Counts it.
   */
  isLie(claimant: string, claim: number, lead: number, t: number, otherLinks: number): boolean {
    if (!this.established || lead <= this.lieTicks) return false;
    if (this.corroborated(claimant, claim, t, otherLinks, this.corroborationTicks)) return false;
    this.lies++;
    return true;
  }

  /**
   * May the clock follow `claimant`, `lead` ticks ahead of it at `t`? Always until established,
   * and for leads within `corroborationTicks`; beyond, only when corroborated within
   * `corroborationTicks`. A refusal makes the claimant suspect.
   */
  mayFollow(claimant: string, lead: number, t: number): boolean {
    if (!this.established || lead <= this.corroborationTicks) return true;
    const claim = this.clock.clockAt(t) + lead;
    if (this.corroborated(claimant, claim, t, this.#othersAt(claimant, t), this.corroborationTicks))
      return true;
    return this.#refused(claimant, t);
  }

  /**
   * May the clock jump `by` ticks forward at `t` on the word of `claimant`? Always until
   * established; then when corroborated (other neighbours within the adoption
   * threshold of that time, or witnesses of other origins within `corroborationTicks`), else
   * from the budget. A refusal makes the claimant suspect.
   */
  mayJump(claimant: string, by: number, t: number): boolean {
    if (!this.established) return true;
    const claim = this.clock.clockAt(t) + by;
    if (this.corroborated(claimant, claim, t, this.#othersAt(claimant, t), this.jumpTolerance)) return true;
    if (this.spend(by, t)) return true;
    return this.#refused(claimant, t);
  }

  /** `true` while `link` corroborates nobody (its lead was refused within {@link SUSPECT_MS}). */
  suspect(link: string, t: number): boolean {
    return (this.#suspectUntil.get(link) ?? Number.NEGATIVE_INFINITY) > t;
  }

  /** The link closed: forget it. */
  forget(link: string): void {
    this.#suspectUntil.delete(link);
  }

  /** Every neighbour's clock at `t` as far as known (`at` is `NaN` for one not heard yet). */
  #all(t: number): NeighbourClock[] {
    return neighbourClocks(this.clock.links, t, this.clock.refAt(t), this.fps);
  }

  /**
   * The most advanced clock at `t` among neighbours other than `claimant`, suspect ones included
   * (they corroborate nobody, but they are heard: beside one, the claimant is not this clock's
   * whole view of the network); `NaN` when none is heard.
   */
  #othersAt(claimant: string, t: number): number {
    let others = Number.NaN;
    for (const n of this.#all(t)) {
      if (n.id === claimant) continue;
      if (!Number.isNaN(n.at) && !(n.at <= others)) others = n.at;
    }
    return others;
  }

  #refused(claimant: string, t: number): false {
    this.uncorroborated++;
    this.#suspectUntil.set(claimant, t + SUSPECT_MS);
    return false;
  }

  /**
   * An uncorroborated forward jump of `by` ticks at local time `t`: `true` (and the budget spent)
   * when the budget covers it.
   */
  spend(by: number, t: number): boolean {
    if (this.#budgetAt !== undefined) {
      const refill = ((t - this.#budgetAt) * this.corroborationTicks) / BUDGET_REFILL_MS;
      this.#budget = Math.min(this.corroborationTicks, this.#budget + Math.max(0, refill));
    }
    this.#budgetAt = t;
    if (by > this.#budget) return false;
    this.#budget -= by;
    return true;
  }

  /** Witnessed tick of `w` extrapolated to local time `t` (clocks run on). */
  #at(w: { tick: number; at: number }, t: number): number {
    return w.tick + ((t - w.at) * this.fps) / 1000;
  }

  /** Make room: forget the stale witnesses, else the least advanced one. */
  #evict(now: number): void {
    let low: string | undefined;
    let lowTick = Number.POSITIVE_INFINITY;
    for (const [origin, w] of this.#witnessed) {
      if (now - w.at > WITNESS_TTL_MS) {
        this.#witnessed.delete(origin);
        continue;
      }
      const at = this.#at(w, now);
      if (at < lowTick) {
        lowTick = at;
        low = origin;
      }
    }
    if (this.#witnessed.size >= MAX_WITNESSES && low !== undefined) this.#witnessed.delete(low);
  }
}
