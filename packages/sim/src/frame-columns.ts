/**
 * The record of every frame a run's links carried (docs/simulator.md, "Metrics", "lower
 * bound"), kept in compact columns: a long run records millions of frames.
 */
import { IndexColumn, RunColumn } from './columns.js';

/** One frame a link carried, as the network drew it. */
export interface CarriedFrame {
  /** Sending and receiving scenario peers. */
  readonly from: number;
  readonly to: number;
  /** Which link between them carried it (a link opened again after a close is another link). */
  readonly link: string;
  /** Run time it was sent at, ms. */
  readonly sentMs: number;
  /** Latency drawn for it, ms. */
  readonly delayMs: number;
  /** Run time it was due at the receiver, ms (FIFO: never before the previous frame of its link). */
  readonly dueMs: number;
}

/**
 * Carried frames in columns: what a long run records without an object per frame. Per frame,
 * its route (sender, receiver and link, interned; two bytes while there are fewer than 65,536
 * routes), its send time and its drawn latency, each a {@link RunColumn}: a frame sent at the
 * same time as the one recorded before it, or drawing the same latency, costs nothing for that
 * field (a network that records frames as they are sent, with a constant latency, stores a
 * little over two bytes a frame). Its due time is not stored when it is what the link's FIFO
 * order makes it, `max(sent + delay, due of the route's previous frame)` (always, for a loopback
 * network's frames); other due times are kept aside. Every value is given back exactly as
 * recorded. Iterating yields each frame as a {@link CarriedFrame}.
 */
export class FrameColumns implements Iterable<CarriedFrame> {
  readonly #sent = new RunColumn();
  readonly #delay = new RunColumn();
  readonly #route = new IndexColumn();
  /** Sender, receiver and link id of each route. */
  readonly routeFrom: number[] = [];
  readonly routeTo: number[] = [];
  readonly routeLink: string[] = [];
  /** Routes by link id (one per direction the link carried). */
  readonly #routesOf = new Map<string, number[]>();
  /** Due time of each route's last frame (in record order). */
  readonly #lastDue: number[] = [];
  /** Due times that are not the FIFO rule's, by frame. */
  readonly #dueAside = new Map<number, number>();
  /** Frames held. */
  size = 0;

  /** Append one frame. */
  push(frame: CarriedFrame): void {
    this.add(frame.from, frame.to, frame.link, frame.sentMs, frame.delayMs, frame.dueMs);
  }

  /** Append one frame, given field by field (no object per frame). */
  add(from: number, to: number, linkId: string, sentMs: number, delayMs: number, dueMs: number): void {
    this.addOnRoute(this.routeOf(from, to, linkId), sentMs, delayMs, dueMs);
  }

  /** Append one frame of route `r` (from {@link routeOf}). */
  addOnRoute(r: number, sentMs: number, delayMs: number, dueMs: number): void {
    const i = this.size++;
    this.#sent.push(sentMs);
    this.#delay.push(delayMs);
    this.#route.push(r);
    const fifo = Math.max(sentMs + delayMs, this.#lastDue[r]!);
    if (!Object.is(dueMs, fifo)) this.#dueAside.set(i, dueMs);
    this.#lastDue[r] = dueMs;
  }

  /** Send time of frame `i`, ms. */
  sent(i: number): number {
    return this.#sent.at(i);
  }

  /** Drawn latency of frame `i`, ms. */
  delay(i: number): number {
    return this.#delay.at(i);
  }

  /** Route of frame `i` (an index into `routeFrom`, `routeTo`, `routeLink`). */
  route(i: number): number {
    return this.#route.at(i);
  }

  /** Due time of frame `i` given the due time of its route's previous frame (in record order). */
  due(i: number, previousDue: number): number {
    const aside = this.#dueAside.size === 0 ? undefined : this.#dueAside.get(i);
    return aside ?? Math.max(this.sent(i) + this.delay(i), previousDue);
  }

  /** Bytes the per-frame columns take (the routes and the due times kept aside not counted). */
  get bytes(): number {
    return this.#sent.bytes + this.#delay.bytes + this.#route.bytes;
  }

  /** The route of frames from `from` to `to` on link `linkId` (made on first use). */
  routeOf(from: number, to: number, linkId: string): number {
    let routes = this.#routesOf.get(linkId);
    if (routes === undefined) {
      routes = [];
      this.#routesOf.set(linkId, routes);
    }
    for (const r of routes) if (this.routeFrom[r] === from && this.routeTo[r] === to) return r;
    const r = this.routeFrom.length;
    this.routeFrom.push(from);
    this.routeTo.push(to);
    this.routeLink.push(linkId);
    this.#lastDue.push(Number.NEGATIVE_INFINITY);
    routes.push(r);
    return r;
  }

  *[Symbol.iterator](): Iterator<CarriedFrame> {
    const lastDue = this.routeFrom.map(() => Number.NEGATIVE_INFINITY);
    for (let i = 0; i < this.size; i++) {
      const r = this.route(i);
      const dueMs = this.due(i, lastDue[r]!);
      lastDue[r] = dueMs;
      yield {
        from: this.routeFrom[r]!,
        to: this.routeTo[r]!,
        link: this.routeLink[r]!,
        sentMs: this.sent(i),
        delayMs: this.delay(i),
        dueMs,
      };
    }
  }
}
