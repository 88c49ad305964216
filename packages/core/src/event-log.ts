/**
 * The event log of a timeline: the held events by tick (each tick's bucket in `(source, seq)`
 * order) and per source (contiguous frontier, highest seq, held events, seqs given up by
 * compaction), plus the per-source seqs folded into the base snapshot and the tick of each
 * source's newest folded event. With a forget age, compaction forgets the sources whose newest
 * folded event is older than that age at the new base (see {@link EventLog.fold}). The events
 * themselves sit in columns ({@link EventColumns}); both indexes hold their handles.
 * @internal
 */
import { TimelineError } from './errors.js';
import { type ByteField, byteFieldOption, EventColumns } from './event-columns.js';
import { heldHas, heldSize, heldValues, heldWith, heldWithout } from './held-events.js';
import { HistoryPrints, sourceHash } from './history-print.js';
import { type DetachedLog, inSkipped, SourceLogs } from './source-logs.js';
import { SourceSlotMap, type SourceSlots, sourceSlotsOption } from './source-slots.js';
import { TickIndex } from './tick-index.js';
import { intOption } from './timeline-support.js';
import type { HistoryPrint, TimelineEvent, TimelineOptions, TimelineSnapshot } from './timeline-types.js';

/** A source's log with nothing held, folded or given up yet. */
const EMPTY_LOG: DetachedLog = { frontier: 0, lastTick: -1, base: 0, rare: undefined };

/** `true` when `seq` is folded into a detached (retired) log's base and not given up. */
function detachedHolds(log: DetachedLog, seq: number): boolean {
  return seq <= log.frontier && !inSkipped(log.rare, seq);
}

/**
 * A source compaction forgot: its frontier then, the tick of its newest event, and the event
 * identities it held (the frontier less the seqs given up below it).
 */
export type ForgottenSource = readonly [source: string, seq: number, lastTick: number, ids: number];

/** Held events by tick and by source, and what compaction folded. @internal */
export class EventLog<E> {
  /** The held events, by handle (the indexes below hold handles). */
  readonly columns: EventColumns<E>;
  /** Pending and past events by tick, each tick's sorted by (source, seq). */
  private readonly ticks: TickIndex;
  /** Per source: frontier, held events, base, newest folded tick (columns by slot). */
  private readonly logs: SourceLogs;
  /** Events currently stored. */
  held = 0;
  /** Events folded into the base since the history began (a joiner's snapshot's included). */
  folded = 0;
  /** Stored events offered again. */
  duplicates = 0;
  /** Events refused for being before the base (or a seq given up). */
  tooOld = 0;
  /** Sources the last compaction forgot (until {@link drainForgotten}). */
  private forgotten: ForgottenSource[] = [];

  /**
   * `forgetAfter`: compaction forgets a source once its newest folded event is more than this
   * many ticks before the new base and it holds nothing newer (undefined: never).
   */
  /**
   * Event identities of the sources compaction forgot, summed (each forgotten source's frontier
   * then), since the history began: carried in snapshots, so it is a function of the base.
   */
  forgottenIds = 0;
  /**
   * Forgotten sources whose folded frontier the base still lists, for `keepForgotten` ticks
   * more: one entry each, nothing else about them is kept (see {@link EventLog.fold}).
   */
  private readonly retired = new Map<string, DetachedLog>();
  /** The bound of the last pass of {@link forget} (NaN before the first). */
  private forgotBefore = Number.NaN;

  /**
   * `forgetAfter`: compaction forgets a source once its newest folded event is more than this
   * many ticks before the new base and it holds nothing newer (undefined: never).
   * `keepForgotten`: a forgotten source's folded frontier stays listed in the base (snapshots)
   * this many ticks longer, answering {@link has} and {@link holdsBy} but nothing else.
   * `slots`: the registry of source slots the per-source logs are indexed by (their own by default).
   */
  constructor(
    private readonly forgetAfter: number | undefined = undefined,
    private readonly keepForgotten = 0,
    private readonly printer: HistoryPrints | undefined = undefined,
    slots: SourceSlots | undefined = undefined,
    bytesField: ByteField | undefined = undefined,
  ) {
    const registry = slots ?? new SourceSlotMap();
    this.columns = new EventColumns<E>(registry, bytesField);
    this.logs = new SourceLogs(this.columns, registry);
    this.ticks = new TickIndex(this.columns);
  }

  /**
   * Take every source's log out, their slots released in the registry (the log is dropped: it
   * answers as if it never held anything of them from then on).
   */
  releaseSources(): void {
    this.logs.clear();
  }

  /** The history's prints at the newest marks its base passed (none without `printEvery`). */
  prints(): readonly HistoryPrint[] {
    return this.printer?.prints() ?? [];
  }

  /**
   * The newest-event tick before which a source is forgotten at base `baseTick` (counted in
   * whole eighths of the forget age); `-Infinity` without a forget age.
   */
  forgetBound(baseTick: number): number {
    const age = this.forgetAfter;
    if (age === undefined) return Number.NEGATIVE_INFINITY;
    // Checked at whole eighths of the forget age: peers whose bases differ by a little forget
    // the same sources but within that little after each step.
    const step = Math.max(1, Math.floor(age / 8));
    return Math.floor((baseTick - age) / step) * step;
  }

  /**
   * `source`'s seqs 1..`seq` are folded into the base snapshot (a joiner's snapshot frontier),
   * but those in `skipped` ([from, to] pairs), given up as before the base. Returns its slot.
   */
  seedFolded(source: string, seq: number, lastTick: number, skipped?: readonly number[]): number {
    const sk = skipped !== undefined && skipped.length > 0 ? [...skipped] : undefined;
    return this.logs.put(source, {
      frontier: seq,
      lastTick,
      base: seq,
      rare: sk === undefined ? undefined : { skipped: sk, counted: 0 },
    });
  }

  /** Seed the folded sources of a joiner's snapshot (newest ticks: one before it, if not given). */
  seedFromSnapshot(snap: TimelineSnapshot<unknown>): void {
    const skipped = new Map(snap.skipped ?? []);
    this.forgottenIds = snap.forgottenIds ?? 0;
    this.printer?.fromSnapshot(snap.print, snap.tick);
    if (snap.foldedEvents !== undefined) this.folded = snap.foldedEvents;
    else {
      // Older snapshots: every listed seq but those given up, and the forgotten sources' ids.
      let n = snap.forgottenIds ?? 0;
      for (const [, seq] of snap.frontier) n += seq;
      for (const [, r] of snap.skipped ?? [])
        for (let i = 0; i < r.length; i += 2) n -= r[i + 1]! - r[i]! + 1;
      this.folded = n;
    }
    // Sources the snapshot lists but forgot (their ids are in its forgottenIds) stay forgotten.
    const bound = this.keepForgotten > 0 ? this.forgetBound(snap.tick) : Number.NEGATIVE_INFINITY;
    for (const [i, [source, seq]] of snap.frontier.entries()) {
      if (seq === 0) continue;
      const lastTick = snap.lastTicks?.[i] ?? snap.tick - 1;
      const slot = this.seedFolded(source, seq, lastTick, skipped.get(source));
      if (lastTick < bound) this.retired.set(source, this.logs.remove(slot));
    }
  }

  /**
   * The handles of the events of `tick` in `(source, seq)` order (read through {@link columns}),
   * if any, in an array the log reuses: read it before the next call. Ticks are found fastest
   * read in ascending order (as simulated).
   */
  bucket(tick: number): readonly number[] | undefined {
    return this.ticks.bucket(tick);
  }

  /**
   * The ticks from `quietFrom` up to `quietUntil` (excluded) hold no events: those after the
   * tick of the last {@link bucket} up to the next that holds some. The caller may skip reading
   * them until it stores an event in between.
   */
  get quietFrom(): number {
    return this.ticks.quietFrom;
  }

  /** See {@link quietFrom}. */
  get quietUntil(): number {
    return this.ticks.quietUntil;
  }

  /**
   * What the base snapshot says of the history: per source (sorted) its folded frontier and
   * newest tick, the seqs given up below it, and the forgotten sources' ids.
   */
  baseHistory(): Pick<
    TimelineSnapshot<unknown>,
    'frontier' | 'lastTicks' | 'skipped' | 'forgottenIds' | 'print' | 'foldedEvents'
  > {
    const frontier = this.baseFrontierSorted();
    const skipped = this.baseSkippedSorted();
    const print = this.printer?.toSnapshot();
    return {
      frontier,
      lastTicks: this.baseLastTicks(frontier),
      ...(skipped.length > 0 ? { skipped } : {}),
      ...(this.forgottenIds > 0 ? { forgottenIds: this.forgottenIds } : {}),
      ...(print !== undefined ? { print } : {}),
      foldedEvents: this.folded,
    };
  }

  /** Per source, the highest seq folded into the base, sorted by source. */
  baseFrontierSorted(): [string, number][] {
    const out: [string, number][] = [];
    const logs = this.logs;
    for (let s = logs.first(); s >= 0; s = logs.after(s))
      if (logs.base[s]! > 0) out.push([logs.idAt(s), logs.base[s]!]);
    for (const [source, log] of this.retired) if (log.base > 0) out.push([source, log.base]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Per source of {@link baseFrontierSorted}, in its order, the tick of its newest folded event. */
  baseLastTicks(sorted: readonly (readonly [string, number])[]): number[] {
    return sorted.map(([source]) => {
      const slot = this.logs.slotOf(source);
      return slot >= 0 ? this.logs.lastTick[slot]! : (this.retired.get(source)?.lastTick ?? -1);
    });
  }

  /**
   * The tick of `source`'s newest event when every event of it in the history is folded into
   * the base; `undefined` when it holds one after the base or has none folded.
   */
  quietSince(source: string): number | undefined {
    const logs = this.logs;
    const slot = logs.slotOf(source);
    if (slot < 0 || heldSize(logs.held[slot]!, this.columns) > 0) return undefined;
    const lastTick = logs.lastTick[slot]!;
    return lastTick < 0 ? undefined : lastTick;
  }

  /** The sources the last compaction forgot (each listed once: the list is emptied). */
  drainForgotten(): ForgottenSource[] {
    const out = this.forgotten;
    this.forgotten = [];
    return out;
  }

  /** Sources with state (held, folded or given up), for memory checks. */
  get sourceCount(): number {
    return this.logs.size;
  }

  /**
   * Per source with seqs given up at or below its base frontier (never folded in), sorted by
   * source: [from, to] pairs.
   */
  baseSkippedSorted(): [string, number[]][] {
    const out: [string, number[]][] = [];
    const logs = this.logs;
    for (let s = logs.first(); s >= 0; s = logs.after(s)) {
      const sk = logs.base[s] === 0 ? undefined : logs.rare.get(s)?.skipped;
      if (sk !== undefined && sk.length > 0) out.push([logs.idAt(s), [...sk]]);
    }
    for (const [source, log] of this.retired) {
      const sk = log.base === 0 ? undefined : log.rare?.skipped;
      if (sk !== undefined && sk.length > 0) out.push([source, [...sk]]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /**
   * True if the event `(source, seq)` is held or folded into the base snapshot (a forgotten
   * source's too, while the base lists it).
   */
  has(source: string, seq: number): boolean {
    const slot = this.logs.slotOf(source);
    if (slot >= 0) return this.logs.holdsAt(slot, seq);
    const log = this.retired.get(source);
    return log !== undefined && detachedHolds(log, seq);
  }

  /**
   * Per source, the highest contiguous seq held: every seq up to it is held or folded into the
   * base (it survives compaction). A fresh copy; sources with nothing held are absent.
   */
  frontier(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    const logs = this.logs;
    for (let s = logs.first(); s >= 0; s = logs.after(s))
      if (logs.frontier[s]! > 0) out.set(logs.idAt(s), logs.frontier[s]!);
    return out;
  }

  /** The highest seq held or folded from `source` (0 if none). */
  maxSeq(source: string): number {
    const slot = this.logs.slotOf(source);
    return slot < 0 ? 0 : this.logs.maxSeqAt(slot);
  }

  /**
   * The held events of `source` with `fromSeq <= seq <= toSeq`, by seq, to repair a
   * neighbour's gap. Compacted and missing events are skipped.
   */
  eventsFrom(source: string, fromSeq: number, toSeq: number): TimelineEvent<E>[] {
    if (!Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(toSeq)) {
      throw new TimelineError('BAD_ARGUMENT', 'eventsFrom(source, fromSeq, toSeq) needs integer seqs');
    }
    const logs = this.logs;
    const slot = logs.slotOf(source);
    const out: TimelineEvent<E>[] = [];
    if (slot < 0) return out;
    const from = Math.max(fromSeq, 1);
    const to = Math.min(toSeq, logs.maxSeqAt(slot));
    if (to < from) return out;
    const held = logs.held[slot]!;
    const cols = this.columns;
    if (to - from + 1 <= heldSize(held, cols)) {
      for (let s = from; s <= to; s++) {
        const h = logs.heldAt(slot, s);
        if (h !== undefined) out.push(cols.event(h));
      }
      return out;
    }
    const found: number[] = [];
    for (const h of heldValues(held, cols)) {
      const seq = cols.seqOf(h);
      if (seq >= from && seq <= to) found.push(h);
    }
    found.sort((a, b) => cols.seqOf(a) - cols.seqOf(b));
    for (const h of found) out.push(cols.event(h));
    return out;
  }

  /**
   * The seqs of `source` held or folded into the base (not those given up), as `[from, to]`
   * pairs, ascending and apart (a hole between two pairs); at most `maxPairs` of them.
   */
  heldRanges(source: string, maxPairs: number): number[] {
    const logs = this.logs;
    const slot = logs.slotOf(source);
    const out: number[] = [];
    if (slot < 0) return out;
    const push = (from: number, to: number): boolean => {
      const n = out.length;
      if (n > 0 && out[n - 1]! + 1 === from) out[n - 1] = to;
      else if (n / 2 >= maxPairs) return false;
      else out.push(from, to);
      return true;
    };
    let next = 1;
    const sk = logs.rare.get(slot)?.skipped ?? [];
    for (let i = 0; i < sk.length; i += 2) {
      if (sk[i]! > next && !push(next, sk[i]! - 1)) return out;
      next = sk[i + 1]! + 1;
    }
    const frontier = logs.frontier[slot]!;
    if (frontier >= next && !push(next, frontier)) return out;
    const held = logs.held[slot]!;
    const cols = this.columns;
    if (heldSize(held, cols) === 0 || logs.maxSeqAt(slot) <= frontier) return out;
    const above: number[] = [];
    for (const h of heldValues(held, cols)) {
      const seq = cols.seqOf(h);
      if (seq > frontier) above.push(seq);
    }
    above.sort((a, b) => a - b);
    for (const seq of above) if (!push(seq, seq)) return out;
    return out;
  }

  /**
   * `true` when `source#seq` is in the history at a tick at or before `tick`: held there, or
   * folded into the base (every folded event is before the base, so before any tick simulated).
   */
  holdsBy(source: string, seq: number, tick: number): boolean {
    const slot = this.logs.slotOf(source);
    if (slot < 0) {
      const log = this.retired.get(source);
      return log !== undefined && detachedHolds(log, seq);
    }
    const held = this.logs.heldAt(slot, seq);
    if (held !== undefined) return this.columns.tickOf(held) <= tick;
    return this.logs.holdsAt(slot, seq);
  }

  /**
   * Store a validated event: `'duplicate'` if held or folded, `'too-old'` if before `baseTick` or a
   * seq given up by compaction, else `'stored'`.
   */
  store(event: TimelineEvent<E>, baseTick: number): 'stored' | 'duplicate' | 'too-old' {
    const { tick, source, seq } = event;
    const logs = this.logs;
    let slot = logs.slotOf(source);
    const retired = slot < 0 && this.retired.size > 0 ? this.retired.get(source) : undefined;
    if (retired !== undefined && seq <= retired.frontier) {
      // A forgotten source's old seq: settled and forgotten, as if the base no longer listed it.
      this.tooOld++;
      return 'too-old';
    }
    if (slot >= 0 && logs.holdsAt(slot, seq)) {
      this.duplicates++;
      return 'duplicate';
    }
    if (tick < baseTick || (slot >= 0 && seq <= logs.frontier[slot]!)) {
      // Before the base, or a seq given up by compaction.
      this.tooOld++;
      return 'too-old';
    }
    if (slot < 0) {
      // A forgotten source the base still lists continues above its folded frontier.
      slot = logs.add(source, retired ?? EMPTY_LOG);
      if (retired !== undefined) this.retired.delete(source);
    }
    const cols = this.columns;
    const h = cols.add(event, slot);
    const held = heldWith(logs.held[slot]!, h, cols);
    logs.held[slot] = held;
    if (seq === logs.frontier[slot]! + 1) {
      let f = seq;
      while (heldHas(held, f + 1, cols)) f++;
      logs.setFrontier(slot, f);
    }
    this.ticks.add(h);
    this.held++;
    return 'stored';
  }

  /**
   * Drop events with oldTick <= tick < newTick (now folded into the base; none is held before
   * `oldTick`, the old base, so this drops every one before `newTick`). Then, with a forget
   * age, forget every source that holds nothing and whose newest folded event is more than that
   * age before `newTick`: its frontier, folded and given-up seqs go (listed by
   * {@link drainForgotten}). The rule depends only on the base tick and the folded events, so
   * every peer whose base reaches a tick forgets the same sources there.
   */
  fold(_oldTick: number, newTick: number): void {
    // The seqs folded, by source slot (the source stays listed: it held them).
    const folded = new Map<number, number[]>();
    const printer = this.printer;
    const logs = this.logs;
    const cols = this.columns;
    let hashedSlot = -1;
    let hashA = 0;
    let hashB = 0;
    const drop = (h: number): void => {
      const slot = cols.slotOf(h);
      const seq = cols.seqOf(h);
      const tick = cols.tickOf(h);
      if (tick > logs.lastTick[slot]!) logs.setLastTick(slot, tick);
      if (printer !== undefined) {
        // The source's two hashes for the prints, computed per folded event (an event is folded
        // once) rather than kept in every source's log.
        if (slot !== hashedSlot) {
          hashedSlot = slot;
          const source = logs.idAt(slot);
          hashA = sourceHash(source, 0) | 0;
          hashB = sourceHash(source, 0x5bd1e995) | 0;
        }
        printer.fold(hashA, hashB, seq, tick);
      }
      logs.held[slot] = heldWithout(logs.held[slot]!, seq, cols);
      cols.drop(h);
      this.held--;
      this.folded++;
      let list = folded.get(slot);
      if (list === undefined) folded.set(slot, (list = []));
      list.push(seq);
    };
    this.ticks.foldBefore(newTick, drop);
    for (const [slot, seqs] of folded) {
      let max = 0;
      for (const s of seqs) if (s > max) max = s;
      if (logs.base[slot]! < max) logs.setBase(slot, max);
      const frontier = logs.frontier[slot]!;
      if (max <= frontier) continue;
      // Seqs in (frontier, max] never received are given up: they can only be before the base.
      const held = logs.held[slot]!;
      const present = seqs.filter((s) => s > frontier);
      for (const h of heldValues(held, cols)) {
        const seq = cols.seqOf(h);
        if (seq > frontier && seq <= max) present.push(seq);
      }
      present.sort((a, b) => a - b);
      let expect = frontier + 1;
      const skipped = logs.rare.get(slot)?.skipped ?? [];
      for (const s of present) {
        if (s > expect) skipped.push(expect, s - 1);
        expect = s + 1;
      }
      if (skipped.length > 0) logs.rareOf(slot).skipped = skipped;
      let f = max;
      while (heldHas(held, f + 1, cols)) f++;
      logs.setFrontier(slot, f);
    }
    printer?.passTo(newTick);
    this.forgotten = [];
    if (this.forgetAfter !== undefined) this.forget(this.forgetBound(newTick), folded);
  }

  /**
   * Drop the retired entries (forgotten sources whose folded frontier the base still lists) of
   * the sources `gone` says will never come back. Returns how many were dropped.
   */
  dropRetired(gone: (source: string) => boolean): number {
    let n = 0;
    for (const source of this.retired.keys())
      if (gone(source)) {
        this.retired.delete(source);
        n++;
      }
    return n;
  }

  /** Forgotten sources whose folded frontier the base still lists. */
  get retiredCount(): number {
    return this.retired.size;
  }

  /**
   * Forget the sources holding nothing whose newest folded event is before `beforeTick` (kept
   * as one retired entry each for `keepForgotten` ticks more), and drop the retired ones older.
   * At the bound of the last pass nothing changes: that pass kept the sources and retired
   * entries it found, those have only gained events since but for the ones this fold emptied
   * (`folded`), and these are due only if the fold spanned more than the forget age (it spans
   * less than one step of the bound): looked at, and all gone through then.
   */
  private forget(beforeTick: number, folded: ReadonlyMap<number, unknown>): void {
    const logs = this.logs;
    if (beforeTick === this.forgotBefore) {
      let due = false;
      for (const slot of folded.keys()) if (this.isDue(slot, beforeTick)) due = true;
      if (!due) return;
    }
    this.forgotBefore = beforeTick;
    const until = beforeTick - this.keepForgotten;
    for (const [source, log] of this.retired) if (log.lastTick < until) this.retired.delete(source);
    // (after(s) still names the next source once s is forgotten.)
    for (let s = logs.first(); s >= 0; s = logs.after(s))
      if (this.isDue(s, beforeTick)) this.forgetSource(logs.idAt(s), s, until);
  }

  /** `true` when the source in `slot` holds nothing and its newest folded event is before `beforeTick`. */
  private isDue(slot: number, beforeTick: number): boolean {
    const logs = this.logs;
    return (
      logs.base[slot]! !== 0 &&
      heldSize(logs.held[slot]!, this.columns) === 0 &&
      logs.lastTick[slot]! < beforeTick
    );
  }

  /** Forget `source` (in `slot`), kept as a retired entry when its newest event is at or after `until`. */
  private forgetSource(source: string, slot: number, until: number): void {
    const logs = this.logs;
    const base = logs.base[slot]!;
    const lastTick = logs.lastTick[slot]!;
    const { frontier, rare } = logs.remove(slot);
    const seq = Math.max(base, frontier);
    let ids = seq;
    const sk = rare?.skipped;
    if (sk !== undefined) for (let i = 0; i < sk.length; i += 2) ids -= sk[i + 1]! - sk[i]! + 1;
    // A retired source that came back was counted up to its frontier then: count the rest.
    const counted = rare?.counted ?? 0;
    this.forgottenIds += ids - counted;
    this.forgotten.push([source, seq, lastTick, ids - counted]);
    if (lastTick >= until)
      this.retired.set(source, { frontier, lastTick, base, rare: { skipped: sk, counted: ids } });
  }
}

/**
 * The event log of a timeline with `options`, its forget options checked (`BAD_OPTION` when out of
 * range). @internal
 */
export function eventLogFor<E>(
  options: Pick<
    TimelineOptions,
    'forgetSourcesAfter' | 'keepForgottenFor' | 'printEvery' | 'sourceSlots' | 'bytesField'
  >,
): EventLog<E> {
  const forget = options.forgetSourcesAfter;
  if (forget !== undefined) intOption(forget, 'forgetSourcesAfter', 0, 0, 2 ** 52);
  const every = options.printEvery;
  return new EventLog<E>(
    forget,
    intOption(options.keepForgottenFor, 'keepForgottenFor', 0, 0, 2 ** 52),
    every === undefined ? undefined : new HistoryPrints(intOption(every, 'printEvery', 1, 1, 2 ** 40)),
    sourceSlotsOption(options.sourceSlots),
    byteFieldOption(options.bytesField),
  );
}
