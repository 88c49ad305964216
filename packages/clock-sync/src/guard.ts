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
 * nominal toward a lead within `corroborationTicks`. The one neighbour heard is the clock's whole
 * view only with evidence: a lead beyond `corroborationTicks` it claims is followed when a witness
 * of another origin comes within `witnessSlackTicks + corroborationTicks` of it, else it draws on
 * the budget.
 *
 * A clock not established (a joiner) follows a lead within `lieTicks` as before; a lead beyond
 * only when another neighbour that speaks for the room (a voice, see
 * {@link MinorityGuard.setVoice}) or a witness of another origin corroborates it. With other
 * voices not heard yet it waits up to `freshWaitMs` for them; a lead every other voice heard
 * contradicts is not taken. The one voice heard after the wait sets the time of a clock not
 * anchored (an eclipsed joiner trusts its only neighbour). A corroborated claim anchors the clock
 * (see {@link MinorityGuard.anchored}): from then on a lead beyond `lieTicks` every other voice
 * contradicts is a lie, and a lone voice's such lead needs evidence. Neighbours that do not speak
 * for the room (as new as this clock) steer it only while no voice is linked.
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
  /** Links the runtime said do not speak for the room, or not yet known to (see {@link setVoice}). */
  readonly #voice = new Map<string, 'mute' | 'unknown'>();
  /** Per link: since when (local ms) its lead waits for a second voice. */
  readonly #waiting = new Map<string, number>();
  /**
   * `true` once a voice's claim this clock followed was corroborated by another origin (or the
   * clock was established): it keeps the room's time, so a lead beyond `lieTicks` that every
   * other voice contradicts is a lie.
   */
  anchored = false;

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
    /** How long (ms) a clock not established waits for a second neighbour to corroborate a lead. */
    private readonly freshWaitMs = 1000,
    /** How far (ticks) below its event's tick a witnessed tick may be (the largest stamping delay). */
    private readonly witnessSlackTicks = 0,
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
    if (t - this.#agreedSince >= this.establishAfterMs) this.established = this.anchored = true;
  }

  /**
   * Whether `link` speaks for the room (default `true`): a clock not established counts only such
   * neighbours, while it has any, as corroborating or contradicting a lead, and follows no other.
   */
  setVoice(link: string, voice: boolean | undefined): void {
    if (voice === true) this.#voice.delete(link);
    else this.#voice.set(link, voice === false ? 'mute' : 'unknown');
  }

  /**
   * A SYNC of `link` (its state recorded) claimed a clock `lead` ticks ahead of this one at `t`:
   * within `corroborationTicks`, the neighbour kept this clock's time (`LinkState.agreed`), and
   * when another voice or a witness of another origin keeps it too, the clock is anchored.
   * `state` is the link's state (`links.get(link)`, given by the clock, which holds it).
   */
  heard(link: string, lead: number, t: number, state: LinkState | undefined): void {
    if (Math.abs(lead) > this.corroborationTicks) return;
    if (state !== undefined) state.agreed = true;
    if (!this.anchored && this.#fresh(link, this.clock.clockAt(t) + lead, t) === 'corroborated')
      this.anchored = true;
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

  /** Links whose far lead waits for the other neighbours (see `freshWaitMs`). */
  waiting(): string[] {
    return [...this.#waiting.keys()];
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
    lie = false,
  ): boolean {
    // The claimant is the only neighbour heard and kept this clock's time before: it is this
    // clock's whole view of the network. One that never did (a link that opened with a lead) is
    // no such view: a liar left alone with an established clock would set its time.
    // Even then its lead is taken only as far as signed events of other origins show (an honest
    // neighbour relays them; a liar left alone cannot forge them), for a lie test not at all.
    if (
      Number.isNaN(otherLinks) &&
      this.clock.links.get(claimant)?.agreed === true &&
      (lie || this.#evidenced(claimant, claim, t))
    )
      return true;
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
   * lie when the lead exceeds `lieTicks` and the clock is established, or anchored and every other
   * voice heard contradicts it. Counts it.
   */
  isLie(claimant: string, claim: number, lead: number, t: number): boolean {
    if (!this.refutes(claimant, claim, lead, t)) return false;
    this.lies++;
    return true;
  }

  /**
   * `true` when the claim of `claimant` that the room's clock is at `claim` (a clock `lead` ticks
   * ahead of ours) at `t` would be a lie ({@link isLie}), without counting it.
   */
  refutes(claimant: string, claim: number, lead: number, t: number): boolean {
    if (lead <= this.lieTicks) return false;
    if (!this.established) return this.anchored && this.#fresh(claimant, claim, t) === 'contradicted';
    return !this.corroborated(claimant, claim, t, this.#othersAt(claimant, t), this.corroborationTicks, true);
  }

  /**
   * May the clock follow `claimant`, `lead` ticks ahead of it at `t`? Always for leads within
   * `corroborationTicks`; beyond, until established as {@link MinorityGuard} says of a clock not
   * established, then only when corroborated within `corroborationTicks`. A refusal makes the
   * claimant suspect.
   */
  mayFollow(claimant: string, lead: number, t: number): boolean {
    if (lead <= this.corroborationTicks) return true;
    const claim = this.clock.clockAt(t) + lead;
    if (!this.established) return this.#freshMay(claimant, claim, lead, t);
    if (this.corroborated(claimant, claim, t, this.#othersAt(claimant, t), this.corroborationTicks))
      return true;
    return this.#refused(claimant, t);
  }

  /**
   * May the clock jump `by` ticks forward at `t` on the word of `claimant`? Until established,
   * as {@link MinorityGuard} says of a clock not established; then when corroborated (other
   * neighbours within the adoption
   * threshold of that time, or witnesses of other origins within `corroborationTicks`), else
   * from the budget. A refusal makes the claimant suspect.
   */
  mayJump(claimant: string, by: number, t: number): boolean {
    const claim = this.clock.clockAt(t) + by;
    if (!this.established) return this.#freshMay(claimant, claim, by, t);
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
    this.#voice.delete(link);
    this.#waiting.delete(link);
  }

  /**
   * What a clock not established makes of `claimant`'s claim that the room's clock is at `claim`
   * at `t`. Voices are the neighbours that speak for the room (see {@link setVoice}); suspect
   * neighbours count for nothing, and neighbours that do not speak for the room only while no
   * voice is linked. `'corroborated'`: another voice comes within `corroborationTicks` of the
   * claim or is ahead, or a witness of another origin does. `'unvoiced'`: no voice is linked (the
   * claim is followed as any lead of a joiner), or a neighbour not known yet to speak for the room
   * backs it (followed, anchoring nothing). `'waiting'`: other neighbours are not heard, or not
   * known, yet (the claimant too), and `claimant` has waited less than `freshWaitMs`. Then
   * `'contradicted'`: the claimant is no voice, or another voice heard is further behind; else
   * `'alone'`.
   */
  #fresh(
    claimant: string,
    claim: number,
    t: number,
  ): 'unvoiced' | 'corroborated' | 'contradicted' | 'waiting' | 'alone' {
    let voices = false;
    for (const id of this.clock.links.keys()) if (!this.#voice.has(id)) voices = true;
    const own = this.#voice.get(claimant);
    if (own === 'mute' && voices) return 'contradicted';
    let behind = 0;
    // A claimant not known yet to speak for the room is waited for, like the others.
    let pending = own === 'unknown' && voices;
    let backed = false;
    for (const n of this.#all(t)) {
      if (n.id === claimant || this.suspect(n.id, t)) continue;
      const state = this.#voice.get(n.id);
      if (state === 'mute' && voices) continue;
      if (Number.isNaN(n.at)) pending = true;
      else if (n.at >= claim - this.corroborationTicks) {
        // A neighbour not known yet to speak for the room backs a claim, but anchors nothing.
        if (state !== 'unknown') return voices ? 'corroborated' : 'unvoiced';
        backed = true;
      } else if (state === 'unknown') pending = true;
      else if (!this.stale(n.at, t, claimant, n.id)) behind++;
    }
    if (voices && this.#evidenced(claimant, claim, t)) return 'corroborated';
    if (backed) return 'unvoiced';
    // Neighbours not heard yet, or not known yet to speak for the room, may: wait for them.
    if (pending && t - (this.#waiting.get(claimant) ?? t) < this.freshWaitMs) return 'waiting';
    if (!voices) return 'unvoiced';
    return behind > 0 || own !== undefined ? 'contradicted' : 'alone';
  }

  /**
   * May a clock not established follow `claimant`'s claim `claim`, `lead` ticks ahead at `t`?
   * A corroborated claim anchors the clock. A lead within `lieTicks` is followed (a joiner takes
   * its neighbours' time); beyond, when corroborated, unvoiced, or alone while not anchored (an
   * eclipsed joiner trusts its only neighbour) or with evidence. An anchored clock's refusal of
   * a contradicted claim makes the claimant suspect.
   */
  #freshMay(claimant: string, claim: number, lead: number, t: number): boolean {
    const verdict = this.#fresh(claimant, claim, t);
    if (verdict === 'corroborated') this.anchored = true;
    if (verdict === 'waiting' && lead > this.lieTicks) {
      if (!this.#waiting.has(claimant)) this.#waiting.set(claimant, t);
      return this.#notTaken();
    }
    this.#waiting.delete(claimant);
    if (verdict === 'corroborated' || verdict === 'unvoiced' || lead <= this.lieTicks) return true;
    if (
      verdict === 'alone' &&
      (!this.anchored ||
        this.#evidenced(claimant, claim, t) ||
        this.stale(this.clock.clockAt(t), t, claimant))
    )
      return true;
    if (verdict === 'contradicted' && this.anchored) return this.#refused(claimant, t);
    return this.#notTaken();
  }

  #notTaken(): false {
    this.uncorroborated++;
    return false;
  }

  /**
   * `true` when a witness of an origin other than `claimant`, raised back by the stamping slack,
   * comes within `corroborationTicks` of `claim` at `t`: a validly signed event shows the room's
   * clock near that time.
   */
  #evidenced(claimant: string, claim: number, t: number): boolean {
    const floor = claim - this.corroborationTicks - this.witnessSlackTicks;
    for (const [origin, w] of this.#witnessed)
      if (origin !== claimant && t - w.at <= WITNESS_TTL_MS && this.#at(w, t) >= floor) return true;
    return false;
  }

  /**
   * `true` when a witness of an origin other than `claimant` and `voice` shows the room's clock
   * more than `lieTicks` beyond `at` at `t`: a clock at `at` (a neighbour's, or this one's) keeps
   * a timeline signed events of others have left behind (a group of new peers that started its
   * own), so it contradicts nobody and anchors nothing. Only signed events move this, and an
   * origin's own events never vouch against another: a liar cannot make an honest clock stale.
   */
  stale(at: number, t: number, claimant: string, voice?: string): boolean {
    const floor = at + this.lieTicks;
    for (const [origin, w] of this.#witnessed)
      if (origin !== claimant && origin !== voice && t - w.at <= WITNESS_TTL_MS && this.#at(w, t) > floor)
        return true;
    return false;
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
