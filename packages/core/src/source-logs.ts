/**
 * The per-source part of a timeline's event log, in columns: a slot per source (from `sources`,
 * which also keeps the order sources came in, as the log iterates them), its frontier, base and
 * newest folded tick in typed arrays and its held events in an array, all indexed by the slot.
 * Every source of the room has an entry at every peer, so this costs about 32 bytes a source
 * (with a quarter of slack) where an object per source cost its 24-byte header and 8 bytes a
 * field. What few sources have (seqs given up, identities counted before a forgetting) is kept
 * by slot in a map of its own.
 * @internal
 */
import { type HeldEvents, heldGet, heldHas, heldMax, noneHeld } from './held-events.js';

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
export class SourceLogs<T extends { readonly seq: number }> {
  /** Slot of each source, in the order the sources came. */
  readonly sources = new Map<string, number>();
  /** Highest seq such that every seq up to it is held, folded into the base, or given up. */
  frontier = new Float64Array(0);
  /** Highest seq folded into the base snapshot (0: none). */
  base = new Float64Array(0);
  /** Tick of the newest event folded into the base (−1: none folded). */
  lastTick = new Float64Array(0);
  /** Held (not compacted) events by seq (the shared empty array while none). */
  readonly held: HeldEvents<T>[] = [];
  /** The rare fields of the sources that have them, by slot. */
  readonly rare = new Map<number, RareLog>();
  /** Slots given back, reused before new ones. */
  private readonly free: number[] = [];

  /** The slot of `source`, or −1. */
  slotOf(source: string): number {
    return this.sources.get(source) ?? -1;
  }

  /**
   * Set `source`'s log to `log` with nothing held: in place when it has one (its place in the
   * order kept, as a `Map`'s `set`), else in a new slot at the end. Returns the slot.
   */
  put(source: string, log: DetachedLog): number {
    const slot = this.sources.get(source);
    if (slot === undefined) return this.add(source, log);
    this.fill(slot, log);
    return slot;
  }

  /** Give `source`, which has no slot, one at the end of the order, set to `log`. Returns the slot. */
  add(source: string, log: DetachedLog): number {
    const slot = this.free.pop() ?? this.held.length;
    if (slot === this.held.length) {
      this.held.push(noneHeld());
      if (slot >= this.frontier.length) this.grow(slot + 1);
    }
    this.sources.set(source, slot);
    this.fill(slot, log);
    return slot;
  }

  /** Set `slot`'s log to `log` with nothing held. */
  private fill(slot: number, log: DetachedLog): void {
    this.frontier[slot] = log.frontier;
    this.base[slot] = log.base;
    this.lastTick[slot] = log.lastTick;
    this.held[slot] = noneHeld();
    if (log.rare === undefined) {
      if (this.rare.size > 0) this.rare.delete(slot);
    } else this.rare.set(slot, log.rare);
  }

  /** Take `source` (in slot `slot`) out: its log as it was (its held events are not kept). */
  remove(source: string, slot: number): DetachedLog {
    const log: DetachedLog = {
      frontier: this.frontier[slot]!,
      lastTick: this.lastTick[slot]!,
      base: this.base[slot]!,
      rare: this.rare.get(slot),
    };
    this.sources.delete(source);
    this.held[slot] = noneHeld();
    this.rare.delete(slot);
    this.free.push(slot);
    return log;
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
    const held = heldMax(this.held[slot]!);
    return held > top ? held : top;
  }

  /** `true` when `seq` of `slot`'s source is held or folded into the base (not given up). */
  holdsAt(slot: number, seq: number): boolean {
    if (seq <= this.frontier[slot]!) return this.rare.size === 0 || !inSkipped(this.rare.get(slot), seq);
    return heldHas(this.held[slot]!, seq);
  }

  /** The held event `seq` of `slot`'s source, if held. */
  heldAt(slot: number, seq: number): T | undefined {
    return heldGet(this.held[slot]!, seq);
  }

  private grow(n: number): void {
    // A quarter more at a time: every source of the room has a slot at every peer. The three
    // columns share one buffer (one allocation, the costly part of a growth, instead of three).
    const size = Math.max(16, n, Math.ceil(this.frontier.length * 1.25));
    const buffer = new ArrayBuffer(size * 3 * Float64Array.BYTES_PER_ELEMENT);
    const column = (k: number, a: Float64Array): Float64Array<ArrayBuffer> => {
      const out = new Float64Array(buffer, k * size * Float64Array.BYTES_PER_ELEMENT, size);
      out.set(a);
      return out;
    };
    this.frontier = column(0, this.frontier);
    this.base = column(1, this.base);
    this.lastTick = column(2, this.lastTick);
  }
}
