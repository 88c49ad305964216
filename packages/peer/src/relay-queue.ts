/**
 * Relayed events held per link for the rest of a delivery turn: the events passed on from
 * neighbours while one turn of incoming frames is handled leave in one `events` frame per link
 * when the turn ends (the transport's `onTurnEnd`, or else once the current task's microtasks
 * run), and before any other frame is sent on that link (the wire order stays that of the
 * sends). The peer's step ends a turn too. Nothing waits past the turn it arrived in.
 * @internal
 */
import type { WireEvent } from '@symmetric/codec';
import { host } from './context.js';

/** Nothing held. */
const NOTHING: readonly WireEvent<never>[] = Object.freeze([]);

/**
 * `copy` is the event `held`: the same source, seq, tick and re-stamp, and the same signature
 * bytes (or neither signed; a signature covers the payload). @internal
 */
export function sameEvent<E>(held: WireEvent<E>, copy: WireEvent<E>): boolean {
  if (held.seq !== copy.seq || held.source !== copy.source || held.tick !== copy.tick) return false;
  if (held.restamps !== copy.restamps) return false;
  const a = held.signature;
  const b = copy.signature;
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the queue needs of a link: the events held for it. @internal */
export interface RelayTarget<E> {
  /**
   * Events to relay on this link at the end of the current turn, in the order they came: the
   * first batch relayed to it in the turn itself (usually the only one: no copy), an array of
   * the queue's own once a second one came.
   */
  relayed: readonly WireEvent<E>[];
  /** Whether {@link relayed} is the queue's own array (later batches are appended to it). */
  relayedOwned: boolean;
  /** Whether the link's transport ends its turns itself (`Transport.endsTurns`). */
  readonly endsTurns: boolean;
}

/** What a link holds when nothing is held (for a {@link RelayTarget}'s initial value). @internal */
export function nothingRelayed<E>(): readonly WireEvent<E>[] {
  return NOTHING;
}

/** The links with events held in the current turn. @internal */
export class RelayQueue<E, L extends RelayTarget<E>> {
  /** The links in `waiting[0 .. waitingCount)` (the array keeps its storage from turn to turn). */
  private readonly waiting: (L | undefined)[] = [];
  private waitingCount = 0;
  private scheduled = false;
  private readonly onMicrotask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    /** Sends events on a link at once (a closed link sends nothing). */
    private readonly send: (link: L, events: readonly WireEvent<E>[]) => void,
    /** Told when the queue goes from holding nothing to holding events. */
    private readonly onHeld: () => void = () => {},
  ) {}

  /**
   * Hold `events` for `link` until the turn ends (held as they are: the caller must not change
   * the array afterwards).
   */
  add(link: L, events: readonly WireEvent<E>[]): void {
    if (events.length === 0) return;
    const held = link.relayed;
    if (held.length === 0) {
      if (this.waitingCount === 0) this.onHeld();
      this.waiting[this.waitingCount++] = link;
      link.relayed = events;
      link.relayedOwned = false;
    } else if (link.relayedOwned) {
      const own = held as WireEvent<E>[];
      for (let i = 0; i < events.length; i++) own.push(events[i]!);
    } else {
      link.relayed = held.concat(events);
      link.relayedOwned = true;
    }
    // A transport that ends its turns flushes the queue itself; the others, once the task's
    // microtasks have run.
    if (!this.scheduled && !link.endsTurns) {
      this.scheduled = true;
      host.queueMicrotask(this.onMicrotask);
    }
  }

  /** Send what `link` holds now (before another frame goes out on it). */
  flushLink(link: L): void {
    const held = link.relayed;
    if (held.length === 0) return;
    link.relayed = NOTHING;
    link.relayedOwned = false;
    this.send(link, held);
  }

  /** The turn ended: every link's held events leave, one frame per link. */
  flush(): void {
    const waiting = this.waiting;
    if (this.waitingCount === 0) return;
    try {
      for (let i = 0; i < this.waitingCount; i++) this.flushLink(waiting[i]!);
    } finally {
      for (let i = 0; i < this.waitingCount; i++) waiting[i] = undefined;
      this.waitingCount = 0;
    }
  }

  /**
   * The neighbour behind `link` sent `copies` itself, in the turn its relays are held: drop the
   * held events it thereby holds (`same(held, copy)`: the copy is that very event). Returns how
   * many were dropped.
   */
  withdraw(
    link: L,
    copies: readonly WireEvent<E>[],
    same: (held: WireEvent<E>, copy: WireEvent<E>) => boolean,
  ): number {
    const held = link.relayed;
    let kept: WireEvent<E>[] | undefined;
    for (let i = 0; i < held.length; i++) {
      const ev = held[i]!;
      let copied = false;
      for (let j = 0; j < copies.length; j++) {
        if (same(ev, copies[j]!)) {
          copied = true;
          break;
        }
      }
      if (copied) kept ??= held.slice(0, i);
      else if (kept !== undefined) kept.push(ev);
    }
    if (kept === undefined) return 0;
    // The link stays in the waiting list; an emptied one sends nothing when the turn ends.
    link.relayed = kept.length === 0 ? NOTHING : kept;
    link.relayedOwned = kept.length > 0;
    return held.length - kept.length;
  }

  /** Drop what `link` holds (it closed). */
  drop(link: L): void {
    link.relayed = NOTHING;
    link.relayedOwned = false;
  }
}
