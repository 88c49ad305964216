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

/** What the queue needs of a link: the events held for it (an array kept across turns). @internal */
export interface RelayTarget<E> {
  /** Events to relay on this link at the end of the current turn, in the order they came. */
  readonly relayed: WireEvent<E>[];
}

/** The links with events held in the current turn. @internal */
export class RelayQueue<E, L extends RelayTarget<E>> {
  private readonly waiting: L[] = [];
  private scheduled = false;
  private readonly onMicrotask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    /** Sends events on a link at once (a closed link sends nothing). */
    private readonly send: (link: L, events: readonly WireEvent<E>[]) => void,
  ) {}

  /** Hold `events` for `link` until the turn ends. */
  add(link: L, events: readonly WireEvent<E>[]): void {
    const held = link.relayed;
    if (held.length === 0) this.waiting.push(link);
    for (let i = 0; i < events.length; i++) held.push(events[i]!);
    if (!this.scheduled) {
      this.scheduled = true;
      host.queueMicrotask(this.onMicrotask);
    }
  }

  /** Send what `link` holds now (before another frame goes out on it). */
  flushLink(link: L): void {
    const held = link.relayed;
    if (held.length === 0) return;
    try {
      this.send(link, held);
    } finally {
      held.length = 0;
    }
  }

  /** The turn ended: every link's held events leave, one frame per link. */
  flush(): void {
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    try {
      for (let i = 0; i < waiting.length; i++) this.flushLink(waiting[i]!);
    } finally {
      waiting.length = 0;
    }
  }

  /** Drop what `link` holds (it closed). */
  drop(link: L): void {
    link.relayed.length = 0;
  }
}
