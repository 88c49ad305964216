/**
 * The events a loopback network has in flight (frames, remote closes, delayed opens), handed
 * out in `(at, seq)` order: due time, ties in schedule order.
 */
import { Lane } from './lane.js';
import { Channel, type Due, MinHeap } from './queue.js';

/**
 * Every event in flight, earliest first by `(at, seq)`. An event due no earlier than the
 * events already in the {@link Lane} goes there (with a latency that does not vary: all of
 * them) unless its link direction's {@link Channel} holds events; any other goes to that
 * channel, whose head sits in a heap of directions, and dials go to the heap themselves. {@link take} takes the earlier of the
 * lane's head and the heap's top, so events come out in exactly the order one heap of them
 * all would give, and the events of one direction (due in schedule order) stay in FIFO order.
 */
export class EventQueue<Target, Dial extends Due> {
  private readonly lane = new Lane<Target>();
  private readonly heap = new MinHeap<Channel<Target> | Dial>();
  /** Payload of the event {@link take} last returned a target for: a frame's bytes or a close's reason. */
  payload: Uint8Array | string = '';

  /** Whether no event is in flight. */
  get empty(): boolean {
    return this.lane.size === 0 && this.heap.size === 0;
  }

  /**
   * Queues an event of `channel`'s direction: a frame (its bytes) or a close (its reason). `seq`
   * must grow from call to call (dials included) and `at` must not be before the previous
   * event of this direction.
   */
  add(channel: Channel<Target>, at: number, seq: number, payload: Uint8Array | string): void {
    const lane = this.lane;
    // A direction with events in its channel keeps adding there (its head stays in the heap;
    // under a varying latency the lane would otherwise take every other event of it).
    if (!channel.queued && lane.accepts(at)) lane.push(at, seq, channel.target, payload);
    else if (channel.append(at, seq, payload)) {
      channel.queued = true;
      this.heap.push(channel);
    }
  }

  /** Queues a dial (its `seq` from the same count as the events'). */
  addDial(dial: Dial): void {
    this.heap.push(dial);
  }

  /** Due time of the earliest event (`+Infinity` when none). */
  nextAt(): number {
    const la = this.lane.headAt();
    const ha = this.heap.peekAt();
    return la < ha ? la : ha;
  }

  /** Schedule order of the earliest event (`+Infinity` when none). */
  nextSeq(): number {
    return this.laneFirst() ? this.lane.headSeq() : this.heap.peekSeq();
  }

  /**
   * Removes the earliest event: returns its receiving end (its payload in {@link payload}), or
   * the dial; `undefined` when none.
   */
  take(): Target | Dial | undefined {
    if (this.laneFirst()) {
      const lane = this.lane;
      const target = lane.headTarget();
      this.payload = lane.headPayload();
      lane.shift();
      return target;
    }
    const heap = this.heap;
    const top = heap.peek();
    if (!(top instanceof Channel)) {
      heap.pop();
      return top;
    }
    this.payload = top.headPayload() as Uint8Array | string;
    if (top.shift()) heap.updateTop();
    else {
      heap.pop();
      top.queued = false;
    }
    return top.target;
  }

  /** Link directions with events in flight (counted once each), plus dials waiting. */
  count(): number {
    const directions = new Set<Target>();
    let dials = 0;
    this.heap.forEach((item) => {
      if (item instanceof Channel) directions.add(item.target);
      else dials++;
    });
    this.lane.forEachTarget((target) => directions.add(target));
    return directions.size + dials;
  }

  /** Whether the lane's head is the earliest event. */
  private laneFirst(): boolean {
    const lane = this.lane;
    if (lane.size === 0) return false;
    const la = lane.headAt();
    const ha = this.heap.peekAt();
    return la < ha || (la === ha && lane.headSeq() < this.heap.peekSeq());
  }
}
