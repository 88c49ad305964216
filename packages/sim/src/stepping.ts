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
 * peer back online steps at once). The peers are kept in the order of their last frame's steps
 * and re-sorted by insertion (each frame's order is nearly the last one's: O(N) a frame); a
 * peer due again within the frame goes to a binary heap of (due, index), and each step takes
 * whichever of the two comes first, so the order is that of one heap of them all.
 */
export async function stepWithinFrame(run: FrameStepping, startMs: number, endMs: number): Promise<void> {
  // One order and one heap per run, reused frame after frame (a run steps one frame at a time).
  let kept = orders.get(run);
  if (kept === undefined || kept.order.due.length !== run.peers) {
    kept = { order: new PeerOrder(run.peers), heap: new DueHeap(run.peers) };
    orders.set(run, kept);
  }
  const { order, heap } = kept;
  heap.size = 0; // a frame cut short by a throwing step leaves nothing behind
  const due = order.due;
  for (let j = 0; j < run.peers; j++) {
    const d = Math.max(run.stepAt[j]!, startMs);
    due[j] = run.running(j) && !Number.isNaN(d) ? d : Number.POSITIVE_INFINITY;
  }
  const peers = order.sort();
  let k = 0;
  for (;;) {
    const p = k < peers.length ? peers[k]! : -1;
    const fromOrder = p >= 0 && due[p]! < endMs;
    if (!fromOrder && heap.size === 0) break;
    let at: number;
    let i: number;
    if (
      fromOrder &&
      (heap.size === 0 || due[p]! < heap.minDue() || (due[p] === heap.minDue() && p < heap.minPeer()))
    ) {
      at = due[p]!;
      i = p;
      k++;
    } else {
      at = heap.minDue();
      i = heap.pop();
    }
    if (at > run.now()) {
      const reached = run.advanceTo(at);
      if (reached !== undefined) await reached;
    }
    const next = run.step(i, at);
    run.stepAt[i] = next;
    const again = Math.max(next, startMs);
    if (again < endMs) heap.push(again, i);
  }
}

/** The order and heap of each run (a run steps one frame at a time). */
const orders = new WeakMap<FrameStepping, { order: PeerOrder; heap: DueHeap }>();

/** Every peer index, in the order of a due time each (ties: lower index), kept frame to frame. */
class PeerOrder {
  /** Due time of each peer in the frame under way (`Infinity`: not running). */
  readonly due: Float64Array;
  readonly #peers: Int32Array;

  constructor(n: number) {
    this.due = new Float64Array(n);
    this.#peers = Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The peers sorted by (due, index), by insertion from the last order. */
  sort(): Int32Array {
    const peers = this.#peers;
    const due = this.due;
    for (let a = 1; a < peers.length; a++) {
      const p = peers[a]!;
      const d = due[p]!;
      let b = a - 1;
      while (b >= 0) {
        const q = peers[b]!;
        const e = due[q]!;
        if (e < d || (e === d && q < p)) break;
        peers[b + 1] = q;
        b--;
      }
      peers[b + 1] = p;
    }
    return peers;
  }
}

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

  /** The peer of the earliest entry. */
  minPeer(): number {
    return this.#peer[0]!;
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
