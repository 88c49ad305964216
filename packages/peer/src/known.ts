/**
 * Which event identities `(source, seq)` this peer knows (holds, has pending, or refused as too
 * old), per source: the highest contiguous seq (the frontier) plus the seqs held above it.
 * This is what flooding dedups on and what the frontier exchange announces. A source the
 * timeline forgot (gone for 8 horizons) leaves a tombstone, its frontier then, for two
 * to three horizons more: its old seqs stay known (never re-accepted, requested or counted as lacking
 * when a neighbour that has not forgotten it yet lists it), and a source returning under the
 * same id continues above it.
 * @internal
 */
export class SourceKnown {
  /** Highest seq such that 1..contiguous are all known. */
  contiguous = 0;
  /** Time (ms) a new seq of it was last recorded. */
  touched = 0;
  /** The seqs known above a missing one, while there are any (most sources have none). */
  gap: SourceGap | undefined = undefined;

  /** Highest seq known. */
  get max(): number {
    return this.gap === undefined ? this.contiguous : this.gap.max;
  }

  /** Seqs known above `contiguous + 1` (gaps below them); undefined when none. */
  get above(): Set<number> | undefined {
    return this.gap?.above;
  }

  /** Time (ms) the current gap was first seen, or -1. */
  get gapSince(): number {
    return this.gap === undefined ? -1 : this.gap.since;
  }
}

/**
 * A source's seqs known above a missing one: kept apart from {@link SourceKnown}, which every
 * source of the room has at every peer, since few sources have a gap at any time.
 * @internal
 */
export interface SourceGap {
  /** The seqs known above `contiguous + 1` (never empty). */
  readonly above: Set<number>;
  /** Time (ms) the gap was first seen. */
  readonly since: number;
  /** Highest seq known (the highest of `above`). */
  max: number;
}

/** @internal */
export class KnownEvents {
  readonly sources = new Map<string, SourceKnown>();
  /** Sources with at least one gap (seqs known above a missing one). */
  readonly gappy = new Set<string>();
  /** Forgotten sources: their frontier when forgotten and the tick of their newest event. */
  readonly tombstones = new Map<string, { readonly seq: number; readonly lastTick: number }>();
  /** `true` once a source was forgotten (this peer's history held events of others). */
  forgotAny = false;

  /**
   * The source last found and its entry: a frame's events are looked up by the quota guard and
   * then recorded, one after the other (forgetting a source or clearing drops it).
   */
  private lastSource: string | undefined = undefined;
  private lastEntry: SourceKnown | undefined = undefined;

  get(source: string): SourceKnown | undefined {
    if (source === this.lastSource) return this.lastEntry;
    const k = this.sources.get(source);
    if (k !== undefined) {
      this.lastSource = source;
      this.lastEntry = k;
    }
    return k;
  }

  contiguous(source: string): number {
    return this.sources.get(source)?.contiguous ?? this.tombstones.get(source)?.seq ?? 0;
  }

  has(source: string, seq: number): boolean {
    const k = this.sources.get(source);
    if (k === undefined) return seq <= (this.tombstones.get(source)?.seq ?? 0);
    return seq <= k.contiguous || k.above?.has(seq) === true;
  }

  /** The entry of `source`, made (above its tombstone, if forgotten) when absent. */
  private entry(source: string): SourceKnown {
    let k = this.sources.get(source);
    if (k === undefined) {
      k = new SourceKnown();
      const t = this.tombstones.get(source);
      if (t !== undefined) {
        k.contiguous = t.seq;
        this.tombstones.delete(source);
      }
      this.sources.set(source, k);
    }
    return k;
  }

  /**
   * The timeline forgot `source` (its frontier `seq`, its newest event at `lastTick`): keep a
   * tombstone instead of its entry, unless seqs above `seq` are known (then it is not gone).
   */
  forget(source: string, seq: number, lastTick: number): void {
    const k = this.sources.get(source);
    if (k !== undefined && k.max > seq) return;
    this.forgotAny = true;
    if (source === this.lastSource) this.lastSource = undefined;
    this.sources.delete(source);
    this.gappy.delete(source);
    this.tombstones.set(source, { seq: Math.max(seq, k?.contiguous ?? 0), lastTick });
  }

  /**
   * Forget (leaving a tombstone dated `lastTick`) every source with nothing new recorded since
   * `beforeMs` that `keep` does not keep: ids the timeline never stored (refused as settled).
   */
  sweep(beforeMs: number, keep: (source: string) => boolean, lastTick: number): void {
    // forEach: no [source, entry] array per source (every source, at every compaction).
    this.sources.forEach((k, source) => {
      if (k.touched < beforeMs && !keep(source)) this.forget(source, k.max, lastTick);
    });
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
    let k = this.get(source);
    if (k === undefined) {
      if (seq <= (this.tombstones.get(source)?.seq ?? 0)) return false;
      k = this.entry(source);
    }
    k.touched = now;
    if (seq <= k.contiguous) return false;
    const gap = k.gap;
    if (seq === k.contiguous + 1) {
      k.contiguous = seq;
      if (gap !== undefined) {
        const above = gap.above;
        while (above.delete(k.contiguous + 1)) k.contiguous++;
        if (above.size === 0) {
          k.gap = undefined;
          this.gappy.delete(source);
        }
      }
    } else if (gap === undefined) {
      k.gap = { above: new Set([seq]), since: now, max: seq };
      this.gappy.add(source);
    } else {
      if (gap.above.has(seq)) return false;
      gap.above.add(seq);
      if (seq > gap.max) gap.max = seq;
    }
    return true;
  }

  /** Mark `1..seq` of `source` known (e.g. from a snapshot's frontier). */
  raiseTo(source: string, seq: number): void {
    const k = this.entry(source);
    if (seq <= k.contiguous) return;
    k.contiguous = seq;
    const gap = k.gap;
    if (gap !== undefined) {
      const above = gap.above;
      for (const s of above) if (s <= seq) above.delete(s);
      while (above.delete(k.contiguous + 1)) k.contiguous++;
      if (above.size === 0) {
        k.gap = undefined;
        this.gappy.delete(source);
      }
    }
  }

  /** Forget seqs above `seq` of `source`. */
  truncate(source: string, seq: number): void {
    const k = this.sources.get(source);
    if (k === undefined) return;
    if (k.contiguous > seq) k.contiguous = seq;
    const gap = k.gap;
    if (gap === undefined) return;
    for (const s of gap.above) if (s > seq) gap.above.delete(s);
    if (gap.above.size === 0) {
      k.gap = undefined;
      this.gappy.delete(source);
      return;
    }
    let max = k.contiguous;
    for (const s of gap.above) if (s > max) max = s;
    gap.max = max;
  }

  /** Missing seq runs of `source` between its frontier and its max (at most `maxRuns`). */
  holes(source: string, maxRuns: number): { fromSeq: number; toSeq: number }[] {
    const k = this.sources.get(source);
    const out: { fromSeq: number; toSeq: number }[] = [];
    if (k === undefined || k.above === undefined) return out;
    const sorted = [...k.above].sort((a, b) => a - b);
    let expect = k.contiguous + 1;
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
    const above = this.sources.get(source)?.above;
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
    for (const k of this.sources.values()) n += k.contiguous + (k.above?.size ?? 0);
    return n;
  }

  /** Forget every source (a re-base); tombstones stay: what they cover is settled everywhere. */
  clear(): void {
    this.lastSource = undefined;
    this.sources.clear();
    this.gappy.clear();
  }
}
