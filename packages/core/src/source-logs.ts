/**
 * The per-source part of a timeline's event log, in columns indexed by the source's slot in a
 * {@link SourceSlots} registry: its frontier, base and newest folded tick in typed arrays, and
 * its held events in an array (no entry, `undefined`, for a slot the log does not list). The
 * registry is the timeline's own ({@link SourceSlotMap}) or one its host shares
 * (the timeline option `sourceSlots`: the peer runtime's, which its other per-source tables
 * index by); the log holds one reference to the slot of each source it lists. The order the
 * sources came in, which the log iterates them in (as a `Map`'s keys: a source taken out and
 * back comes last), is a list linked through the slots ({@link SlotOrder}).
 *
 * Every source of the room has an entry at every peer. The three columns share one buffer and
 * hold 32-bit integers while every value fits (seqs, ticks, −1), 64-bit floats from the first
 * that does not (a hostile seq can be up to 2^53); the links of the order take 2 bytes each
 * while slots fit in 16 bits. So a source costs 12 bytes of columns and 4 of links (20 and 8
 * once wide), a quarter more as slack, and its pointer in the held array: about 28 bytes, where
 * a map from source to slot and 64-bit columns cost about 66. With the timeline's own registry,
 * add the registry's map entry, id and count (about 40 bytes). What few sources have (seqs given
 * up, identities counted before a forgetting) is kept by slot in a map of its own.
 * @internal
 */
import { fitsInt32 } from './event-columns.js';
import { type HeldEvents, type HeldKeys, heldGet, heldHas, heldMax, noneHeld } from './held-events.js';
import { NO_SLOT, SlotOrder } from './slot-order.js';
import { SourceSlotMap, type SourceSlots } from './source-slots.js';

/**
 * The fields of a source's log most sources never need: seqs given up by compaction, and
 * identities already counted in the forgotten total (it was forgotten and came back).
 * @internal
 */
export interface RareLog {
  /** Seqs at or below the frontier never received and given up by compaction: [from, to] pairs. */
  skipped: number[] | undefined;
  /** Event identities of it already counted in `forgottenIds` (it was forgotten and came back). */
  counted: number;
}

/**
 * A source's log out of the columns: what a forgotten source keeps while the base still lists
 * it (nothing held), or a source to seed.
 * @internal
 */
export interface DetachedLog {
  /** Highest seq such that every seq up to it is held, folded into the base, or given up. */
  readonly frontier: number;
  /** Tick of the newest event folded into the base (−1: none folded). */
  readonly lastTick: number;
  /** Highest seq folded into the base snapshot (0: none). */
  readonly base: number;
  readonly rare: RareLog | undefined;
}

/** `true` when `seq` is in the [from, to] pairs of `rare`'s given-up seqs. */
export function inSkipped(rare: RareLog | undefined, seq: number): boolean {
  const sk = rare?.skipped;
  if (sk === undefined) return false;
  for (let i = 0; i < sk.length; i += 2) if (seq >= sk[i]! && seq <= sk[i + 1]!) return true;
  return false;
}

/** Per-source logs by slot (see the module comment). @internal */
export class SourceLogs {
  /**
   * Highest seq such that every seq up to it is held, folded into the base, or given up. Read
   * here, written through {@link setFrontier} (which widens the columns when it must).
   */
  frontier: Int32Array | Float64Array = new Int32Array(0);
  /** Highest seq folded into the base snapshot (0: none); written through {@link setBase}. */
  base: Int32Array | Float64Array = new Int32Array(0);
  /** Tick of the newest event folded into the base (−1: none folded); written through {@link setLastTick}. */
  lastTick: Int32Array | Float64Array = new Int32Array(0);
  /**
   * Held (not compacted) events by seq (the shared empty array while none), by slot; undefined
   * for a slot the log does not list.
   */
  readonly held: (HeldEvents | undefined)[] = [];
  /** The rare fields of the sources that have them, by slot. */
  readonly rare = new Map<number, RareLog>();
  /** The listed slots in the order their sources came. */
  private readonly order = new SlotOrder();
  /** Sources listed. */
  private count = 0;
  /** `true` once the columns are 64-bit floats. */
  private wide = false;

  /**
   * `keys`: how the held forms read and chain handles (the log's columns); `slots`: the registry the columns are
   * indexed by (the log's own by default).
   */
  constructor(
    readonly keys: HeldKeys,
    readonly slots: SourceSlots = new SourceSlotMap(),
  ) {}

  /** Sources listed. */
  get size(): number {
    return this.count;
  }

  /** The slot of the first source listed (the one listed the longest), or −1. */
  first(): number {
    return this.order.first();
  }

  /**
   * The slot of the source listed after the one in `slot`, or −1; also after `slot` was just
   * removed (a walk may remove the source it is at).
   */
  after(slot: number): number {
    return this.order.after(slot);
  }

  /** The source in `slot` (a slot listed). */
  idAt(slot: number): string {
    return this.slots.id(slot);
  }

  /** The slot of `source`, or −1 when the log does not list it. */
  slotOf(source: string): number {
    const slot = this.slots.slotOf(source);
    return slot >= 0 && slot < this.held.length && this.held[slot] !== undefined ? slot : NO_SLOT;
  }

  /**
   * Set `source`'s log to `log` with nothing held: in place when it has one (its place in the
   * order kept, as a `Map`'s `set`), else in a new slot at the end. Returns the slot.
   */
  put(source: string, log: DetachedLog): number {
    const slot = this.slotOf(source);
    if (slot < 0) return this.add(source, log);
    this.fill(slot, log);
    return slot;
  }

  /** List `source`, which the log does not list, at the end of the order, set to `log`. Returns its slot. */
  add(source: string, log: DetachedLog): number {
    const slot = this.slots.acquire(source);
    if (slot >= this.frontier.length) this.grow(slot + 1);
    const held = this.held;
    while (held.length <= slot) held.push(undefined);
    this.order.append(slot);
    this.count++;
    this.fill(slot, log);
    return slot;
  }

  /** Set `slot`'s log to `log` with nothing held. */
  private fill(slot: number, log: DetachedLog): void {
    this.setFrontier(slot, log.frontier);
    this.setBase(slot, log.base);
    this.setLastTick(slot, log.lastTick);
    this.held[slot] = noneHeld();
    if (log.rare === undefined) {
      if (this.rare.size > 0) this.rare.delete(slot);
    } else this.rare.set(slot, log.rare);
  }

  /**
   * Take the source in `slot` (listed) out, its slot released: its log as it was (its held
   * events are not kept).
   */
  remove(slot: number): DetachedLog {
    const log: DetachedLog = {
      frontier: this.frontier[slot]!,
      lastTick: this.lastTick[slot]!,
      base: this.base[slot]!,
      rare: this.rare.get(slot),
    };
    this.held[slot] = undefined;
    this.rare.delete(slot);
    this.order.remove(slot);
    this.count--;
    this.slots.release(slot);
    return log;
  }

  /** Take every source out (their slots released), as when the log is dropped. */
  clear(): void {
    this.order.drain((slot) => {
      this.held[slot] = undefined;
      this.slots.release(slot);
    });
    this.rare.clear();
    this.count = 0;
  }

  /** Set `slot`'s frontier to `v` (an integer). */
  setFrontier(slot: number, v: number): void {
    if (!this.wide && !fitsInt32(v)) this.widen();
    this.frontier[slot] = v;
  }

  /** Set `slot`'s base to `v` (an integer). */
  setBase(slot: number, v: number): void {
    if (!this.wide && !fitsInt32(v)) this.widen();
    this.base[slot] = v;
  }

  /** Set `slot`'s newest folded tick to `v` (an integer). */
  setLastTick(slot: number, v: number): void {
    if (!this.wide && !fitsInt32(v)) this.widen();
    this.lastTick[slot] = v;
  }

  /** The rare fields of `slot`, made when it has none. */
  rareOf(slot: number): RareLog {
    let r = this.rare.get(slot);
    if (r === undefined) {
      r = { skipped: undefined, counted: 0 };
      this.rare.set(slot, r);
    }
    return r;
  }

  /**
   * Highest seq of `slot`'s source ever held or folded: every event stored is held until it is
   * folded (then the base reaches its seq), so it is the highest of the base, the frontier and
   * the seqs held.
   */
  maxSeqAt(slot: number): number {
    const f = this.frontier[slot]!;
    const b = this.base[slot]!;
    const top = b > f ? b : f;
    const held = heldMax(this.held[slot]!, this.keys);
    return held >= top ? held : top; // (a −0 frontier or base reads back as 0, as Math.max says)
  }

  /** `true` when `seq` of `slot`'s source is held or folded into the base (not given up). */
  holdsAt(slot: number, seq: number): boolean {
    if (seq <= this.frontier[slot]!) return this.rare.size === 0 || !inSkipped(this.rare.get(slot), seq);
    return heldHas(this.held[slot]!, seq, this.keys);
  }

  /** The held event `seq` of `slot`'s source, if held. */
  heldAt(slot: number, seq: number): number | undefined {
    return heldGet(this.held[slot]!, seq, this.keys);
  }

  /** `true` once the columns hold 64-bit floats (a value did not fit in 32 bits). */
  get isWide(): boolean {
    return this.wide;
  }

  /** Room for slots below `n` (and the registry's), a quarter more at a time. */
  private grow(n: number): void {
    // Every source of the room has a slot at every peer; the registry's capacity is where the
    // slots are heading (a shared one holds the host's other sources too).
    const size = Math.max(16, n, this.slots.capacity, Math.ceil(this.frontier.length * 1.25));
    this.columns(size, this.wide);
    this.order.grow(size);
  }

  /** The columns as 64-bit floats from now on (a value does not fit in 32 bits). */
  private widen(): void {
    this.wide = true;
    this.columns(this.frontier.length, true);
  }

  /**
   * Move the columns to `size` cells each of one new buffer (one allocation, the costly part of
   * a growth, instead of three), 32-bit integers or (`wide`) 64-bit floats.
   */
  private columns(size: number, wide: boolean): void {
    const bytes = wide ? Float64Array.BYTES_PER_ELEMENT : Int32Array.BYTES_PER_ELEMENT;
    const buffer = new ArrayBuffer(size * 3 * bytes);
    const column = (k: number, a: Int32Array | Float64Array): Int32Array | Float64Array => {
      const out = wide
        ? new Float64Array(buffer, k * size * bytes, size)
        : new Int32Array(buffer, k * size * bytes, size);
      out.set(a);
      return out;
    };
    this.frontier = column(0, this.frontier);
    this.base = column(1, this.base);
    this.lastTick = column(2, this.lastTick);
  }
}
