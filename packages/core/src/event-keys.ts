/**
 * How the event log's indexes read what orders an event: its seq, its tick, and whether it comes
 * before another in a tick (by source, then seq). The indexes hold either event objects or
 * handles into the log's columns ({@link EventColumns}), and read both through this one interface.
 * @internal
 */

/** The fields of an event object the indexes order by. @internal */
export interface KeyedEvent {
  readonly tick: number;
  readonly source: string;
  readonly seq: number;
}

/** Reads the keys of an event `T` (an object, or a handle into columns). @internal */
export interface EventKeys<T> {
  /** The event's seq. */
  seqOf(e: T): number;
  /** The event's tick. */
  tickOf(e: T): number;
  /** `true` when `a` comes before `b` in a tick: by source (UTF-16 code units), then seq. */
  before(a: T, b: T): boolean;
}

/** The keys of event objects, read from their fields. @internal */
export const objectKeys: EventKeys<KeyedEvent> = {
  seqOf: (e) => e.seq,
  tickOf: (e) => e.tick,
  before: (a, b) => a.source < b.source || (a.source === b.source && a.seq < b.seq),
};
