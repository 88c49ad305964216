/**
 * Exact distributions kept as a count per distinct value: the percentiles, the maximum and the
 * sum of the values in ascending order are those of the sorted list of every value added, in
 * memory that grows with the distinct values only (a run's recovery times are whole frames).
 * @internal
 */
export class ValueCounts {
  readonly #counts = new Map<number, number>();
  #size = 0;

  /** The counts of `values`. */
  static of(values: readonly number[]): ValueCounts {
    const counts = new ValueCounts();
    for (const x of values) counts.add(x);
    return counts;
  }

  /** One more value `x`. */
  add(x: number): void {
    this.#counts.set(x, (this.#counts.get(x) ?? 0) + 1);
    this.#size++;
  }

  /** Values added. */
  get size(): number {
    return this.#size;
  }

  /** The distinct values, ascending, each with its count. */
  #ascending(): [number, number][] {
    return [...this.#counts].sort((a, b) => a[0] - b[0]);
  }

  /**
   * The list of every value added, ascending, as `percentile`, a sum and a count see it: the sum
   * adds the values one by one in ascending order (the same rounding as summing the sorted list).
   */
  summary(keep: (x: number) => boolean = () => true): {
    readonly count: number;
    readonly sum: number;
    at(q: number): number;
    readonly max: number;
  } {
    const values = this.#ascending().filter(([x]) => keep(x));
    let count = 0;
    let sum = 0;
    for (const [x, c] of values) {
      count += c;
      for (let k = 0; k < c; k++) sum += x;
    }
    return {
      count,
      sum,
      max: values.at(-1)?.[0] ?? 0,
      // Nearest rank, as `percentile` picks it from the sorted list (0 when empty).
      at: (q) => {
        if (count === 0) return 0;
        const rank = Math.max(1, Math.ceil(q * count));
        let seen = 0;
        for (const [x, c] of values) {
          seen += c;
          if (seen >= rank) return x;
        }
        return values.at(-1)![0];
      },
    };
  }
}
