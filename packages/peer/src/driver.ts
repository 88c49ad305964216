/**
 * The driver: the timeline and what moves it. `simulate` (the body of `Peer.step`) inserts the
 * events received since the last step, advances the clock, runs the owed ticks within the
 * catch-up budget, compacts history behind the horizon and emits `render`. Also own events
 * (stamping), the status (`syncing`/`live`) with the {@link Pace} behind it, and replacing the
 * timeline by an adopted snapshot.
 * @internal
 */

import type { WireEvent } from '@symmetric/codec';
import type { Timeline, TimelineEvent } from '@symmetric/core';
import { host, type PeerContext } from './context.js';
import type { Delay } from './delay.js';
import type { DesyncDetector } from './desync.js';
import type { Dissemination } from './dissemination.js';
import { PeerError } from './errors.js';
import type { DecodedSnapshot, Join, QueuedEmit } from './join.js';
import type { LinkTable } from './links.js';
import { compactionPeriod } from './options.js';
import type { PresenceChannel } from './presence.js';
import type { Repair } from './repair.js';
import type { RestoredTimeline } from './resume.js';
import type { StatsLedger } from './stats.js';
import type { SyncExchange } from './sync.js';
import type { PeerStatus } from './types.js';

/** A peer far behind waits at most this long for the frontier of a link that just opened. */
const FRONTIER_WAIT_MS = 1000;
/** How much further ahead than `maxFutureTicks` a fresh peer lets event ticks be. */
const FRESH_FUTURE_FACTOR = 100;
/** Catch-up ticks run between two checks of the CPU budget. */
const CATCH_UP_CHUNK = 64;

/**
 * How the simulation keeps up with the network's time (the clock's estimate):
 * `on-time` within `liveLagTicks` (and it falls back only beyond `max(fps, 4 × liveLagTicks)`),
 * `behind` catching up, `waiting` behind and holding still until the repairs a neighbour
 * announced (or the frontier of a link that just opened) arrive: simulating now would only
 * mean rolling back when they do.
 * @internal
 */
export type Pace = 'on-time' | 'behind' | 'waiting';

/** The components the driver works with. @internal */
export interface DriverParts<S, E> {
  readonly links: Pick<LinkTable<E>, 'list' | 'neighbours'>;
  readonly sync: Pick<SyncExchange<S, E>, 'clockTickAt' | 'networkTick'>;
  readonly join: Pick<Join<S, E>, 'fresh' | 'vouches' | 'transferring' | 'checkSynced'>;
  readonly repair: Pick<Repair<S, E>, 'awaitingRepairs' | 'frontierReceived'>;
  readonly desync: Pick<DesyncDetector<S, E>, 'correct' | 'recordHashes' | 'restart'>;
  readonly presence: Pick<PresenceChannel<S, E>, 'beaconSoon'>;
  readonly delay: Delay;
  readonly ledger: StatsLedger;
  readonly dissemination: () => Dissemination<E>;
  /** Own events go out through here (persistence: stored first when the peer has a store). */
  readonly sendOwn: (event: WireEvent<E>) => void;
  /** The timeline compacted: its base is a settled snapshot (persistence stores it). */
  readonly settled: (timeline: Timeline<S, E>) => void;
  /**
   * The timeline compacted to `baseTick`: forget what it forgot (see forget.ts).
   */
  readonly forgot: (timeline: Timeline<S, E>, baseTick: number) => void;
}

/** The timeline and its driving. @internal */
export class Driver<S, E> {
  private currentTimeline: Timeline<S, E>;
  /** Events received since the last step (inserted at the next one, or carried into an adopted snapshot). */
  private pending: TimelineEvent<E>[] = [];
  private ownSeqValue = 0;
  private ownLastTick = 0;
  private currentStatus: PeerStatus = 'idle';
  private currentPace: Pace = 'behind';
  /** Whether anyone listens to `render` (kept by the emitter: read on every step). */
  private renders = false;
  /** Owed ticks (clock ahead of the timeline) that re-simulate ticks a replaced timeline had run. */
  private replacedTicksToRerun = 0;
  private nextCompactTick: number;
  /**
   * A snapshot was adopted and the repairs that follow it are not all in yet: the history this
   * peer is handed (events the room accepted) is taken whole, the settled bound is not applied.
   */
  private takingHistory = false;
  /** A resumed timeline's tick, for the clock at the first step. */
  private resumedTick: number | undefined;
  private basesValue = 0;
  constructor(
    private readonly ctx: PeerContext<S, E>,
    private readonly parts: DriverParts<S, E>,
    timeline: Timeline<S, E>,
  ) {
    this.currentTimeline = timeline;
    ctx.events.watch('render', (listened) => {
      this.renders = listened;
    });
    const horizon = ctx.options.horizonTicks;
    this.nextCompactTick = horizon === undefined ? Number.POSITIVE_INFINITY : horizon;
  }

  get timeline(): Timeline<S, E> {
    return this.currentTimeline;
  }

  get status(): PeerStatus {
    return this.currentStatus;
  }

  get pace(): Pace {
    return this.currentPace;
  }

  /**
   * How many times the history's base changed (a compaction, or the timeline replaced by an
   * adopted snapshot or a resumed one): its prints (see Timeline.prints) change only then.
   */
  get bases(): number {
    return this.basesValue;
  }

  /**
   * Events of this peer's history: those folded into its base since the history began (carried
   * in snapshots, so peers on one history agree, whatever sources each forgot), those held, and
   * those received and queued for the next step. Refused events are not counted.
   */
  get eventsHeld(): number {
    const timeline = this.timeline;
    return timeline.foldedEvents + timeline.stats().eventsHeld + this.pending.length;
  }

  /** Highest seq this incarnation stamped. */
  get ownSeq(): number {
    return this.ownSeqValue;
  }

  /**
   * Events stamped beyond this tick may be too far in the future. Measured from the network's
   * time (the clock's estimate) as well as our own. A fresh peer may hear of the room's events
   * (relayed by a neighbour that is joining too) before anyone told it the room's time: it allows
   * {@link FRESH_FUTURE_FACTOR} times `maxFutureTicks`, so it takes the events of a session older
   * than `maxFutureTicks` and still refuses absurd ticks.
   */
  futureLimit(): number {
    const ahead = this.ctx.options.maxFutureTicks * (this.parts.join.fresh ? FRESH_FUTURE_FACTOR : 1);
    const network = Math.floor(this.parts.sync.networkTick(this.ctx.now()));
    return Math.max(this.currentTimeline.tick, this.ownLastTick, this.ctx.clock.tick, network) + ahead;
  }

  /** {@link futureLimit} without the network's tick: never above it (cheap: no clock estimate). */
  futureFloor(): number {
    const ahead = this.ctx.options.maxFutureTicks * (this.parts.join.fresh ? FRESH_FUTURE_FACTOR : 1);
    return Math.max(this.currentTimeline.tick, this.ownLastTick, this.ctx.clock.tick) + ahead;
  }

  /** Events received since the last step (the live queue: pushing to it enqueues). */
  get pendingEvents(): TimelineEvent<E>[] {
    return this.pending;
  }

  /**
   * The settled bound at local time `now`: ticks before it are settled, and an event stamped
   * before it is refused. It is the network's time (the clock's agreed estimate) minus the
   * horizon, never the local base, which compaction keeps at or before it: whether an event is
   * taken depends on the event and the agreed time, not on when this peer compacted. A peer not
   * vouching yet (joining) or taking over history (after a snapshot, until its repairs are in)
   * takes every event after its base: those are events the room accepted.
   * `-Infinity` with `history: 'full'`.
   */
  settledBound(now: number): number {
    const horizon = this.ctx.options.horizonTicks;
    if (horizon === undefined || !this.parts.join.vouches || this.takingHistory)
      return Number.NEGATIVE_INFINITY;
    return Math.floor(this.parts.sync.networkTick(now)) - horizon;
  }

  /**
   * The settled bound for events from a neighbour on another history (its prints differ from
   * ours): the network's time minus the horizon even while joining or taking over history, so
   * events another history settled never enter this one; `-Infinity` with `history: 'full'` or
   * before the peer is part of a room.
   */
  historyBound(now: number): number {
    const horizon = this.ctx.options.horizonTicks;
    if (horizon === undefined || this.parts.join.fresh) return Number.NEGATIVE_INFINITY;
    return Math.floor(this.parts.sync.networkTick(now)) - horizon;
  }

  /**
   * Queue a received event for the next step, or refuse it (`false`, counted in `tooOld`) when it
   * is stamped before the {@link settledBound}. The first peer of the room to hear of an event
   * decides: a refused event stays known (deduplicated) and is not passed on, and one `vouched`
   * for (passed on by a neighbour that vouches, so it took it) is taken if it is after the base,
   * which compaction keeps a margin behind the bound for it to travel. One from a neighbour on
   * `otherHistory` is judged by {@link historyBound}.
   */
  enqueue(ev: TimelineEvent<E>, vouched = false, otherHistory = false): boolean {
    const bound = otherHistory
      ? this.historyBound(this.ctx.now())
      : vouched
        ? Number.NEGATIVE_INFINITY
        : this.settledBound(this.ctx.now());
    if (ev.tick < bound) {
      this.parts.ledger.countTooOld();
      return false;
    }
    this.pending.push(ev);
    return true;
  }

  /** Set the status; `status` is emitted on change. */
  setStatus(status: PeerStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.ctx.events.emit('status', status);
  }

  /** Emit `render` with the current state (when anyone listens). */
  render(): void {
    if (this.renders) this.ctx.events.emit('render', this.currentTimeline.state, this.currentTimeline.tick);
  }

  /** The simulation part of a step at `nowMs` (after housekeeping). */
  simulate(nowMs: number): void {
    const options = this.ctx.options;
    const clock = this.ctx.clock;
    if (this.resumedTick !== undefined) {
      clock.fastForward(this.resumedTick, nowMs);
      this.resumedTick = undefined;
    }
    // Frozen while a snapshot is on its way, or while far behind and still waiting for the first
    // repairs (simulating now would only mean rolling back when they arrive). Decided afresh
    // whenever the clock is well ahead (it may have just adopted the network's time) and
    // released in the first step after the repairs are in, not at the next housekeeping.
    if (this.parts.join.transferring) return;
    if (this.currentPace === 'waiting' || this.clockLead(nowMs) > options.liveLagTicks)
      this.updateStatus(nowMs);
    if (this.currentPace === 'waiting') return;
    let changed = false;
    if (this.pending.length > 0) changed = this.flushPending();
    const nominal = clock.advance(nowMs);
    // Behind the clock (it adopted the network's time): grant the whole catch-up now; the
    // simulation runs it within the catch-up budget (what does not fit carries over).
    const target = Math.floor(clock.clockTick(nowMs) + 1e-9);
    if (target > clock.tick) clock.fastForward(target, nowMs);
    // A fresh peer (not part of the room's timeline yet) simulates nothing: it starts from the
    // room's state (or, as its first generation, catches up once alone long enough).
    const owed = this.parts.join.fresh ? 0 : clock.tick - this.currentTimeline.tick;
    if (owed > 0) {
      this.runTicks(owed, nominal);
      changed = true;
      if (owed > nominal) this.updateStatus(nowMs); // caught up (or closer): say so now
    }
    if (changed) this.render();
  }

  /** How many whole ticks the clock is ahead of the simulation (0 when it is not, or cannot say). */
  private clockLead(now: number): number {
    try {
      return Math.max(0, Math.floor(this.ctx.clock.clockTick(now) + 1e-9) - this.currentTimeline.tick);
    } catch {
      return 0;
    }
  }

  /**
   * Simulate up to `owed` ticks: all of them if they fit the catch-up limits (ticks per step,
   * CPU budget), else as many as do, but never fewer than the step's nominal ticks. Ticks the
   * timeline had simulated before a snapshot replaced it are counted as re-simulated.
   */
  private runTicks(owed: number, nominal: number): void {
    const options = this.ctx.options;
    const timeline = this.currentTimeline;
    const limit = Math.min(owed, options.catchUpMaxTicks);
    const must = Math.min(owed, Math.max(1, nominal));
    let done = 0;
    if (limit <= CATCH_UP_CHUNK || options.catchUpBudgetMs === Number.POSITIVE_INFINITY) {
      done = Math.max(limit, must);
      this.advance(timeline, done);
    } else {
      const started = host.performance.now();
      while (done < limit) {
        const chunk = Math.min(CATCH_UP_CHUNK, limit - done);
        this.advance(timeline, chunk);
        done += chunk;
        if (done >= must && host.performance.now() - started >= options.catchUpBudgetMs) break;
      }
    }
    if (this.replacedTicksToRerun > 0) {
      const r = Math.min(this.replacedTicksToRerun, done);
      this.replacedTicksToRerun -= r;
      this.parts.ledger.recountAsResimulated(r);
    }
  }

  /**
   * Simulate `ticks` ticks, compacting at every compaction tick on the way: a long catch-up never
   * outruns the snapshot ring (it reaches back over one horizon and one compaction period).
   */
  private advance(timeline: Timeline<S, E>, ticks: number): void {
    let left = ticks;
    while (left > 0) {
      const step = Math.min(left, Math.max(1, this.nextCompactTick - timeline.tick));
      timeline.advance(step);
      left -= step;
      if (timeline.tick >= this.nextCompactTick) this.compact();
    }
  }

  /** Insert events received since the last step; `true` when the state changed. */
  private flushPending(): boolean {
    const batch = this.pending;
    this.pending = [];
    const timeline = this.currentTimeline;
    const before = timeline.tick;
    let lateFrom = Number.POSITIVE_INFINITY;
    for (const e of batch) if (e.tick < before && e.tick < lateFrom) lateFrom = e.tick;
    const r = timeline.insertMany(batch);
    if (r.late > 0) {
      this.parts.desync.correct(timeline, lateFrom);
      if (this.ctx.events.has('rollback')) {
        this.ctx.events.emit('rollback', { fromTick: lateFrom, toTick: timeline.tick, lateEvents: r.late });
      }
    }
    return r.late > 0;
  }

  private compact(): void {
    const options = this.ctx.options;
    const horizon = options.horizonTicks;
    if (horizon === undefined) return;
    const timeline = this.currentTimeline;
    const tick = timeline.tick;
    this.parts.desync.recordHashes(timeline); // read settled hashes before their snapshots are folded away
    // Never past the settled bound: a peer a little ahead of the network's time compacts from
    // the network's time (within one snapshot period, which the ring reaches back over).
    const network = Math.floor(this.parts.sync.networkTick(this.ctx.now()));
    const ahead = Math.min(Math.max(0, tick - network), options.snapshotEvery);
    // One compaction period behind the bound: an event taken at the bound by the first peer to
    // hear of it still finds its tick unfolded at the peers it is passed on to.
    this.basesValue++;
    const base = timeline.compact(
      tick - horizon - ahead - compactionPeriod(horizon, options.snapshotEvery, options.fps),
    );
    this.parts.forgot(timeline, base);
    this.parts.settled(timeline);
    this.nextCompactTick = tick + compactionPeriod(horizon, options.snapshotEvery, options.fps);
  }

  /** Held (or pending) events of `source` with seq in [from, to], in seq order. */
  eventsOf(source: string, from: number, to: number): WireEvent<E>[] {
    const held = this.currentTimeline.eventsFrom(source, from, to) as WireEvent<E>[];
    if (this.pending.length === 0) return held;
    let extra: WireEvent<E>[] | undefined;
    for (const e of this.pending) {
      if (e.source === source && e.seq >= from && e.seq <= to) (extra ??= []).push(e as WireEvent<E>);
    }
    if (extra === undefined) return held;
    const all = held.concat(extra);
    all.sort((a, b) => a.seq - b.seq);
    return all;
  }

  /** Stamp and send one own event (`placeholder` is filled in for queued emits). */
  stamp(
    payload: E,
    placeholder: QueuedEmit<E>['placeholder'] | undefined,
    restamps?: number,
  ): TimelineEvent<E> {
    const ctx = this.ctx;
    const now = ctx.now();
    const seq = Math.max(this.ownSeqValue, ctx.eventIds.max(ctx.source)) + 1;
    let base = this.currentTimeline.tick;
    if (this.currentStatus !== 'live' && ctx.neighbours().length > 0)
      base = Math.max(base, Math.floor(this.parts.sync.networkTick(now)));
    // Between steps (real time) the clock has moved on from the last simulated tick: stamping from
    // it keeps the whole Δ for the event instead of losing up to a tick of it.
    else base = Math.max(base, this.parts.sync.clockTickAt(now));
    const tick = Math.max(base + this.parts.delay.ticks, this.ownLastTick);
    if (!Number.isSafeInteger(tick)) {
      throw new PeerError('OUT_OF_RANGE', `cannot stamp an event at tick ${tick}`);
    }
    let event: TimelineEvent<E>;
    if (placeholder !== undefined) {
      placeholder.tick = tick;
      placeholder.seq = seq;
      event = placeholder;
    } else {
      event =
        restamps === undefined || restamps >= seq
          ? { tick, source: ctx.source, seq, payload }
          : { tick, source: ctx.source, seq, payload, restamps };
    }
    this.ownSeqValue = seq;
    this.ownLastTick = tick;
    ctx.eventIds.add(ctx.source, seq, now);
    ctx.stats.eventsEmitted++;
    // Signed before the timeline holds it: the timeline keeps an event's fields as inserted, and
    // repair serves the event from there.
    ctx.signer.seal([event as WireEvent<E>]);
    if (this.parts.join.transferring) {
      this.pending.push(event);
    } else {
      const timeline = this.currentTimeline;
      const r = timeline.insert(event);
      if (r === 'late') {
        this.parts.desync.correct(timeline, tick);
        if (ctx.events.has('rollback')) {
          ctx.events.emit('rollback', { fromTick: tick, toTick: timeline.tick, lateEvents: 1 });
        }
      }
    }
    this.parts.sendOwn(event as WireEvent<E>);
    ctx.events.emit('emit', event);
    return event;
  }

  /**
   * Replace the timeline by one started from a received snapshot, carrying over events it does
   * not cover. `served` says whether the serving neighbour's frontier claims an event (past
   * holes included): the history adopted. Returns the own events it drops: stamped before the
   * snapshot's tick and not folded into it (the room moved on past them), in seq order.
   */
  adopt(
    decoded: DecodedSnapshot<S, E>,
    now: number,
    served: (source: string, seq: number) => boolean = () => false,
  ): TimelineEvent<E>[] {
    const { snapshot: snap, timeline } = decoded;
    const known = this.ctx.eventIds;
    const old = this.currentTimeline;
    this.parts.ledger.retire(old.stats());
    // Carry over every held event the snapshot has not folded in, and everything pending.
    const folded = new Map<string, number>(snap.frontier);
    const carry: TimelineEvent<E>[] = [];
    for (let s = known.first(); s >= 0; s = known.after(s)) {
      const source = known.idAt(s);
      const max = known.maxAt(s);
      const from = (folded.get(source) ?? 0) + 1;
      if (max >= from) for (const e of old.eventsFrom(source, from, max)) carry.push(e);
    }
    for (const e of this.pending) carry.push(e);
    this.pending = [];
    known.clear();
    // Known: what the adopted history holds (its seqs given up stay unknown, as on the peers
    // that gave them up themselves).
    for (const [source] of snap.frontier) {
      const ranges = timeline.heldRanges(source);
      for (let i = 0; i < ranges.length; i += 2) {
        if (ranges[i] === 1) known.raiseTo(source, ranges[i + 1]!);
        else for (let seq = ranges[i]!; seq <= ranges[i + 1]!; seq++) known.add(source, seq, now);
      }
    }
    // A peer re-basing (it vouches) keeps what is not settled, and the settled events after the
    // snapshot that the history it adopts holds (its server claims them, in the frontier it sent
    // just before the snapshot: folded there by now, perhaps, so never repaired in). Its own
    // events the room moved on past (settled, or before the snapshot) go to the offline-merge
    // policy. What it drops stays unknown.
    const bound = this.settledBound(now);
    const keep: TimelineEvent<E>[] = [];
    const dropped: TimelineEvent<E>[] = [];
    for (const e of carry) {
      if (known.has(e.source, e.seq)) continue;
      if (e.tick >= bound || (e.tick >= snap.tick && served(e.source, e.seq))) {
        known.add(e.source, e.seq, now);
        keep.push(e);
      } else if (e.source === this.ctx.source) {
        dropped.push(e);
      }
    }
    this.currentTimeline = timeline;
    // The old timeline's sources let go of their slots in the codec's registry (it is dropped).
    old.releaseSources();
    this.basesValue++;
    if (keep.length > 0) timeline.insertMany(keep);
    for (const e of keep) if (e.source === this.ctx.source && e.tick < snap.tick) dropped.push(e);
    dropped.sort((a, b) => a.seq - b.seq);
    if (timeline.tick < this.ctx.clock.tick) {
      // Our clock is already past the snapshot: the next steps catch up to it; the ticks the old
      // timeline had simulated are re-simulation (a rollback, in effect), not new time.
      this.replacedTicksToRerun = Math.max(0, old.tick - timeline.tick);
    } else {
      this.ctx.clock.fastForward(timeline.tick, now);
      this.replacedTicksToRerun = 0;
    }
    this.parts.desync.restart(snap.tick);
    this.takingHistory = true;
    const options = this.ctx.options;
    if (options.horizonTicks !== undefined)
      this.nextCompactTick =
        timeline.tick + compactionPeriod(options.horizonTicks, options.snapshotEvery, options.fps);
    return dropped;
  }

  /**
   * Continue from a stored timeline (before any link opened): hold its events, simulate up to
   * the last tick the store knows of, and continue own seqs above the stored ones. The clock
   * moves to that tick at the first step.
   */
  resume(stored: RestoredTimeline<S, E>, now: number): void {
    const known = this.ctx.eventIds;
    const timeline = stored.timeline;
    // The fresh timeline it replaces lets go of its slots in the codec's registry.
    this.currentTimeline.releaseSources();
    this.currentTimeline = timeline;
    this.basesValue++;
    for (const [source, seq] of stored.folded) known.raiseTo(source, seq);
    const fresh: TimelineEvent<E>[] = [];
    for (const e of stored.events) if (known.add(e.source, e.seq, now)) fresh.push(e);
    for (const e of this.pending) if (known.add(e.source, e.seq, now)) fresh.push(e);
    this.pending = [];
    if (fresh.length > 0) timeline.insertMany(fresh);
    const options = this.ctx.options;
    if (options.horizonTicks !== undefined)
      this.nextCompactTick =
        timeline.tick + compactionPeriod(options.horizonTicks, options.snapshotEvery, options.fps);
    // Through the last tick: its events applied, the state the room was left in.
    if (stored.lastTick >= timeline.tick) this.advance(timeline, stored.lastTick + 1 - timeline.tick);
    this.ownSeqValue = Math.max(this.ownSeqValue, stored.ownSeq);
    this.ownLastTick = Math.max(this.ownLastTick, stored.ownTick);
    this.parts.desync.restart(timeline.stats().baseTick);
    this.resumedTick = timeline.tick;
  }

  /** Re-read the pace and Δ, and set the status (`syncing` or `live`). */
  updateStatus(now: number): void {
    if (this.currentStatus === 'stopped' || this.currentStatus === 'idle') return;
    const options = this.ctx.options;
    const parts = this.parts;
    // The network's tick alone (the estimate's, without building it: Δ auto asks for that).
    let networkTick: number | undefined;
    try {
      networkTick = this.ctx.clock.networkTick(now);
    } catch {
      networkTick = undefined;
    }
    const tick = this.currentTimeline.tick;
    const lag = (networkTick ?? tick) - tick;
    // Hysteresis: catch up within liveLagTicks to count as on time; fall back only when well behind.
    const wasBehind = this.currentPace !== 'on-time';
    const lagLimit = wasBehind ? options.liveLagTicks : Math.max(options.fps, 4 * options.liveLagTicks);
    const behind = lag > lagLimit;
    // Caught up: beacon now, with a meaningful send tick (Δ auto measures from it).
    if (wasBehind && !behind && parts.delay.isAuto) parts.presence.beaconSoon(now);
    if (networkTick !== undefined) parts.delay.update(now, this.ctx.clock);
    // Repairs outstanding: a neighbour announced events we still lack (given up after a while:
    // they may have been compacted away everywhere).
    const awaitingRepair = parts.repair.awaitingRepairs(now) || parts.join.fresh;
    // Links just opened whose frontier has not come yet (e.g. reconnecting after an outage):
    // they may announce events this peer missed; wait for that (briefly) before catching up.
    let awaitingFrontier = false;
    const frontierWaitMs = Math.min(FRONTIER_WAIT_MS, options.handshakeTimeoutMs);
    const links = parts.links.list();
    for (let i = 0; i < links.length; i++) {
      const l = links[i]!;
      // Only links opened within the wait count (the time first: most links are older).
      if (now - l.openedAt >= frontierWaitMs || l.kind === 'closed') continue;
      if (l.kind === 'running' && parts.repair.frontierReceived(l)) continue;
      awaitingFrontier = true;
      break;
    }
    const syncing = awaitingRepair || parts.join.transferring || behind;
    if (!awaitingRepair && !parts.join.transferring) this.takingHistory = false;
    const waiting = behind && ((awaitingRepair && parts.links.neighbours().length > 0) || awaitingFrontier);
    this.currentPace = !behind ? 'on-time' : waiting ? 'waiting' : 'behind';
    parts.join.checkSynced();
    this.setStatus(syncing ? 'syncing' : 'live');
  }
}
