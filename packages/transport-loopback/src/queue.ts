/** Event kind: deliver the frame in `payload` to `target`. */
export const EV_FRAME = 0;
/** Event kind: the remote end closed; close `target` (not locally) with the reason in `payload`. */
export const EV_CLOSE = 1;
/** Event kind: a dial with connect latency completes (or fails); `payload` is the pending dial. */
export const EV_OPEN = 2;
/** What a queued {@link NetEvent} does when it comes due. */
export type NetEventKind = typeof EV_FRAME | typeof EV_CLOSE | typeof EV_OPEN;

/**
 * One scheduled network event. A plain record (no closure) so that millions of frames cost
 * one small object each; `payload` is the frame, the close reason or the pending dial.
 */
export interface NetEvent {
  /** Due time in ms (network clock). */
  at: number;
  /** Global schedule order: breaks ties of `at` (send order). */
  seq: number;
  kind: NetEventKind;
  /** Receiving link end (Frame, Close) or `undefined` (Open). */
  target: unknown;
  payload: unknown;
}

/** A binary min-heap of {@link NetEvent}s ordered by `(at, seq)`. */
export class EventQueue {
  private readonly heap: NetEvent[] = [];

  /** Number of queued events. */
  get size(): number {
    return this.heap.length;
  }

  /** The earliest event, without removing it. */
  peek(): NetEvent | undefined {
    return this.heap[0];
  }

  /** Adds `event`. */
  push(event: NetEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at < event.at || (p.at === event.at && p.seq < event.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  /** Removes and returns the earliest event. */
  pop(): NetEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
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
        if (right.at < child.at || (right.at === child.at && right.seq < child.seq)) {
          c = r;
          child = right;
        }
      }
      if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
