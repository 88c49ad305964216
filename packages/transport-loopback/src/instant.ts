/**
 * The events of one instant of virtual time, grouped by the transport that receives them: a
 * transport's events of the instant are delivered one after the other (in send order) and its
 * turn ends right behind them, while its state is still in the processor's caches. Transports
 * come in the order of their first event of the instant, so the order is as deterministic as
 * the send order it is made from.
 */
import type { LoopbackLink } from './link.js';
import type { LoopbackTransport } from './transport.js';

/** No event (the end of a transport's list). */
const END = -1;

/** One instant's events (frames and remote closes) by receiving transport. */
export class InstantGroups {
  private ends: (LoopbackLink | undefined)[] = [];
  private payloads: (Uint8Array | string | undefined)[] = [];
  /** Each event's successor in its transport's list (an index into `ends`), or {@link END}. */
  private next = new Int32Array(64);
  /** Transports with events, in the order of their first one. */
  private readonly owners: LoopbackTransport[] = [];
  private count = 0;

  /** Whether no event is held. */
  get empty(): boolean {
    return this.count === 0;
  }

  /** Adds an event for `end` (a frame's bytes or a close's reason), behind its transport's others. */
  add(end: LoopbackLink, payload: Uint8Array | string): void {
    const i = this.count++;
    if (i >= this.next.length) {
      const next = new Int32Array(this.next.length * 2);
      next.set(this.next);
      this.next = next;
    }
    this.ends[i] = end;
    this.payloads[i] = payload;
    this.next[i] = END;
    const owner = end.owner;
    if (owner.groupTail === END) {
      owner.groupHead = i;
      this.owners.push(owner);
    } else this.next[owner.groupTail] = i;
    owner.groupTail = i;
  }

  /**
   * Hands out every event, transport by transport: `deliver` for each of a transport's events,
   * then `done` with the transport. Afterwards nothing is held, also when a callback threw.
   * (Nothing is added meanwhile: handlers cannot run the network from inside a delivery.)
   */
  drain(
    deliver: (end: LoopbackLink, payload: Uint8Array | string) => void,
    done: (owner: LoopbackTransport) => void,
  ): void {
    const owners = this.owners;
    const ends = this.ends;
    const payloads = this.payloads;
    const next = this.next;
    try {
      for (let k = 0; k < owners.length; k++) {
        const owner = owners[k]!;
        for (let i = owner.groupHead; i !== END; i = next[i]!) deliver(ends[i]!, payloads[i]!);
        done(owner);
      }
    } finally {
      // One pass over what the instant held, delivered or not.
      for (let k = 0; k < owners.length; k++) {
        owners[k]!.groupHead = END;
        owners[k]!.groupTail = END;
      }
      for (let i = 0; i < this.count; i++) {
        ends[i] = undefined;
        payloads[i] = undefined;
      }
      owners.length = 0;
      this.count = 0;
    }
  }
}
