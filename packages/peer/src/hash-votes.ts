/**
 * Neighbours' hash reports kept as votes (desync.ts): per settled tick, each neighbour's latest
 * report, which a mismatch with another neighbour is weighed against. A tick's votes are one flat
 * array `[linkKey, hash, linkKey, hash, ...]` (a peer has a handful of neighbours: a linear scan
 * is as fast as a map and a fraction of its memory). At most `maxTicks` ticks are kept, the
 * oldest first out; ticks before the timeline's base go at each compaction.
 * @internal
 */
export class HashVotes {
  private readonly byTick = new Map<number, string[]>();

  /** At most `maxTicks` ticks (at least 1) are kept. */
  constructor(private readonly maxTicks: number) {}

  /** Ticks with votes. */
  get size(): number {
    return this.byTick.size;
  }

  /** `true` when some neighbour's vote of `tick` is kept. */
  hasTick(tick: number): boolean {
    return this.byTick.has(tick);
  }

  /** The hash the neighbour on link `key` reported for `tick`, if any. */
  get(tick: number, key: string): string | undefined {
    const v = this.byTick.get(tick);
    if (v === undefined) return undefined;
    for (let i = 0; i < v.length; i += 2) if (v[i] === key) return v[i + 1];
    return undefined;
  }

  /** `true` when the neighbour on link `key` reported `tick`. */
  has(tick: number, key: string): boolean {
    return this.get(tick, key) !== undefined;
  }

  /** The neighbour on link `key` reported `hash` for `tick` (its latest report of it). */
  set(tick: number, key: string, hash: string): void {
    const v = this.byTick.get(tick);
    if (v === undefined) {
      if (this.byTick.size >= this.maxTicks) {
        const oldest = this.byTick.keys().next().value;
        if (oldest !== undefined) this.byTick.delete(oldest);
      }
      this.byTick.set(tick, [key, hash]);
      return;
    }
    for (let i = 0; i < v.length; i += 2) {
      if (v[i] === key) {
        v[i + 1] = hash;
        return;
      }
    }
    // A new array of the exact length, in the same place in the map's order: `push` would grow
    // this one to 22 slots (V8 adds 16 beyond half again), for the handful of votes a tick gets.
    this.byTick.set(tick, v.concat(key, hash));
  }

  /** Link `key` closed: its votes go. */
  dropLink(key: string): void {
    for (const [tick, v] of this.byTick) {
      for (let i = 0; i < v.length; i += 2) {
        if (v[i] !== key) continue;
        v.splice(i, 2);
        if (v.length === 0) this.byTick.delete(tick);
        break;
      }
    }
  }

  /**
   * Drop the votes of ticks before `tick`, oldest first (ticks are added in increasing order but
   * for a rare late one, which goes with the cap).
   */
  forgetBefore(tick: number): void {
    for (const t of this.byTick.keys()) {
      if (t >= tick) break;
      this.byTick.delete(t);
    }
  }

  /** Forget every vote. */
  clear(): void {
    this.byTick.clear();
  }
}
