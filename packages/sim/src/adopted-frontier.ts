/**
 * An adopted snapshot's frontier as the lower bound reads it, kept small for long runs: a run
 * adopts a snapshot at every join, and a frontier names every source of the room, so copying each
 * one (its decoded id strings included) grew the simulator's memory with the session. Only
 * sources that stamped an event in the run can be asked about (the bound looks up stamped events),
 * so a frontier is kept as their indexes in the run's table of stamping sources and their seqs.
 * Consecutive adoptions differ in a few sources (the room's base moved by seconds), so most are
 * kept as what changed since the previous one, and one in {@link FULL_EVERY} (or one that changed
 * much) in full: a lookup reads at most that many.
 * @internal
 */

/** At most this many frontiers in a row are kept as changes (a lookup reads that many at most). */
const FULL_EVERY = 16;
/** A seq that says "not in this frontier" in a delta. */
const ABSENT = -1;

/** The sources that stamped an event in a run, each with a small index. @internal */
export class StampingSources {
  readonly #index = new Map<string, number>();
  /** The last frontier kept, and what it lists, by source index (the next one is its delta). */
  last: { readonly frontier: AdoptedFrontier; readonly seqs: ReadonlyMap<number, number> } | undefined;

  /** `source` stamped an event. */
  add(source: string): void {
    if (!this.#index.has(source)) this.#index.set(source, this.#index.size);
  }

  /** The index of `source`, if it stamped an event. */
  indexOf(source: string): number | undefined {
    return this.#index.get(source);
  }
}

/** Per stamping source, the highest seq an adopted snapshot folded in. @internal */
export class AdoptedFrontier {
  /** Source indexes (ascending) and their seqs ({@link ABSENT}: not listed), here or in `#base`. */
  readonly #sources: Int32Array;
  readonly #seqs: Int32Array | Float64Array;
  /** The frontier this one lists the changes from (`undefined`: kept in full). */
  readonly #base: AdoptedFrontier | undefined;
  readonly #depth: number;

  constructor(
    private readonly table: StampingSources,
    frontier: readonly (readonly [source: string, seq: number])[],
  ) {
    const seqs = new Map<number, number>();
    for (const [source, seq] of frontier) {
      const i = table.indexOf(source);
      if (i !== undefined) seqs.set(i, seq);
    }
    const last = table.last;
    let kept: [number, number][] = [];
    if (last !== undefined && last.frontier.#depth + 1 < FULL_EVERY) {
      for (const [i, seq] of seqs) if (last.seqs.get(i) !== seq) kept.push([i, seq]);
      for (const i of last.seqs.keys()) if (!seqs.has(i)) kept.push([i, ABSENT]);
    }
    if (last !== undefined && last.frontier.#depth + 1 < FULL_EVERY && 4 * kept.length < seqs.size) {
      this.#base = last.frontier;
      this.#depth = last.frontier.#depth + 1;
    } else {
      kept = [...seqs];
      this.#base = undefined;
      this.#depth = 0;
    }
    kept.sort((a, b) => a[0] - b[0]);
    this.#sources = Int32Array.from(kept, (k) => k[0]);
    this.#seqs = kept.every((k) => k[1] <= 0x7fff_ffff)
      ? Int32Array.from(kept, (k) => k[1])
      : Float64Array.from(kept, (k) => k[1]);
    table.last = { frontier: this, seqs };
  }

  /** The highest seq of `source` folded in, if the frontier lists it. */
  get(source: string): number | undefined {
    const i = this.table.indexOf(source);
    if (i === undefined) return undefined;
    for (let f: AdoptedFrontier | undefined = this; f !== undefined; f = f.#base) {
      const seq = f.#find(i);
      if (seq !== undefined) return seq === ABSENT ? undefined : seq;
    }
    return undefined;
  }

  /** The seq kept here for source index `i` (maybe {@link ABSENT}), if any. */
  #find(i: number): number | undefined {
    let lo = 0;
    let hi = this.#sources.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.#sources[mid]!;
      if (v === i) return this.#seqs[mid];
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
