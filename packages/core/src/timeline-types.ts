/**
 * The timeline's public types: events and their total order, options, insertion outcomes,
 * snapshots, counters and smooth-travel frames.
 */
import type { SourceSlots } from './source-slots.js';

/**
 * An event on the timeline. Its identity is `(source, seq)`; its place in the total order is
 * `(tick, source, seq)` (see {@link compareEvents}). `seq` starts at 1 for each source, and a
 * source stamps its events with non-decreasing ticks.
 *
 * The timeline keeps the event object by reference (extra fields such as a signature survive
 * and come back from {@link Timeline.eventsFrom}); do not mutate it after inserting it.
 */
export interface TimelineEvent<E> {
  /** The tick at which the event applies (before that tick's `app.tick`). */
  readonly tick: number;
  /** Peer id of the event's source (a non-empty string). */
  readonly source: string;
  /** The source's own counter, from 1. */
  readonly seq: number;
  /** The app's event. */
  readonly payload: E;
  /**
   * A re-stamp: the seq (below `seq`) of the same source's event whose user action this one
   * carries again. The timeline skips a re-stamp whose original is in its history (held at the
   * same or an earlier tick, or folded), so an action is applied once whichever of the two the
   * room ends up holding, and the outcome depends only on the events held, never on their order.
   */
  readonly restamps?: number;
}

/**
 * The total order of events: by `tick`, then `source` by UTF-16 code units (plain `<`, never
 * `localeCompare`, which differs between machines), then `seq`. Returns a negative number,
 * zero or a positive number, like every `Array.prototype.sort` comparator.
 */
export function compareEvents(a: TimelineEvent<unknown>, b: TimelineEvent<unknown>): number {
  if (a.tick !== b.tick) return a.tick < b.tick ? -1 : 1;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

/** Where an app callback threw (see {@link TimelineOptions.onAppError}). */
export interface AppErrorInfo {
  /** The tick being simulated. */
  readonly tick: number;
  /** Source of the event whose handler threw; absent when `app.tick` threw. */
  readonly source?: string;
  /** Seq of the event whose handler threw; absent when `app.tick` threw. */
  readonly seq?: number;
  /** True when the throw happened while re-simulating after a rollback. */
  readonly resimulating: boolean;
}

/**
 * How a timeline thins out its old snapshots ({@link TimelineOptions.snapshotThinning}): past
 * `afterTicks` behind the newest snapshot, one snapshot per `every` ticks.
 */
export interface SnapshotThinning {
  /** Snapshots this many ticks or less older than the newest are all kept (an integer >= 0). */
  readonly afterTicks: number;
  /** Older ones: the first of each window of this many ticks is kept (an integer >= 1). */
  readonly every: number;
}

/** Options of a {@link Timeline}. */
export interface TimelineOptions {
  /** Seed for `app.init` and for the PRNG behind `ctx.random` (a safe integer). Default 0. */
  seed?: number | undefined;
  /**
   * Take a snapshot every K ticks (when `tick % K === 0`). Smaller K: cheaper rollbacks, more
   * copying while running. Every K gives the same states. Default 10.
   */
  snapshotEvery?: number | undefined;
  /**
   * How many snapshots the ring keeps besides the base snapshot (at least 1). A rollback
   * older than the oldest snapshot in the ring re-simulates from the base snapshot: still
   * correct, only slower. Keep `snapshotEvery * maxSnapshots` above the compaction horizon.
   * Default 128.
   */
  maxSnapshots?: number | undefined;
  /**
   * Thin out old snapshots: those more than `afterTicks` older than the newest are kept only
   * when they are the first of their `every`-tick window. A rollback that deep then restores a
   * snapshot up to `every` ticks earlier and re-simulates those ticks too (same states, a little
   * more work); compaction's base lands on the kept ones. Off by default (every snapshot kept
   * up to `maxSnapshots`).
   */
  snapshotThinning?: SnapshotThinning | undefined;
  /**
   * Record the state hash (as {@link Timeline.hash}) whenever the timeline reaches a tick that
   * is a multiple of this, going forward or re-simulating, so {@link Timeline.hashAt} can
   * answer for those ticks after the state has moved on (desync reports of settled ticks).
   * 0 turns it off. Default 0.
   */
  hashEvery?: number | undefined;
  /** How many recorded hashes to keep (the newest). Default 64. */
  maxHashes?: number | undefined;
  /**
   * Forget a source once its newest event is more than this many ticks before the base and it
   * holds nothing newer: {@link Timeline.compact} drops its frontier, folded and given-up seqs
   * (listed once by {@link Timeline.drainForgotten}), so memory follows the sources active
   * within the horizon, not every source the session ever saw. Its events, all before the base,
   * stay refused as `'too-old'`. The rule depends only on the base tick and the folded events
   * (snapshots carry each source's newest tick), so every timeline whose base reaches a tick
   * forgets the same sources there (the age is counted in whole eighths of itself, so bases a
   * little apart agree but for a little after each eighth). Undefined (the default): never.
   */
  forgetSourcesAfter?: number | undefined;
  /**
   * With `forgetSourcesAfter`: a forgotten source's folded frontier stays listed in the base
   * (and so in snapshots, `frontier`, `lastTicks`, `skipped`) this many ticks longer, as one
   * entry: {@link Timeline.has} still answers for its folded seqs (so a re-stamp naming one is
   * skipped, and a peer re-basing on a snapshot knows which of its own events the history
   * folded), nothing else lists it (`frontier()`, `heldRanges`, `maxSeq`, `drainForgotten` report
   * it forgotten); a new event above its frontier brings it back. A snapshot's sources whose
   * newest tick is that old are seeded forgotten the same way. Default 0: dropped at once.
   */
  keepForgottenFor?: number | undefined;
  /**
   * Ticks between the marks a history is printed at ({@link Timeline.prints}): each time the base
   * passes a whole multiple of it, the count and digest of the events folded before that mark
   * are kept (the newest 64). Undefined (the default): no prints.
   */
  printEvery?: number | undefined;
  /**
   * The registry of source slots the timeline indexes its per-source log by (see
   * {@link SourceSlots}): pass one the host's other per-source tables share (the peer runtime
   * passes its codec's) and the timeline keeps no map from source to slot of its own. It holds
   * one reference to the slot of each source its log lists (released when it forgets the
   * source, or by {@link Timeline.releaseSources} when the timeline is dropped); what it stores
   * does not depend on the slots. Default: a registry of its own.
   */
  sourceSlots?: SourceSlots | undefined;
  /**
   * One field of the host's own that events may carry as bytes of a fixed length (the peer
   * runtime's `signature`, 64 bytes): an event with it (and no other field beyond `source`,
   * `seq`, `tick` and `payload`) is held in columns, the bytes in a column of their own, and
   * comes back from {@link Timeline.eventsFrom} as a new object with a copy of them. Without it,
   * an event with any other field is kept whole (as the very object inserted). Default: none.
   */
  bytesField?: { readonly name: string; readonly length: number } | undefined;
  /**
   * Called when `app.event` or `app.tick` throws. The timeline catches the error, counts it in
   * `stats().appErrors`, keeps whatever state the callback left and goes on, so a bad event
   * cannot stop a peer (and every peer, running the same code, does the same). Re-simulation
   * calls the callbacks again, so the same error can be reported more than once.
   */
  onAppError?: ((error: unknown, where: AppErrorInfo) => void) | undefined;
}

/**
 * What {@link Timeline.insert} did with an event:
 * - `'scheduled'`: its tick is now or later; it applies when that tick is simulated;
 * - `'late'`: its tick has passed; the timeline rolled back and re-simulated to now inside the call;
 * - `'duplicate'`: an event with this `(source, seq)` is already held (or folded into the base);
 * - `'too-old'`: its tick is before the compaction base; refused and counted in `stats().tooOld`.
 */
export type InsertResult = 'scheduled' | 'late' | 'duplicate' | 'too-old';

/** What {@link Timeline.insertMany} did, counted per outcome. */
export interface InsertManyResult {
  /** Events with a tick now or later. */
  scheduled: number;
  /** Events with a passed tick (all shared one rollback). */
  late: number;
  /** Events already held. */
  duplicates: number;
  /** Events before the compaction base, refused. */
  tooOld: number;
}

/**
 * A settled state to hand a joining peer ({@link Timeline.baseSnapshot},
 * {@link Timeline.fromSnapshot}). The state is at the START of `tick`: it folds in every event
 * with a smaller tick.
 */
export interface TimelineSnapshot<S> {
  /** The tick the state is at. */
  readonly tick: number;
  /** The app state (a copy owned by whoever holds the snapshot). */
  readonly state: S;
  /** The PRNG state: four uint32 words. */
  readonly random: readonly number[];
  /**
   * Per source, the highest seq folded into the state, sorted by source. Events of a source
   * have non-decreasing ticks, so the folded events of a source are a seq prefix: a joiner
   * needs only seqs above these.
   */
  readonly frontier: readonly (readonly [source: string, seq: number])[];
  /**
   * Per source, the seqs at or below its `frontier` entry that are NOT folded in (given up as
   * older than a base: a later seq of the source was taken), as [from, to] pairs, sorted by
   * source; absent when there are none.
   */
  readonly skipped?: readonly (readonly [source: string, ranges: readonly number[]])[];
  /**
   * Per `frontier` entry, in its order, the tick of the source's newest event folded into the
   * state (-1 if unknown): what forgetting a source ({@link TimelineOptions.forgetSourcesAfter})
   * is decided on. Absent: each counts as one tick before the snapshot's tick.
   */
  readonly lastTicks?: readonly number[];
  /**
   * Event identities of the sources the history forgot before this snapshot's tick, summed
   * ({@link TimelineOptions.forgetSourcesAfter}); absent when none. Lets a count of the history's
   * events stay the same across peers that forgot at different compactions.
   */
  readonly forgottenIds?: number;
  /**
   * Events folded into the state since the history began ({@link Timeline.foldedEvents});
   * absent: counted from `frontier`, `skipped` and `forgottenIds`.
   */
  readonly foldedEvents?: number;
  /**
   * What continues the history's prints ({@link TimelineOptions.printEvery}): the count and
   * digest of the events folded before `mark` (the newest mark at or before `tick`), and of those
   * folded since, by span (`[span start, count, digest]`). Absent without prints.
   */
  readonly print?: {
    readonly every: number;
    readonly mark: number;
    readonly count: number;
    readonly digest: number;
    readonly open: readonly (readonly [span: number, count: number, digest: number])[];
    /**
     * The prints at the marks before `mark` the history still keeps, oldest first (absent: none),
     * so a timeline that adopts the snapshot compares histories from the same marks as its server.
     */
    readonly kept?: readonly (readonly [tick: number, count: number, digest: number])[];
  };
}

/**
 * A history's print at a mark ({@link Timeline.prints}): how many events it folded into its base
 * with a tick before `tick`, and a digest of their identities (a sum modulo 2^48, so the order
 * they were folded in does not matter). Two timelines with the same events before `tick` print
 * the same there, whatever they compacted when and whatever sources they forgot since.
 */
export interface HistoryPrint {
  /** The mark: a whole multiple of `printEvery`. */
  readonly tick: number;
  /** Events folded with a tick before the mark. */
  readonly count: number;
  /** Their digest, below 2^48. */
  readonly digest: number;
}

/** Counters of a {@link Timeline}; all start at 0. */
export interface TimelineStats {
  /** Ticks simulated going forward (`advance`), re-simulation excluded. */
  readonly ticksSimulated: number;
  /** Ticks actually re-simulated after rollbacks (several late events may share one). */
  readonly ticksResimulated: number;
  /** Events that arrived after their tick had passed. */
  readonly lateEvents: number;
  /** The paper's metric: for each late event, `now - event.tick`, summed. */
  readonly ticksTravelledBack: number;
  /** Rollbacks performed (late insertions, shared by a batch, plus forced ones). */
  readonly rollbacks: number;
  /** Events currently stored (compaction drops the folded ones). */
  readonly eventsHeld: number;
  /** Inserted events that were already held. */
  readonly duplicates: number;
  /** Inserted events refused for being before the compaction base. */
  readonly tooOld: number;
  /** Snapshots currently held: the ring plus the base snapshot. */
  readonly snapshotsHeld: number;
  /** Snapshots taken so far (ring only). */
  readonly snapshotsTaken: number;
  /** Events refused with a `TimelineError` for being malformed. */
  readonly invalidEvents: number;
  /** Throws from `app.event` / `app.tick` caught by the timeline. */
  readonly appErrors: number;
  /** Tick of the base snapshot (events before it are `'too-old'`). */
  readonly baseTick: number;
}

/** One frame of a smooth travel ({@link Timeline.insertSmooth}). */
export interface TravelFrame<S> {
  /** `'back'`: stepping back through held snapshots; `'forward'`: re-simulating to the present. */
  readonly phase: 'back' | 'forward';
  /** The tick `state` is at (start of that tick). */
  readonly tick: number;
  /** The state to draw. Valid until the next step of the travel; never mutate it. */
  readonly state: Readonly<S>;
}

/** Options of {@link Timeline.insertSmooth}. */
export interface TravelOptions {
  /** Ticks per frame, going back and going forward (a positive integer). Default 1. */
  stride?: number | undefined;
}

/**
 * A smooth travel in progress: iterate it to get the frames, one per rendered frame. When it
 * is done (or abandoned, or any other timeline method is called) the timeline is at the
 * present again, exactly as after {@link Timeline.insertMany}; its return value is the
 * insertion outcome.
 */
export type TimelineTravel<S> = Generator<TravelFrame<S>, InsertManyResult, void>;
