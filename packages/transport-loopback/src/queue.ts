/** Anything ordered by due time, ties broken by schedule order. */
export interface Due {
  /** Due time in ms (network clock). */
  at: number;
  /** Global schedule order: breaks ties of `at` (send order). */
  seq: number;
}

/**
 * A binary min-heap ordered by `(at, seq)`. The keys sit in typed arrays beside the items, so
 * sifting compares numbers without reading the items (one heap of every link with frames in
 * flight: thousands of entries in a large simulated room). An item's key is read when it is
 * pushed and, for the top, by {@link updateTop}; it must not change otherwise.
 */
export class MinHeap<T extends Due> {
  private items: (T | undefined)[] = [];
  private ats = new Float64Array(64);
  private seqs = new Float64Array(64);
  private count = 0;

  /** Number of items. */
  get size(): number {
    return this.count;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.count > 0 ? this.items[0] : undefined;
  }

  /** Due time of the earliest item (`+Infinity` when empty), without reading the item. */
  peekAt(): number {
    return this.count > 0 ? this.ats[0]! : Number.POSITIVE_INFINITY;
  }

  /** Schedule order of the earliest item (`+Infinity` when empty), without reading the item. */
  peekSeq(): number {
    return this.count > 0 ? this.seqs[0]! : Number.POSITIVE_INFINITY;
  }

  /** Calls `fn` with each item, in no particular order. */
  forEach(fn: (item: T) => void): void {
    for (let i = 0; i < this.count; i++) fn(this.items[i]!);
  }

  /** Adds `item`. */
  push(item: T): void {
    if (this.count === this.ats.length) this.grow();
    const at = item.at;
    const seq = item.seq;
    const ats = this.ats;
    const seqs = this.seqs;
    const items = this.items;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = ats[parent]!;
      if (!(at < pa || (at === pa && seq < seqs[parent]!))) break;
      ats[i] = pa;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent];
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const n = this.count;
    if (n === 0) return undefined;
    const items = this.items;
    const top = items[0];
    const last = n - 1;
    this.count = last;
    const item = items[last]!;
    items[last] = undefined;
    if (last > 0) this.siftDown(item, this.ats[last]!, this.seqs[last]!);
    return top;
  }

  /** Restores the order after the top item's key grew (cheaper than pop + push). */
  updateTop(): void {
    if (this.count === 0) return;
    const top = this.items[0]!;
    this.siftDown(top, top.at, top.seq);
  }

  /** Puts `item` (key `at`, `seq`) at the root and sifts it down to its place. */
  private siftDown(item: T, at: number, seq: number): void {
    const ats = this.ats;
    const seqs = this.seqs;
    const items = this.items;
    const n = this.count;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ca = ats[l]!;
      let cs = seqs[l]!;
      if (r < n) {
        const ra = ats[r]!;
        const rs = seqs[r]!;
        if (ra < ca || (ra === ca && rs < cs)) {
          c = r;
          ca = ra;
          cs = rs;
        }
      }
      if (!(ca < at || (ca === at && cs < seq))) break;
      ats[i] = ca;
      seqs[i] = cs;
      items[i] = items[c];
      i = c;
    }
    ats[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  private grow(): void {
    const size = this.ats.length * 2;
    const ats = new Float64Array(size);
    const seqs = new Float64Array(size);
    ats.set(this.ats);
    seqs.set(this.seqs);
    this.ats = ats;
    this.seqs = seqs;
  }
}

/** Event kind: deliver a frame. */
export const EV_FRAME = 0;
/** Event kind: the sending end closed; close the receiving end (not locally). */
export const EV_CLOSE = 1;

/** Keys a channel starts with room for (two per event: four events). */
const EMPTY_KEYS = 8;

/**
 * The events of one link direction, in due order (FIFO makes them sorted already): their keys
 * in one typed array (due time and schedule order, side by side) and their payloads in another,
 * so a frame costs no object of its own and queueing or delivering one touches two arrays. Only
 * the head of each channel sits in the network's heap, so heap operations cost O(log links),
 * not O(log frames). A close event's payload is its reason (a string), a frame's its bytes.
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
  private keys = new Float64Array(EMPTY_KEYS);
  private payloads: unknown[] = [];
  private head = 0;
  private size = 0;

  constructor(target: Target) {
    this.target = target;
  }

  /**
   * Appends an event: a frame (`EV_FRAME`, its bytes) or a close (`EV_CLOSE`, its reason: the
   * kind is told by the payload's type); `at`/`seq` must not be before the last one. Returns
   * `true` if it is the new head.
   */
  append(at: number, seq: number, payload: Uint8Array | string): boolean {
    const i = this.size++;
    if (2 * i + 2 > this.keys.length) {
      const keys = new Float64Array(Math.max(EMPTY_KEYS, 2 * this.keys.length));
      keys.set(this.keys);
      this.keys = keys;
    }
    this.keys[2 * i] = at;
    this.keys[2 * i + 1] = seq;
    if (i < this.payloads.length) this.payloads[i] = payload;
    else this.payloads.push(payload);
    if (this.size - this.head === 1) {
      this.at = at;
      this.seq = seq;
      return true;
    }
    return false;
  }

  /** Kind of the head event. */
  headKind(): number {
    return typeof this.payloads[this.head] === 'string' ? EV_CLOSE : EV_FRAME;
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
        this.keys = new Float64Array(EMPTY_KEYS);
        this.payloads = [];
      }
      return false;
    }
    if (h >= 4096 && h * 2 >= n) {
      this.keys = this.keys.slice(2 * h, 2 * n);
      this.payloads = this.payloads.slice(h, n);
      this.head = 0;
      this.size = n - h;
    }
    this.at = this.keys[2 * this.head]!;
    this.seq = this.keys[2 * this.head + 1]!;
    return true;
  }
}
