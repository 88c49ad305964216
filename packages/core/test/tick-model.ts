import type { KeyedEvent } from '../src/event-keys.js';

/**
 * The plain model of the event log's index by tick: a `Map` from tick to its events (kept in
 * (source, seq) order by sorting), the ticks sorted whenever asked. It answers what
 * {@link TickIndex} does, the slow and obvious way: the point is one past the last tick read,
 * the quiet range runs from it to the smallest tick held at or after it.
 */
export class SortedMapTicks<T> {
  readonly byTick = new Map<number, T[]>();
  private point = 0;

  /** `view`: the tick, source and seq of an event (itself when an object; read from columns when a handle). */
  constructor(private readonly view: (e: T) => KeyedEvent) {}

  /** Ticks holding events. */
  get size(): number {
    return this.byTick.size;
  }

  get quietFrom(): number {
    return this.point;
  }

  get quietUntil(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.byTick.keys()) if (t >= this.point && t < min) min = t;
    return min;
  }

  bucket(tick: number): readonly T[] | undefined {
    this.point = tick + 1;
    return this.byTick.get(tick);
  }

  add(event: T): void {
    const v = this.view;
    const tick = v(event).tick;
    const list = this.byTick.get(tick) ?? [];
    list.push(event);
    list.sort((x, y) => {
      const a = v(x);
      const b = v(y);
      return a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq;
    });
    this.byTick.set(tick, list);
  }

  foldBefore(tick: number, drop: (event: T) => void): void {
    const ticks = [...this.byTick.keys()].filter((t) => t < tick).sort((a, b) => a - b);
    for (const t of ticks) {
      for (const e of this.byTick.get(t)!) drop(e);
      this.byTick.delete(t);
    }
  }
}
