import type { Link } from '@symmetric/transport';
import type { LatencyModel } from './latency.js';
import type { Channel } from './queue.js';
import type { LoopbackTransport } from './transport.js';

/** @internal Latency and cut state shared by every link between one unordered pair of addresses. */
export interface Pair {
  model: LatencyModel;
  cut: boolean;
}

/** One end of an in-process link. Created by {@link LoopbackTransport.dial}; never by hand. */
export class LoopbackLink implements Link {
  /** @inheritDoc */
  readonly id: string;
  /** @inheritDoc */
  readonly direction: 'inbound' | 'outbound';
  /** The other side's loopback address. */
  readonly remoteAddress: string;
  /**
   * This end's number on its network, dense from 0: `2k` for the dialling end of the network's
   * `k`-th link, `2k + 1` for the other (an array indexed by it needs no map).
   */
  readonly index: number;
  /** Always `undefined`: loopback does not authenticate peers. */
  readonly remotePeerId: undefined = undefined;
  /** @inheritDoc */
  attachment: unknown = undefined;
  /** @internal The transport this end belongs to. */
  readonly owner: LoopbackTransport;
  /** @internal Latency/cut state of the address pair. */
  readonly pair: Pair;
  /** @internal The other end. */
  peer!: LoopbackLink;
  /** @internal Events from this end to the other one, in due order. */
  channel!: Channel<LoopbackLink>;
  /** @internal Due time of the last event sent from this end (FIFO floor). */
  lastAt: number;
  /** @internal */
  isOpen = true;

  /** @internal */
  constructor(
    id: string,
    direction: 'inbound' | 'outbound',
    remoteAddress: string,
    owner: LoopbackTransport,
    pair: Pair,
    now: number,
    index: number,
  ) {
    this.id = id;
    this.index = index;
    this.direction = direction;
    this.remoteAddress = remoteAddress;
    this.owner = owner;
    this.pair = pair;
    this.lastAt = now;
  }

  /** `true` until this end closes. */
  get open(): boolean {
    return this.isOpen;
  }

  /**
   * Queues a copy of `frame` for delivery after one latency sample, never before the
   * previous frame of this direction. Returns `false` when closed; throws `FRAME_TOO_LARGE`.
   */
  send(frame: Uint8Array): boolean {
    return this.owner.network._send(this, frame);
  }

  /** Closes this end now (`onClose` local) and the other end one latency sample later. */
  close(reason = 'closed'): void {
    this.owner.network._close(this, reason);
  }
}
