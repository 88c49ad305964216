import type { Link, TransportError } from '@symmetric/transport';
import type { LoopbackTransport } from './transport.js';

/** A dial waiting for its connect latency (a heap item of its own). */
export class PendingDial {
  readonly at: number;
  readonly seq: number;
  readonly from: LoopbackTransport;
  readonly address: string;
  readonly resolve: (link: Link) => void;
  readonly reject: (error: TransportError) => void;
  /** For an automatic (`connectTo`) dial: its in-progress marker, cleared when the dial completes. */
  readonly autoKey: string | undefined;

  constructor(
    at: number,
    seq: number,
    from: LoopbackTransport,
    address: string,
    resolve: (link: Link) => void,
    reject: (error: TransportError) => void,
    autoKey: string | undefined,
  ) {
    this.at = at;
    this.seq = seq;
    this.from = from;
    this.address = address;
    this.resolve = resolve;
    this.reject = reject;
    this.autoKey = autoKey;
  }
}
