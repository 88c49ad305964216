/**
 * One transport link and the neighbour behind it, as the peer's link table keeps it: its
 * protocol state, its codec pair, and what the components read for every frame on it (kept on
 * the entry: no other object to reach).
 * @internal
 */
import type { Frame, FrameDecoder, FrameEncoder, HelloFrame, WireEvent } from '@symmetric/codec';
import type { Link, Transport } from '@symmetric/transport';
import type { LinkUse } from './quota-guard.js';
import { nothingRelayed } from './relay-queue.js';
import type { RemoteFrontier } from './remote-frontier.js';
import type { SourceSeqs } from './source-seqs.js';

/**
 * Where the protocol stands with the neighbour behind one link: our hello is sent and theirs
 * awaited; both hellos accepted (a neighbour); or closed.
 */
export type ProtocolState =
  | { readonly kind: 'handshaking' }
  | { readonly kind: 'running'; readonly peerId: string; readonly capabilities: number }
  | { readonly kind: 'closed'; readonly peerId: string };

const HANDSHAKING: ProtocolState = { kind: 'handshaking' };

/** One transport link and the neighbour behind it. @internal */
export class LinkEntry<E> {
  #protocol: ProtocolState = HANDSHAKING;
  /** `protocol.kind`, kept beside it on the entry (read for every frame). */
  kind: ProtocolState['kind'] = 'handshaking';
  /** What the neighbour is known to hold (`remote.holds`, kept here once looked up: read per event). */
  holds: SourceSeqs | undefined;
  /** Reason given to `peer:leave` when set (the neighbour's `bye`, or the error that closed it). */
  closeReason: string | undefined;
  /** The handshake was refused (by either side): the address is not worth redialling soon. */
  refused = false;
  /** Authenticated rooms: this side's challenge nonce. */
  nonce: Uint8Array | undefined;
  /** Authenticated rooms: the neighbour's hello, held until its `auth` proves the id. */
  pendingHello: HelloFrame | undefined;
  /** Authenticated rooms: the neighbour's challenge nonce. */
  theirNonce: Uint8Array | undefined;
  /**
   * Frames that arrived between the neighbour's hello and its `auth`, with their arrival time,
   * handled after it as if at that time (a SYNC's timing stays exact).
   */
  early: { readonly frame: Frame<E>; readonly at: number }[] | undefined;
  /** What the neighbour is known to hold (repair's record of this link, kept here once looked up). */
  remote: RemoteFrontier | undefined;
  /** What the quota guard counts of this link beyond the rates below (made at its first frame or check). */
  quotaUse: LinkUse | undefined;
  /**
   * The events and bytes counted against the link's rates, and when last (a `RateLimit`'s
   * level and time each, kept on the entry: read for every frame).
   */
  eventsLevel = 0;
  eventsAt = Number.NaN;
  bytesLevel = 0;
  bytesAt = Number.NaN;
  /** Local time the last frame arrived (its opening until then). */
  lastHeard: number;
  /** Events to relay to the neighbour when the current delivery turn ends (see relay-queue.ts). */
  relayed: readonly WireEvent<E>[] = nothingRelayed<E>();
  /** Whether `relayed` is the relay queue's own array (see relay-queue.ts). */
  relayedOwned = false;
  /** Whether the transport ends its delivery turns itself (`Transport.endsTurns`). */
  readonly endsTurns: boolean;
  /** Local time before which no SYNC is due on this link (the clock's schedule, read at each send). */
  syncDueAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** Link id, unique among this peer's links (prefixed with the transport index when several). */
    readonly key: string,
    readonly link: Link,
    readonly transport: Transport,
    /** Local time the link opened. */
    readonly openedAt: number,
    readonly encoder: FrameEncoder<E>,
    readonly decoder: FrameDecoder<E>,
  ) {
    this.lastHeard = openedAt;
    this.endsTurns = transport.endsTurns === true;
  }

  /** Protocol state with the neighbour. */
  get protocol(): ProtocolState {
    return this.#protocol;
  }

  set protocol(state: ProtocolState) {
    this.#protocol = state;
    this.kind = state.kind;
  }

  /** The neighbour's peer id (`''` before its hello). */
  get peerId(): string {
    const p = this.protocol;
    return p.kind === 'handshaking' ? '' : p.peerId;
  }

  /** The neighbour's capabilities (0 before its hello). */
  get capabilities(): number {
    const p = this.protocol;
    return p.kind === 'running' ? p.capabilities : 0;
  }
}
