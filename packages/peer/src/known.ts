/**
 * Which event identities `(source, seq)` this peer knows (holds, has pending, or refused as too
 * old), per source: the highest contiguous seq (the frontier) plus the seqs held above it.
 * This is what flooding dedups on and what the frontier exchange announces. A source the
 * timeline forgot (quiet for a horizon, see forget.ts) leaves a tombstone, its frontier then,
 * until a horizon or more after the timeline stops listing its folded frontier: its old seqs
 * stay known (never re-accepted, requested or counted as lacking when a neighbour lists them),
 * and a source returning under the same id continues above it.
 *
 * Every source of the room is known at every peer, so the entries are cells of one typed array
 * indexed by the source's slot in the peer's {@link IdRegistry} (the codec's: the links' id
 * tables and what each neighbour holds are indexed by the same slots), about 20 bytes a source
 * (two cells and its two links in the order) instead of a map entry and an object. A known source holds its slot (one reference) until
 * it is forgotten. The sources iterate in the order they became known, as a `Map`'s keys.
 * @internal
 */
import { IdRegistry } from '@symmetric/codec';
import { NO_SLOT as NONE, SlotOrder, tableSize } from '@symmetric/core';

/**
 * A source's seqs known above a missing one: kept apart from the columns every source of the
 * room has at every peer, since few sources have a gap at any time.
 * @internal
 */
export interface SourceGap {
  /** The seqs known above the frontier + 1 (never empty). */
  readonly above: Set<number>;
  /** Time (ms) the gap was first seen. */
  readonly since: number;
  /** Highest seq known (the highest of `above`). */
  max: number;
}

/** The known event ids of one peer, per source (see the module comment). @internal */
export class KnownEvents {
  /** Sources with at least one gap (seqs known above a missing one). */
  readonly gappy = new Set<string>();
  /** Forgotten sources: their frontier when forgotten and the tick of their newest event. */
  readonly tombstones = new Map<string, { readonly seq: number; readonly lastTick: number }>();
  /** `true` once a source was forgotten (this peer's history held events of others). */
  forgotAny = false;

  /**
   * Two cells by slot, side by side (what one event's intake reads and writes of its source lies
   * in one place): at `2 × slot` the highest seq such that 1..it are all known (NaN when the
   * slot's source is not known), at `2 × slot + 1` the time (ms) a new seq was last recorded.
   */
  private cells = new Float64Array(0);
  /** Slots {@link cells} has room for. */
  private room = 0;
  /** The order the sources became known in. */
  private readonly order = new SlotOrder();
  /** Sources known (tombstones not included). */
  private known = 0;
  /** The gaps of the sources that have one, by slot. */
  private readonly gaps = new Map<number, SourceGap>();

  /** @param registry the slots of the peer's ids (the codec's registry; a fresh one by default) */
  constructor(readonly registry: IdRegistry = new IdRegistry()) {}

  /** Sources known (tombstones not included). */
  get size(): number {
    return this.known;
  }

  /** The slot of `source` when known (not under a tombstone), else −1. */
  slotOf(source: string): number {
    return this.knownAt(this.registry.slotOf(source));
  }

  /** `slot` (a registry slot, −1 for none) when its source is known here, else −1. */
  private knownAt(slot: number): number {
    return slot >= 0 && slot < this.room && !Number.isNaN(this.cells[2 * slot]!) ? slot : NONE;
  }

  /** `true` when `source` is known (not under a tombstone). */
  knows(source: string): boolean {
    return this.slotOf(source) >= 0;
  }

  /** The first known source's slot, in the order they became known (−1: none). */
  first(): number {
    return this.order.first();
  }

  /** The slot of the source known after the one in `slot` (−1: none). */
  after(slot: number): number {
    return this.order.after(slot);
  }

  /** The known sources' ids, in the order they became known. */
  *ids(): Generator<string, void, undefined> {
    for (let s = this.order.first(); s !== NONE; s = this.order.after(s)) yield this.registry.id(s);
  }

  /** The id of the known source in `slot`. */
  idAt(slot: number): string {
    return this.registry.id(slot);
  }

  /** Frontier (highest seq with all below known) of the known source in `slot`. */
  contiguousAt(slot: number): number {
    return this.cells[2 * slot]!;
  }

  /** Highest seq known of the known source in `slot`. */
  maxAt(slot: number): number {
    const gap = this.gaps.size === 0 ? undefined : this.gaps.get(slot);
    return gap === undefined ? this.cells[2 * slot]! : gap.max;
  }

  /** The gap of the known source in `slot` (seqs known above a missing one), if any. */
  gapAt(slot: number): SourceGap | undefined {
    return this.gaps.size === 0 ? undefined : this.gaps.get(slot);
  }

  /** Highest seq known of `source`, 0 when not known (a tombstone's not counted). */
  max(source: string): number {
    const slot = this.slotOf(source);
    return slot < 0 ? 0 : this.maxAt(slot);
  }

  /** Frontier of `source`: its entry's, else its tombstone's, else 0. */
  contiguous(source: string): number {
    const slot = this.slotOf(source);
    return slot >= 0 ? this.cells[2 * slot]! : (this.tombstones.get(source)?.seq ?? 0);
  }

  /** `true` when `(source, seq)` is known (or under `source`'s tombstone). */
  has(source: string, seq: number): boolean {
    const slot = this.slotOf(source);
    if (slot < 0) return seq <= (this.tombstones.get(source)?.seq ?? 0);
    return seq <= this.cells[2 * slot]! || this.gapAt(slot)?.above.has(seq) === true;
  }

  /** The slot of `source`, its entry made (above its tombstone, if forgotten) when absent. */
  private entry(source: string): number {
    let slot = this.slotOf(source);
    if (slot >= 0) return slot;
    slot = this.registry.acquire(source);
    if (slot >= this.room) this.grow(this.registry.capacity);
    const t = this.tombstones.get(source);
    this.cells[2 * slot] = t === undefined ? 0 : t.seq;
    if (t !== undefined) this.tombstones.delete(source);
    this.cells[2 * slot + 1] = 0;
    this.order.append(slot);
    this.known++;
    return slot;
  }

  /** Drop the entry in `slot` (known): its slot is given back to the registry. */
  private drop(slot: number): void {
    this.order.remove(slot);
    this.cells[2 * slot] = Number.NaN;
    if (this.gaps.size > 0) this.gaps.delete(slot);
    this.known--;
    this.registry.release(slot);
  }

  /**
   * The timeline forgot `source` (its frontier `seq`, its newest event at `lastTick`): keep a
   * tombstone instead of its entry, unless seqs above `seq` are known (then it is not gone).
   */
  forget(source: string, seq: number, lastTick: number): void {
    const slot = this.slotOf(source);
    let contiguous = 0;
    if (slot >= 0) {
      if (this.maxAt(slot) > seq) return;
      contiguous = this.cells[2 * slot]!;
      this.drop(slot);
    }
    this.forgotAny = true;
    this.gappy.delete(source);
    this.tombstones.set(source, { seq: Math.max(seq, contiguous), lastTick });
  }

  /**
   * Forget (leaving a tombstone dated `lastTick`) every source with nothing new recorded since
   * `beforeMs` that `keep` does not keep: ids the timeline never stored (refused as settled).
   */
  sweep(beforeMs: number, keep: (source: string) => boolean, lastTick: number): void {
    const order = this.order;
    for (let s = order.first(); s !== NONE; ) {
      const n = order.after(s);
      if (this.cells[2 * s + 1]! < beforeMs) {
        const source = this.registry.id(s);
        if (!keep(source)) this.forget(source, this.maxAt(s), lastTick);
      }
      s = n;
    }
  }

  /**
   * Drop the tombstones of sources whose newest event is before `beforeTick` (of those `only`
   * picks, when given).
   */
  expire(beforeTick: number, only?: (source: string) => boolean): void {
    for (const [source, t] of this.tombstones)
      if (t.lastTick < beforeTick && (only === undefined || only(source))) this.tombstones.delete(source);
  }

  /** Record `(source, seq)`; `true` when it was new. `now` dates a newly opened gap. */
  add(source: string, seq: number, now: number): boolean {
    return this.addAt(this.registry.slotOf(source), source, seq, now);
  }

  /**
   * {@link add} for a `source` whose registry slot the caller just looked up (`registrySlot`,
   * −1 when no table holds it): no second lookup of the id.
   */
  addAt(registrySlot: number, source: string, seq: number, now: number): boolean {
    let slot = this.knownAt(registrySlot);
    if (slot < 0) {
      if (seq <= (this.tombstones.get(source)?.seq ?? 0)) return false;
      slot = this.entry(source);
    }
    this.cells[2 * slot + 1] = now;
    const c = this.cells[2 * slot]!;
    if (seq <= c) return false;
    const gap = this.gapAt(slot);
    if (seq === c + 1) {
      if (gap === undefined) this.cells[2 * slot] = seq;
      else this.close(slot, source, gap, seq);
    } else if (gap === undefined) {
      this.gaps.set(slot, { above: new Set([seq]), since: now, max: seq });
      this.gappy.add(source);
    } else {
      if (gap.above.has(seq)) return false;
      gap.above.add(seq);
      if (seq > gap.max) gap.max = seq;
    }
    return true;
  }

  /** Frontier `seq` for the source in `slot` with gap `gap`: the seqs above it that follow join it. */
  private close(slot: number, source: string, gap: SourceGap, seq: number): void {
    const above = gap.above;
    for (const s of above) if (s <= seq) above.delete(s);
    while (above.delete(seq + 1)) seq++;
    this.cells[2 * slot] = seq;
    if (above.size === 0) {
      this.gaps.delete(slot);
      this.gappy.delete(source);
    }
  }

  /** Mark `1..seq` of `source` known (e.g. from a snapshot's frontier). */
  raiseTo(source: string, seq: number): void {
    const slot = this.entry(source);
    if (seq <= this.cells[2 * slot]!) return;
    const gap = this.gapAt(slot);
    if (gap === undefined) this.cells[2 * slot] = seq;
    else this.close(slot, source, gap, seq);
  }

  /** Forget seqs above `seq` of `source`. */
  truncate(source: string, seq: number): void {
    const slot = this.slotOf(source);
    if (slot < 0) return;
    if (this.cells[2 * slot]! > seq) this.cells[2 * slot] = seq;
    const gap = this.gapAt(slot);
    if (gap === undefined) return;
    for (const s of gap.above) if (s > seq) gap.above.delete(s);
    if (gap.above.size === 0) {
      this.gaps.delete(slot);
      this.gappy.delete(source);
      return;
    }
    let max = this.cells[2 * slot]!;
    for (const s of gap.above) if (s > max) max = s;
    gap.max = max;
  }

  /** Missing seq runs of `source` between its frontier and its max (at most `maxRuns`). */
  holes(source: string, maxRuns: number): { fromSeq: number; toSeq: number }[] {
    const slot = this.slotOf(source);
    const out: { fromSeq: number; toSeq: number }[] = [];
    const gap = slot < 0 ? undefined : this.gapAt(slot);
    if (gap === undefined) return out;
    const sorted = [...gap.above].sort((a, b) => a - b);
    let expect = this.cells[2 * slot]! + 1;
    for (const s of sorted) {
      if (s > expect) {
        out.push({ fromSeq: expect, toSeq: s - 1 });
        if (out.length >= maxRuns) break;
      }
      expect = s + 1;
    }
    return out;
  }

  /** The seqs of `source` known, as ascending `[from, to]` pairs (a tombstone's as one run). */
  ranges(source: string): number[] {
    const c = this.contiguous(source);
    const out = c > 0 ? [1, c] : [];
    const slot = this.slotOf(source);
    const above = slot < 0 ? undefined : this.gapAt(slot)?.above;
    if (above === undefined) return out;
    for (const seq of [...above].sort((a, b) => a - b)) {
      const n = out.length;
      if (n > 0 && out[n - 1]! + 1 === seq) out[n - 1] = seq;
      else out.push(seq, seq);
    }
    return out;
  }

  /** Number of identities known of the sources not forgotten (tombstones not included). */
  count(): number {
    let n = 0;
    for (let s = this.order.first(); s !== NONE; s = this.order.after(s))
      n += this.cells[2 * s]! + (this.gapAt(s)?.above.size ?? 0);
    return n;
  }

  /** Forget every source (a re-base); tombstones stay: what they cover is settled everywhere. */
  clear(): void {
    this.order.drain((s) => {
      this.cells[2 * s] = Number.NaN;
      this.registry.release(s);
    });
    this.known = 0;
    this.gaps.clear();
    this.gappy.clear();
  }

  private grow(capacity: number): void {
    // Half more at a time (every source of the room has an entry at every peer).
    const n = tableSize(this.room, capacity);
    const cells = new Float64Array(2 * n);
    cells.set(this.cells);
    for (let i = this.cells.length; i < cells.length; i += 2) cells[i] = Number.NaN; // (not known)
    this.order.grow(n);
    this.cells = cells;
    this.room = n;
  }
}
