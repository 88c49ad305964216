/**
 * A snapshot ring: states (and PRNG words) at the ticks a rollback can go back to, oldest
 * first, in a fixed number of slots; the oldest is overwritten when the ring is full. The
 * timeline's snapshot store is made of two (snapshot-store.ts).
 * @internal
 */
/**
 * A ring of at most `cap` snapshots, addressed by position (0 = oldest). Its storage grows with
 * the snapshots held (by half at a time, up to `cap` slots), so a ring that never fills holds
 * only what it uses. @internal
 */
export class SnapshotRing<S> {
  private ticks: number[] = [];
  private states: (S | undefined)[] = [];
  private rand = new Uint32Array(0);
  /** Slots allocated (the ring's modulus): `cap` once it has grown that far. */
  private size = 0;
  private start = 0;
  private held = 0;
  /** Tick of the newest snapshot an overwrite dropped (0 when none was). */
  private evicted = 0;

  /** A ring of at most `cap` slots. */
  constructor(readonly cap: number) {}

  /** Snapshots held. */
  get count(): number {
    return this.held;
  }

  /** Tick of the newest snapshot the full ring overwrote (0 when none was). */
  get evictedTick(): number {
    return this.evicted;
  }

  /** Tick at position `pos`. */
  tickAt(pos: number): number {
    return this.ticks[this.slot(pos)]!;
  }

  /** State at position `pos` (the ring's own copy: do not change it). */
  stateAt(pos: number): S {
    return this.states[this.slot(pos)]!;
  }

  /** The four PRNG words at position `pos` (a view into the ring). */
  randAt(pos: number): Uint32Array {
    const i = this.slot(pos) * 4;
    return this.rand.subarray(i, i + 4);
  }

  /** Position of the newest snapshot with tick <= `tick`, or -1. */
  find(tick: number): number {
    let pos = this.held - 1;
    while (pos >= 0 && this.ticks[this.slot(pos)]! > tick) pos--;
    return pos;
  }

  /** Keep positions 0..pos only (drop newer snapshots). */
  keepThrough(pos: number): void {
    this.held = pos + 1;
  }

  /** Drop positions 0..pos (older snapshots); the rest move down. */
  dropThrough(pos: number): void {
    if (pos < 0) return;
    this.start = (this.start + pos + 1) % this.size;
    this.held -= pos + 1;
  }

  /**
   * Move the oldest snapshot to the newest position of `to` (its state object with it: this
   * ring's slot forgets it, so no later push reuses storage `to` now owns).
   */
  moveOldestTo(to: SnapshotRing<S>): void {
    const i = this.start;
    const state = this.states[i]!;
    const rand = this.rand;
    to.push(
      this.ticks[i]!,
      () => state,
      (words, offset) => {
        for (let w = 0; w < 4; w++) words[offset + w] = rand[i * 4 + w]!;
      },
    );
    this.states[i] = undefined;
    this.start = (i + 1) % this.size;
    this.held--;
  }

  /** Put `state` at position `pos`, returning the state it held (to reuse its storage). */
  swapState(pos: number, state: S): S {
    const i = this.slot(pos);
    const old = this.states[i]!;
    this.states[i] = state;
    return old;
  }

  /**
   * Add a snapshot at `tick` (newest). `copy(reuse)` makes the state (it may reuse the slot's
   * previous state), `saveRand(words, offset)` writes the PRNG words.
   */
  push(
    tick: number,
    copy: (reuse: S | undefined) => S,
    saveRand: (words: Uint32Array, offset: number) => void,
  ): void {
    if (this.held === this.size && this.size < this.cap) this.grow();
    const size = this.size;
    let i: number;
    if (this.held < size) {
      i = (this.start + this.held) % size;
      this.held++;
    } else {
      i = this.start;
      this.start = (i + 1) % size;
      if (this.ticks[i]! > this.evicted) this.evicted = this.ticks[i]!;
    }
    this.ticks[i] = tick;
    this.states[i] = copy(this.states[i]);
    saveRand(this.rand, i * 4);
  }

  private slot(pos: number): number {
    return (this.start + pos) % this.size;
  }

  /**
   * Grow by half (at least 8 slots, at most `cap`), the held snapshots first in order, then the
   * others: a ring that fills over the horizon (about 1,500 slots with the defaults) holds
   * at most half as many slots again as snapshots on its way there.
   */
  private grow(): void {
    const size = Math.min(this.cap, Math.max(8, Math.ceil(this.size * 1.5)));
    const ticks = new Array<number>(size).fill(0);
    const states = new Array<S | undefined>(size).fill(undefined);
    const rand = new Uint32Array(size * 4);
    const old = this.rand;
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.size;
      ticks[k] = this.ticks[i]!;
      states[k] = this.states[i];
      for (let w = 0; w < 4; w++) rand[k * 4 + w] = old[i * 4 + w]!;
    }
    this.ticks = ticks;
    this.states = states;
    this.rand = rand;
    this.size = size;
    this.start = 0;
  }
}
