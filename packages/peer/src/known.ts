/**
 * Which event identities `(source, seq)` this peer knows (holds, has pending, or refused as too
 * old), per source: the highest contiguous seq (the frontier) plus the seqs held above it.
 * This is what flooding dedups on and what the frontier exchange announces.
 * @internal
 */
export class SourceKnown {
  /** Highest seq such that 1..contiguous are all known. */
  contiguous = 0;
  /** Highest seq known. */
  max = 0;
  /** Seqs known above `contiguous + 1` (gaps below them); undefined when none. */
  above: Set<number> | undefined = undefined;
  /** Time (ms) the current gap was first seen, or -1. */
  gapSince = -1;
}

/** @internal */
export class KnownEvents {
  readonly sources = new Map<string, SourceKnown>();
  /** Sources with at least one gap (seqs known above a missing one). */
  readonly gappy = new Set<string>();

  get(source: string): SourceKnown | undefined {
    return this.sources.get(source);
  }

  contiguous(source: string): number {
    return this.sources.get(source)?.contiguous ?? 0;
  }

  has(source: string, seq: number): boolean {
    const k = this.sources.get(source);
    if (k === undefined) return false;
    return seq <= k.contiguous || k.above?.has(seq) === true;
  }

  /** Record `(source, seq)`; `true` when it was new. `now` dates a newly opened gap. */
  add(source: string, seq: number, now: number): boolean {
    let k = this.sources.get(source);
    if (k === undefined) {
      k = new SourceKnown();
      this.sources.set(source, k);
    }
    if (seq <= k.contiguous) return false;
    if (seq === k.contiguous + 1) {
      k.contiguous = seq;
      const above = k.above;
      if (above !== undefined) {
        while (above.delete(k.contiguous + 1)) k.contiguous++;
        if (above.size === 0) {
          k.above = undefined;
          k.gapSince = -1;
          this.gappy.delete(source);
        }
      }
    } else {
      if (k.above === undefined) {
        k.above = new Set();
        k.gapSince = now;
        this.gappy.add(source);
      } else if (k.above.has(seq)) {
        return false;
      }
      k.above.add(seq);
    }
    if (seq > k.max) k.max = seq;
    return true;
  }

  /** Mark `1..seq` of `source` known (e.g. from a snapshot's frontier). */
  raiseTo(source: string, seq: number): void {
    let k = this.sources.get(source);
    if (k === undefined) {
      k = new SourceKnown();
      this.sources.set(source, k);
    }
    if (seq <= k.contiguous) return;
    k.contiguous = seq;
    if (seq > k.max) k.max = seq;
    const above = k.above;
    if (above !== undefined) {
      for (const s of above) if (s <= seq) above.delete(s);
      while (above.delete(k.contiguous + 1)) k.contiguous++;
      if (above.size === 0) {
        k.above = undefined;
        k.gapSince = -1;
        this.gappy.delete(source);
      }
    }
  }

  /** Forget seqs above `seq` of `source`. */
  truncate(source: string, seq: number): void {
    const k = this.sources.get(source);
    if (k === undefined) return;
    if (k.contiguous > seq) k.contiguous = seq;
    if (k.above !== undefined) {
      for (const s of k.above) if (s > seq) k.above.delete(s);
      if (k.above.size === 0) {
        k.above = undefined;
        k.gapSince = -1;
        this.gappy.delete(source);
      }
    }
    let max = k.contiguous;
    if (k.above !== undefined) for (const s of k.above) if (s > max) max = s;
    k.max = max;
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

  /** Number of identities known over all sources. */
  count(): number {
    let n = 0;
    for (const k of this.sources.values()) n += k.contiguous + (k.above?.size ?? 0);
    return n;
  }

  clear(): void {
    this.sources.clear();
    this.gappy.clear();
  }
}
