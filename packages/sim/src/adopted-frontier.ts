/**
 * An adopted snapshot's frontier as the lower bound reads it, kept small for long runs: a run
 * adopts a snapshot at every join, and a frontier names every source of the room, so copying each
 * one (its decoded id strings included) grew the simulator's memory with the session. Only
 * sources that stamped an event in the run can be asked about (the bound looks up stamped events),
 * so a frontier is kept as their indexes in the run's table of stamping sources and their seqs
 * (32-bit when they fit); consecutive adoptions listing the same sources share one index array.
 * @internal
 */

/** The sources that stamped an event in a run, each with a small index. @internal */
export class StampingSources {
  readonly #index = new Map<string, number>();
  /** The index array of the last frontier kept, shared by the next one when equal. */
  #last: Int32Array = new Int32Array(0);

  /** `source` stamped an event. */
  add(source: string): void {
    if (!this.#index.has(source)) this.#index.set(source, this.#index.size);
  }

  /** The index of `source`, if it stamped an event. */
  indexOf(source: string): number | undefined {
    return this.#index.get(source);
  }

  /** `indexes` (ascending), or an equal array handed out before (one copy for both). */
  shared(indexes: readonly number[]): Int32Array {
    const last = this.#last;
    if (last.length === indexes.length && indexes.every((x, i) => last[i] === x)) return last;
    this.#last = Int32Array.from(indexes);
    return this.#last;
  }
}

/** Per stamping source, the highest seq an adopted snapshot folded in. @internal */
export class AdoptedFrontier {
  readonly #sources: Int32Array;
  readonly #seqs: Uint32Array | Float64Array;

  constructor(
    private readonly table: StampingSources,
    frontier: readonly (readonly [source: string, seq: number])[],
  ) {
    const kept: [number, number][] = [];
    for (const [source, seq] of frontier) {
      const i = table.indexOf(source);
      if (i !== undefined) kept.push([i, seq]);
    }
    kept.sort((a, b) => a[0] - b[0]);
    this.#sources = table.shared(kept.map((k) => k[0]));
    this.#seqs = kept.every((k) => k[1] <= 0xffff_ffff)
      ? Uint32Array.from(kept, (k) => k[1])
      : Float64Array.from(kept, (k) => k[1]);
  }

  /** The highest seq of `source` folded in, if the frontier lists it. */
  get(source: string): number | undefined {
    const i = this.table.indexOf(source);
    if (i === undefined) return undefined;
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
