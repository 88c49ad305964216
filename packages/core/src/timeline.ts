import type { App, Random } from './app.js';
import { TimelineError } from './errors.js';
import { eventLogFor } from './event-log.js';
import { stateHashWithWords } from './hash.js';
import { SeededRandom } from './random.js';
import { SnapshotStore } from './snapshot-store.js';
import { TimelineHistory } from './timeline-history.js';
import {
  defaultCopy,
  emptyTravel,
  eventList,
  eventProblem,
  HashRing,
  intOption,
  isSafeTick,
  type MutableContext,
  storeBatch,
  type Travel,
  thinningOption,
  validateSnapshot,
} from './timeline-support.js';
import type {
  AppErrorInfo,
  InsertManyResult,
  InsertResult,
  TimelineEvent,
  TimelineOptions,
  TimelineSnapshot,
  TimelineStats,
  TimelineTravel,
  TravelOptions,
} from './timeline-types.js';

export {
  type AppErrorInfo,
  compareEvents,
  type HistoryPrint,
  type InsertManyResult,
  type InsertResult,
  type SnapshotThinning,
  type TimelineEvent,
  type TimelineOptions,
  type TimelineSnapshot,
  type TimelineStats,
  type TimelineTravel,
  type TravelFrame,
  type TravelOptions,
} from './timeline-types.js';

/** The largest tick kept in the quiet range's fields (the largest 31-bit small integer). */
const SMALL_TICK = 0x3fffffff;

// Set by Timeline.fromSnapshot for the constructor it calls (synchronously).
let joining: TimelineSnapshot<unknown> | undefined;

/**
 * The deterministic timeline with its time machine. It holds the app state, the totally
 * ordered event log, a ring of snapshots and a base snapshot; it applies each event at its
 * tick, and when an event arrives after its tick it restores the newest snapshot at or before
 * that tick and re-simulates to the present, inside the same call.
 *
 * It knows nothing about networks or clocks: the caller decides when to `advance` and what to
 * `insert`. Two timelines of the same app and seed holding the same events pass through the
 * same states, whatever the order and time the events arrived in.
 *
 * @example
 * const tl = new Timeline(rectangleApp);
 * tl.insert({ tick: 3, source: 'a', seq: 1, payload: RectangleKeys.right });
 * tl.advance(10);
 * tl.insert({ tick: 5, source: 'b', seq: 1, payload: RectangleKeys.down }); // 'late': rolls back
 * tl.hash(); // same on every peer holding these two events at tick 10
 */
export class Timeline<S, E> extends TimelineHistory<E> {
  private readonly app: App<S, E>;
  private readonly snapshotEvery: number;
  private readonly onAppError: ((error: unknown, where: AppErrorInfo) => void) | undefined;
  private readonly copyOut: (state: S, reuse: S | undefined) => S;
  private readonly copyIn: (snap: S, into: S | undefined) => S;
  private readonly rng: SeededRandom;
  private readonly ctx: MutableContext;

  private now = 0;
  private live: S;
  private busy = false;
  private resimulating = false;
  private travel: Travel | undefined = undefined;

  private readonly ring: SnapshotStore<S>;
  /** A copy of the live state (reusing `reuse`'s storage), for the ring. */
  private readonly copyLive = (reuse: S | undefined): S => this.copyOut(this.live, reuse);
  /** The PRNG's words into `words` at `offset`, for the ring. */
  private readonly saveRandom = (words: Uint32Array, offset: number): void => this.rng.saveTo(words, offset);

  private baseTick = 0;
  private baseState: S;
  private readonly baseRand = new Uint32Array(4);
  private readonly scratch = new Uint32Array(4);
  private readonly hashEvery: number;
  private readonly hashes: HashRing;

  /**
   * The ticks from `quietFrom` up to `quietUntil` (excluded) hold no events (an empty range when
   * not known): {@link step} reads no log there. Set from the log after each read, narrowed when
   * an event is stored in it; kept within small integers (a field the CPU reads next to `now`).
   */
  private quietFrom = 0;
  private quietUntil = 0;

  private nSimulated = 0;
  private nResimulated = 0;
  private nLate = 0;
  private nTravelled = 0;
  private nRollbacks = 0;
  private nTaken = 0;
  private nInvalid = 0;
  private nAppErrors = 0;

  /**
   * A timeline at tick 0 with `app.init(seed)` as its state. Throws `TimelineError('BAD_OPTION')`
   * on out-of-range options.
   */
  constructor(app: App<S, E>, options: TimelineOptions = {}) {
    if (app === null || typeof app !== 'object' || typeof app.tick !== 'function') {
      throw new TimelineError('BAD_ARGUMENT', 'app must be an object with init, tick and event');
    }
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw new TimelineError('BAD_OPTION', `seed must be a safe integer, got ${String(seed)}`);
    }
    super(eventLogFor<E>(options));
    this.app = app;
    this.snapshotEvery = intOption(options.snapshotEvery, 'snapshotEvery', 10, 1, 2 ** 31);
    this.ring = new SnapshotStore<S>(
      intOption(options.maxSnapshots, 'maxSnapshots', 128, 1, 1 << 20),
      this.snapshotEvery,
      thinningOption(options.snapshotThinning),
    );
    this.onAppError = options.onAppError;
    this.hashEvery = intOption(options.hashEvery, 'hashEvery', 0, 0, 2 ** 31);
    this.hashes = new HashRing(this.hashEvery, intOption(options.maxHashes, 'maxHashes', 64, 1, 1 << 20));
    this.copyOut = app.snapshot !== undefined ? (s, r) => app.snapshot!(s, r) : (s) => defaultCopy(s);
    this.copyIn = app.restore !== undefined ? (s, i) => app.restore!(s, i) : (s) => defaultCopy(s);
    this.rng = new SeededRandom(seed);
    this.ctx = { tick: 0, random: this.rng as Random, source: '', seq: 0 };

    const snap = joining as TimelineSnapshot<S> | undefined;
    joining = undefined;
    if (snap === undefined) {
      this.live = app.init(seed);
      this.baseState = this.copyOut(this.live, undefined);
      this.rng.saveTo(this.baseRand, 0);
      if (this.hashEvery !== 0) this.recordHash();
      return;
    }
    this.live = this.copyIn(snap.state, undefined);
    this.baseState = this.copyOut(this.live, undefined);
    this.rng.setState(snap.random);
    this.rng.saveTo(this.baseRand, 0);
    this.now = snap.tick;
    this.baseTick = snap.tick;
    this.log.seedFromSnapshot(snap);
    if (this.hashEvery !== 0 && this.now % this.hashEvery === 0) this.recordHash();
  }

  /**
   * A timeline that starts from a snapshot another peer handed over (its
   * {@link Timeline.baseSnapshot}) instead of from tick 0: the way to join a running session.
   * Events folded into the snapshot count as held (`'duplicate'`); events before its tick and
   * not folded are `'too-old'`. `app.init` is not called and `options.seed` is not used: the
   * state and the PRNG state come from the snapshot. Throws `TimelineError('BAD_SNAPSHOT')` on
   * a malformed snapshot.
   */
  static fromSnapshot<S, E>(
    app: App<S, E>,
    snapshot: TimelineSnapshot<S>,
    options: TimelineOptions = {},
  ): Timeline<S, E> {
    validateSnapshot(snapshot);
    joining = snapshot as TimelineSnapshot<unknown>;
    try {
      return new Timeline(app, options);
    } finally {
      joining = undefined;
    }
  }

  /** The current tick: `state` is the state at the START of it (its events not yet applied). */
  get tick(): number {
    if (this.travel !== undefined && !this.busy) this.finishTravel();
    return this.now;
  }

  /** The live state at the start of {@link tick}: read it, never mutate it (reused in place). */
  get state(): Readonly<S> {
    if (this.travel !== undefined && !this.busy) this.finishTravel();
    return this.live;
  }

  /**
   * Add one event. A duplicate is ignored, an event before the compaction base refused; an
   * event whose tick has passed triggers a rollback and re-simulation to the present before
   * this returns. Throws `TimelineError` (`BAD_EVENT`, `BAD_TICK`, `BAD_SOURCE`, `BAD_SEQ`) on
   * a malformed event, which is then counted in `stats().invalidEvents`. The timeline keeps the
   * event's fields as they are now: changing the object afterwards changes nothing it holds
   * (see {@link Timeline.eventsFrom} for what it hands back).
   */
  insert(event: TimelineEvent<E>): InsertResult {
    this.enter();
    this.validate(event);
    const r = this.store(event);
    if (r === 'late') {
      const now = this.now;
      this.nLate++;
      this.nTravelled += now - event.tick;
      this.nRollbacks++;
      this.rollbackTo(event.tick);
      this.resimulate(now);
    }
    return r;
  }

  /** Add many events, late ones sharing ONE rollback; one malformed event throws and adds none. */
  insertMany(events: Iterable<TimelineEvent<E>>): InsertManyResult {
    this.enter();
    const { result, lateTick } = this.storeMany(events);
    if (lateTick !== Number.POSITIVE_INFINITY) {
      const now = this.now;
      this.nRollbacks++;
      this.rollbackTo(lateTick);
      this.resimulate(now);
    }
    return result;
  }

  /**
   * Like {@link insertMany}, but a rollback becomes a "smooth travel" (the paper's visible
   * time travel): the returned iterator yields the held snapshots going back to the restore
   * point, then the re-simulated states going forward to the present, `stride` ticks per
   * frame, so a renderer can animate the travel over several frames. The events are stored at
   * once. Abandoning the iterator, or calling any other timeline method, completes the travel
   * at once; the final state is always the same as with `insertMany`.
   */
  insertSmooth(events: Iterable<TimelineEvent<E>>, options: TravelOptions = {}): TimelineTravel<S> {
    this.enter();
    const stride = intOption(options.stride, 'stride', 1, 1, Number.MAX_SAFE_INTEGER);
    const { result, lateTick } = this.storeMany(events);
    if (lateTick === Number.POSITIVE_INFINITY) return emptyTravel(result);
    this.nRollbacks++;
    const tr: Travel = {
      target: this.now,
      lateTick,
      restorePos: this.ring.find(lateTick),
      stride,
      result,
      phase: 'back',
    };
    this.travel = tr;
    return this.travelFrames(tr);
  }

  /**
   * Simulate `ticks` ticks (default 1). Each tick applies the events stamped with it in
   * `(source, seq)` order through `app.event`, then calls `app.tick`, then the tick advances
   * (and a snapshot is taken when the new tick is a multiple of `snapshotEvery`).
   */
  advance(ticks = 1): void {
    this.enter();
    if (!Number.isSafeInteger(ticks) || ticks < 0) {
      throw new TimelineError(
        'BAD_ARGUMENT',
        `advance(ticks) needs a non-negative integer, got ${String(ticks)}`,
      );
    }
    const target = this.now + ticks;
    this.busy = true;
    try {
      while (this.now < target) this.step();
    } finally {
      this.busy = false;
    }
    this.nSimulated += ticks;
  }

  /**
   * Force a rollback to `tick` and re-simulate to the present, as if a late event had
   * arrived there. The state must come out identical: this is what determinism checks use.
   * Throws `BAD_ARGUMENT` if `tick` is before the base snapshot or after the present.
   */
  resimulateFrom(tick: number): void {
    this.enter();
    if (!isSafeTick(tick) || tick < this.baseTick || tick > this.now) {
      throw new TimelineError(
        'BAD_ARGUMENT',
        `resimulateFrom(tick) needs an integer in [${this.baseTick}, ${this.now}], got ${String(tick)}`,
      );
    }
    const now = this.now;
    this.nRollbacks++;
    this.rollbackTo(tick);
    this.resimulate(now);
  }

  /**
   * A stable hash of the current state and PRNG state: 16 lowercase hex characters (64 bits),
   * equal on every peer at the same tick with the same events. See {@link stateHash}.
   */
  hash(): string {
    this.enter();
    this.rng.saveTo(this.scratch, 0);
    return stateHashWithWords(this.live, this.scratch);
  }

  /**
   * The hash (as {@link hash}) of the state at the start of `tick`, if the timeline knows it:
   * the present, a hash recorded by the `hashEvery` option, the base snapshot or a snapshot in
   * the ring. `undefined` otherwise (and for future ticks).
   */
  hashAt(tick: number): string | undefined {
    this.enter();
    if (tick === this.now) return this.hash();
    if (tick > this.now) return undefined;
    const recorded = this.hashes.at(tick);
    if (recorded !== undefined) return recorded;
    if (tick === this.baseTick) return stateHashWithWords(this.baseState, this.baseRand);
    const pos = this.ring.find(tick);
    if (pos < 0 || this.ring.tickAt(pos) !== tick) return undefined;
    return stateHashWithWords(this.ring.stateAt(pos), this.ring.randAt(pos));
  }

  /**
   * Bound memory: the newest held snapshot at or before `beforeTick` (the present state if
   * `beforeTick >= tick`) becomes the base; the events folded into it and older snapshots are
   * dropped, and later events before it are `'too-old'` (per source, seqs never received below
   * the folded ones are given up). With `forgetSourcesAfter`, sources gone that long are forgotten
   * ({@link drainForgotten}). Returns the base tick. No-op when no snapshot was taken since the
   * base; `TimelineError('NO_SNAPSHOT')` when the ring overwrote the one needed (keep
   * `snapshotEvery × maxSnapshots` above the horizon plus the compaction period).
   */
  compact(beforeTick: number): number {
    this.enter();
    if (!Number.isSafeInteger(beforeTick)) {
      throw new TimelineError(
        'BAD_ARGUMENT',
        `compact(beforeTick) needs an integer, got ${String(beforeTick)}`,
      );
    }
    const limit = Math.min(beforeTick, this.now);
    if (limit <= this.baseTick) return this.baseTick;
    const ring = this.ring;
    const oldBaseState = this.baseState;
    let newTick: number;
    if (limit === this.now) {
      this.baseState = this.copyOut(this.live, oldBaseState);
      this.rng.saveTo(this.baseRand, 0);
      newTick = this.now;
      ring.dropThrough(ring.count - 1);
    } else {
      const pos = ring.find(limit);
      if (pos < 0) {
        // No snapshot was ever due in (base, limit], or none taken there was overwritten.
        const due = Math.floor(limit / this.snapshotEvery) * this.snapshotEvery;
        if (ring.evictedTick <= this.baseTick || due <= this.baseTick) return this.baseTick;
        throw ring.noSnapshot(beforeTick, this.baseTick);
      }
      newTick = ring.tickAt(pos);
      this.baseRand.set(ring.randAt(pos));
      this.baseState = ring.swapState(pos, oldBaseState);
      ring.dropThrough(pos);
    }
    const oldTick = this.baseTick;
    this.baseTick = newTick;
    this.log.fold(oldTick, newTick);
    return newTick;
  }

  /**
   * The current base (settled) snapshot, to hand a joining peer: a copy of its state, its
   * PRNG state, per source the highest seq folded into it and its newest tick (and the seqs
   * below it given up).
   */
  baseSnapshot(): TimelineSnapshot<S> {
    return {
      tick: this.baseTick,
      state: this.copyOut(this.baseState, undefined),
      random: Array.from(this.baseRand),
      ...this.log.baseHistory(),
    };
  }

  /** A fresh copy of the counters. */
  stats(): TimelineStats {
    return {
      ticksSimulated: this.nSimulated,
      ticksResimulated: this.nResimulated,
      lateEvents: this.nLate,
      ticksTravelledBack: this.nTravelled,
      rollbacks: this.nRollbacks,
      eventsHeld: this.log.held,
      duplicates: this.log.duplicates,
      tooOld: this.log.tooOld,
      snapshotsHeld: this.ring.count + 1,
      snapshotsTaken: this.nTaken,
      invalidEvents: this.nInvalid,
      appErrors: this.nAppErrors,
      baseTick: this.baseTick,
    };
  }

  private enter(): void {
    if (this.busy)
      throw new TimelineError('REENTRANT', 'a timeline method was called from inside an app callback');
    if (this.travel !== undefined) this.finishTravel();
  }

  private validate(event: TimelineEvent<E>): void {
    const problem = eventProblem(event);
    if (problem === undefined) return;
    this.nInvalid++;
    throw new TimelineError(problem[0], problem[1]);
  }

  /** Store a validated event; 'late' means stored with a passed tick (caller rolls back). */
  private store(event: TimelineEvent<E>): InsertResult {
    const r = this.log.store(event, this.baseTick);
    if (r !== 'stored') return r;
    const tick = event.tick;
    if (tick < this.quietUntil && tick >= this.quietFrom) this.quietUntil = tick;
    return tick < this.now ? 'late' : 'scheduled';
  }

  /** Validate and store a batch; `lateTick` is the earliest late event's tick (or +∞). */
  private storeMany(events: Iterable<TimelineEvent<E>>): { result: InsertManyResult; lateTick: number } {
    const list = eventList(events);
    for (let i = 0; i < list.length; i++) this.validate(list[i]!);
    const batch = storeBatch(list, (e) => this.store(e), this.now);
    this.nLate += batch.result.late;
    this.nTravelled += batch.travelled;
    return batch;
  }

  /** Restore the newest snapshot at or before `tick`, dropping newer ring snapshots. */
  private rollbackTo(tick: number): void {
    const ring = this.ring;
    const pos = ring.find(tick);
    if (pos >= 0) {
      this.live = this.copyIn(ring.stateAt(pos), this.live);
      this.rng.loadFrom(ring.randAt(pos), 0);
      this.now = ring.tickAt(pos);
    } else {
      this.live = this.copyIn(this.baseState, this.live);
      this.rng.loadFrom(this.baseRand, 0);
      this.now = this.baseTick;
    }
    ring.keepThrough(pos);
  }

  /** Re-simulate from the (restored) present up to `target`. */
  private resimulate(target: number): void {
    const from = this.now;
    this.busy = true;
    this.resimulating = true;
    try {
      while (this.now < target) this.step();
    } finally {
      this.busy = false;
      this.resimulating = false;
    }
    this.nResimulated += target - from;
  }

  /** Simulate one tick: its events in order, then app.tick, then maybe a snapshot. */
  private step(): void {
    const t = this.now;
    const app = this.app;
    const ctx = this.ctx;
    ctx.tick = t;
    let state = this.live;
    const bucket = t >= this.quietFrom && t < this.quietUntil ? undefined : this.readBucket(t);
    if (bucket !== undefined) {
      const cols = this.log.columns;
      for (let i = 0; i < bucket.length; i++) {
        const h = bucket[i]!;
        const source = cols.sourceOf(h);
        const restamps = cols.restampsOf(h);
        if (restamps !== undefined && this.log.holdsBy(source, restamps, t)) continue;
        const seq = cols.seqOf(h);
        ctx.source = source;
        ctx.seq = seq;
        try {
          const r = app.event(state, cols.payloadOf(h), ctx);
          if (r !== undefined) state = r as S;
        } catch (err) {
          this.appError(err, { tick: t, source, seq, resimulating: this.resimulating });
        }
      }
      ctx.source = '';
      ctx.seq = 0;
    }
    try {
      const r = app.tick(state, ctx);
      if (r !== undefined) state = r as S;
    } catch (err) {
      this.appError(err, { tick: t, resimulating: this.resimulating });
    }
    this.live = state;
    const next = t + 1;
    this.now = next;
    if (next % this.snapshotEvery === 0) this.takeSnapshot();
    if (this.hashEvery !== 0 && next % this.hashEvery === 0) this.recordHash();
  }

  /** The events of tick `t` from the log, and the ticks after it known to hold none. */
  private readBucket(t: number): readonly number[] | undefined {
    const log = this.log;
    const bucket = log.bucket(t);
    const from = log.quietFrom;
    const until = log.quietUntil;
    // Small integers only (a larger tick, or +∞, would make the fields boxed numbers): an empty
    // range when the point is that far, the range cut short when its end is.
    this.quietFrom = from <= SMALL_TICK ? from : 0;
    this.quietUntil = from <= SMALL_TICK ? Math.min(until, SMALL_TICK) : 0;
    return bucket;
  }

  /** Record the hash of the present state under the present tick (a multiple of hashEvery). */
  private recordHash(): void {
    this.rng.saveTo(this.scratch, 0);
    try {
      this.hashes.record(this.now, stateHashWithWords(this.live, this.scratch));
    } catch (err) {
      // An unhashable state is an app bug: report it like a throwing callback, keep going.
      this.hashes.forget(this.now);
      this.appError(err, { tick: this.now, resimulating: this.resimulating });
    }
  }

  private appError(err: unknown, where: AppErrorInfo): void {
    this.nAppErrors++;
    if (this.onAppError !== undefined) {
      try {
        this.onAppError(err, where);
      } catch {
        // A throwing error handler must not break the simulation.
      }
    }
  }

  private takeSnapshot(): void {
    const ring = this.ring;
    const tick = this.now;
    const newest = ring.count > 0 ? ring.tickAt(ring.count - 1) : this.baseTick;
    if (newest >= tick) return;
    ring.push(tick, this.copyLive, this.saveRandom);
    this.nTaken++;
  }

  private finishTravel(): void {
    const tr = this.travel;
    if (tr === undefined) return;
    this.travel = undefined;
    if (tr.phase === 'back') this.rollbackTo(tr.lateTick);
    this.resimulate(tr.target);
  }

  private *travelFrames(tr: Travel): TimelineTravel<S> {
    const ring = this.ring;
    let last = tr.target;
    for (let pos = ring.count - 1; pos >= tr.restorePos; pos--) {
      if (this.travel !== tr) return tr.result;
      let tick: number;
      let state: S;
      if (pos >= 0) {
        tick = ring.tickAt(pos);
        state = ring.stateAt(pos);
      } else {
        tick = this.baseTick;
        state = this.baseState;
      }
      if (pos !== tr.restorePos && last - tick < tr.stride) continue;
      last = tick;
      yield { phase: 'back', tick, state };
    }
    if (this.travel !== tr) return tr.result;
    this.rollbackTo(tr.lateTick);
    tr.phase = 'forward';
    while (this.travel === tr) {
      this.resimulate(Math.min(this.now + tr.stride, tr.target));
      if (this.now >= tr.target) this.travel = undefined;
      yield { phase: 'forward', tick: this.now, state: this.live };
    }
    return tr.result;
  }
}
