/**
 * Stepping peers within one frame of virtual time: each when its own clock says (the moment it
 * reads mid-tick, as a real-time peer steps), in time order, the network delivering what is due
 * before each step.
 */

/** What {@link stepWithinFrame} needs of the run. */
export interface FrameStepping {
  /** Peers in the run. */
  readonly peers: number;
  /** Run time of each peer's next step (updated as peers step). */
  readonly stepAt: number[];
  /** Whether peer `i` runs now (online, with a runtime). */
  readonly running: (i: number) => boolean;
  /** Current run time, ms. */
  readonly now: () => number;
  /** Let run time reach `atMs` (a virtual network delivers the frames due by then). */
  readonly advanceTo: (atMs: number) => Promise<void> | undefined;
  /** Step peer `i` at run time `atMs`; returns the run time of its next step. */
  readonly step: (i: number, atMs: number) => number;
}

/**
 * Step every running peer whose step falls in `[startMs, endMs)`, earliest first (ties: lower
 * index), as often as its steps fall there. A step time already past counts as `startMs` (a
 * peer back online steps at once). The peers due are kept in a binary heap of (due, index):
 * O(log N) per step.
 */
export async function stepWithinFrame(run: FrameStepping, startMs: number, endMs: number): Promise<void> {
  // One heap per run, reused frame after frame (a run steps one frame at a time).
  let heap = heaps.get(run);
  if (heap === undefined || heap.capacity < run.peers) {
    heap = new DueHeap(run.peers);
    heaps.set(run, heap);
  }
  heap.size = 0; // a frame cut short by a throwing step leaves nothing behind
  for (let j = 0; j < run.peers; j++) {
    if (!run.running(j)) continue;
    const due = Math.max(run.stepAt[j]!, startMs);
    if (due < endMs) heap.push(due, j);
  }
  while (heap.size > 0) {
    const at = heap.minDue();
    const i = heap.pop();
    if (at > run.now()) {
      const reached = run.advanceTo(at);
      if (reached !== undefined) await reached;
    }
    const next = run.step(i, at);
    run.stepAt[i] = next;
    const due = Math.max(next, startMs);
    if (due < endMs) heap.push(due, i);
  }
}

/** The heap of each run's frames (a run steps one frame at a time). */
const heaps = new WeakMap<FrameStepping, DueHeap>();

/** A binary min-heap of (due time, peer index), ordered by time then index; at most one entry per peer. */
class DueHeap {
  readonly #due: Float64Array;
  readonly #peer: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.#due = new Float64Array(Math.max(1, capacity));
    this.#peer = new Int32Array(Math.max(1, capacity));
  }

  /** Entries it can hold. */
  get capacity(): number {
    return this.#due.length;
  }

  #before(a: number, b: number): boolean {
    const da = this.#due[a]!;
    const db = this.#due[b]!;
    return da < db || (da === db && this.#peer[a]! < this.#peer[b]!);
  }

  #swap(a: number, b: number): void {
    const d = this.#due[a]!;
    this.#due[a] = this.#due[b]!;
    this.#due[b] = d;
    const p = this.#peer[a]!;
    this.#peer[a] = this.#peer[b]!;
    this.#peer[b] = p;
  }

  push(due: number, peer: number): void {
    let i = this.size++;
    this.#due[i] = due;
    this.#peer[i] = peer;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  minDue(): number {
    return this.#due[0]!;
  }

  pop(): number {
    const top = this.#peer[0]!;
    const last = --this.size;
    if (last > 0) {
      this.#due[0] = this.#due[last]!;
      this.#peer[0] = this.#peer[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.#before(r, l) ? r : l;
        if (!this.#before(c, i)) break;
        this.#swap(c, i);
        i = c;
      }
    }
    return top;
  }
}
