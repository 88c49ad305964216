/** Anything ordered by due time, ties broken by schedule order. */
export interface Due {
  /** Due time in ms (network clock). */
  at: number;
  /** Global schedule order: breaks ties of `at` (send order). */
  seq: number;
}

function before(x: Due, y: Due): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

/** A binary min-heap ordered by `(at, seq)`. */
export class MinHeap<T extends Due> {
  private readonly heap: T[] = [];

  /** Number of items. */
  get size(): number {
    return this.heap.length;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.heap[0];
  }

  /** Adds `item`. */
  push(item: T): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    this.siftDown(last);
    return top;
  }

  /** Restores the order after the top item's key grew (cheaper than pop + push). */
  updateTop(): void {
    const top = this.heap[0];
    if (top !== undefined) this.siftDown(top);
  }

  private siftDown(item: T): void {
    const heap = this.heap;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l]!;
      if (r < n) {
        const right = heap[r]!;
        if (before(right, child)) {
          c = r;
          child = right;
        }
      }
      if (!before(child, item)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = item;
  }
}

/** Event kind: deliver a frame. */
export const EV_FRAME = 0;
/** Event kind: the sending end closed; close the receiving end (not locally). */
export const EV_CLOSE = 1;

/**
 * The events of one link direction, in due order (FIFO makes them sorted already), stored
 * in parallel arrays so a frame costs no object of its own. Only the head of each channel
 * sits in the network's heap, so heap operations cost O(log links), not O(log frames).
 */
export class Channel<Target> implements Due {
  /** Due time of the head event (valid while non-empty). */
  at = 0;
  /** Schedule order of the head event. */
  seq = 0;
  /** Whether this channel is in the heap (non-empty). */
  queued = false;
  /** Receiving end of every event of this channel. */
  readonly target: Target;
  // Slots `head` to `size` hold the pending events; the arrays keep their length when the
  // channel empties (most links carry a frame or two at a time: no allocation per frame).
  private ats: number[] = [];
  private seqs: number[] = [];
  private kinds: number[] = [];
  private payloads: unknown[] = [];
  private head = 0;
  private size = 0;

  constructor(target: Target) {
    this.target = target;
  }

  /** Appends an event; `at`/`seq` must not be before the last one. Returns `true` if it is the new head. */
  append(at: number, seq: number, kind: number, payload: unknown): boolean {
    const i = this.size++;
    if (i < this.ats.length) {
      this.ats[i] = at;
      this.seqs[i] = seq;
      this.kinds[i] = kind;
      this.payloads[i] = payload;
    } else {
      this.ats.push(at);
      this.seqs.push(seq);
      this.kinds.push(kind);
      this.payloads.push(payload);
    }
    if (this.size - this.head === 1) {
      this.at = at;
      this.seq = seq;
      return true;
    }
    return false;
  }

  /** Kind of the head event. */
  headKind(): number {
    return this.kinds[this.head]!;
  }

  /** Payload of the head event. */
  headPayload(): unknown {
    return this.payloads[this.head];
  }

  /** Drops the head event; returns `false` when the channel became empty. */
  shift(): boolean {
    this.payloads[this.head] = undefined;
    const h = ++this.head;
    const n = this.size;
    if (h === n) {
      this.head = 0;
      this.size = 0;
      if (n > 64) {
        // After a burst: give the room back.
        this.ats = [];
        this.seqs = [];
        this.kinds = [];
        this.payloads = [];
      }
      return false;
    }
    if (h >= 4096 && h * 2 >= n) {
      this.ats = this.ats.slice(h, n);
      this.seqs = this.seqs.slice(h, n);
      this.kinds = this.kinds.slice(h, n);
      this.payloads = this.payloads.slice(h, n);
      this.head = 0;
      this.size = n - h;
    }
    this.at = this.ats[this.head]!;
    this.seq = this.seqs[this.head]!;
    return true;
  }
}
