/**
 * The contract between the Symmetric peer runtime and any byte-carrying network.
 *
 * A transport moves opaque frames (already encoded by `@symmetric/codec`) over links. A link
 * is one bidirectional, reliable, FIFO channel to one neighbour. The peer runtime attaches a
 * single {@link TransportHandler} with {@link Transport.start}; everything the transport has to
 * say (new link, frame, link closed, error) reaches the peer through it. Nothing is thrown
 * into the void: failures of background work (accept, reconnect, heartbeats) go to `onError`.
 *
 * Rules every transport shares (checked by `@symmetric/transport/conformance`):
 * - Callbacks for one link come in the order `onLink`, `onFrame`*, `onClose` (exactly once),
 *   and always pass the same {@link Link} object that `onLink` received (the runtime keys
 *   maps by it).
 * - Frames are delivered whole, in send order, each as a `Uint8Array` the receiver owns.
 * - A link is reliable while open, but frames still in flight when it closes may be lost
 *   (the peer runtime repairs gaps on reconnection). Nothing is delivered after `onClose`.
 */

/** Why a link closed, as reported to {@link TransportHandler.onClose}. */
export interface CloseInfo {
  /** `true` when this side called {@link Link.close} or {@link Transport.stop}. */
  readonly local: boolean;
  /** Free-text reason (from the closing side when the transport carries one). */
  readonly reason: string;
  /** Set when the link closed because of an error. */
  readonly error?: TransportError;
}

/** One bidirectional, reliable, FIFO channel to one neighbour. */
export interface Link {
  /** Unique among the links of one transport instance, stable for the link's lifetime. */
  readonly id: string;
  /** `outbound` when this side dialled, `inbound` when the remote side did. */
  readonly direction: 'inbound' | 'outbound';
  /** Transport-specific address of the remote side (URL, multiaddr, loopback name). */
  readonly remoteAddress: string;
  /**
   * The remote peer id when the transport authenticates it (libp2p); `undefined` otherwise,
   * in which case the peer learns it from the codec handshake.
   */
  readonly remotePeerId: string | undefined;
  /** `true` until the link closes; never becomes `true` again. */
  readonly open: boolean;
  /**
   * The handler's own per-link state: transports never read or change it (`undefined` until the
   * handler sets it). A handler that keeps its state for a link here finds it from `onFrame`'s
   * link without a look-up of its own.
   */
  attachment?: unknown;
  /**
   * Queue one frame for delivery, in order after every frame sent before on this link.
   * Returns `false` (and sends nothing) when the link is closed; never throws for that.
   * Throws {@link TransportError} `FRAME_TOO_LARGE` when the frame exceeds the transport's limit
   * (nothing is sent and the link stays open); a transport that only detects the excess later
   * reports it to `onError` instead and closes at most that link.
   * Callers should not modify `frame` after the call: a transport may keep a reference to it
   * until it is written (the loopback transport copies it unless told not to).
   */
  send(frame: Uint8Array): boolean;
  /**
   * Close the link. Idempotent; `onClose` fires once, with `local: true` and this `reason`
   * (possibly before `close` returns). When `close` returns, `open` is `false` and `send`
   * returns `false`. The remote side gets `onClose` with `local: false`.
   */
  close(reason?: string): void;
}

/** Callbacks through which a transport reports to its single owner (the peer runtime). */
export interface TransportHandler {
  /** A link opened (inbound accepted or outbound dialled). Frames on it follow via `onFrame`. */
  onLink(link: Link): void;
  /** One frame arrived on `link`, in order. The receiver owns `frame` (it may keep it). */
  onFrame(link: Link, frame: Uint8Array): void;
  /** `link` closed (exactly once per link that was reported to `onLink`). */
  onClose(link: Link, info: CloseInfo): void;
  /** Something failed in the background (a failed redial, a refused peer, a bad frame). */
  onError(error: TransportError, link?: Link): void;
  /**
   * Optional: the frames that arrived together (one instant of a virtual clock, one read of a
   * socket) have all been handed to `onFrame`; called after the last of them, before anything
   * later is delivered. The receiver may then send what it held back for the turn (the peer
   * runtime's relayed events, one frame per link). Transports that do not call it leave the
   * receiver to end the turn itself once the current task's microtasks run.
   */
  onTurnEnd?(): void;
}

/**
 * A room-wide, best-effort broadcast channel that a transport may offer next to its links (e.g.
 * one gossipsub topic per room on libp2p). A published message reaches the other members of the
 * room through the transport's own dissemination (never the publisher itself), possibly not all
 * of them, possibly out of order, possibly more than once: the peer runtime keeps repairing over
 * links, so correctness never depends on the channel. Messages are opaque bytes (encoded by the
 * peer runtime, independent of any link).
 */
export interface RoomBroadcast {
  /** Largest message {@link RoomBroadcast.publish} accepts, in bytes. */
  readonly maxMessageBytes: number;
  /**
   * Publish `message` to the room. Returns `false` (and sends nothing) when the channel is not
   * running (transport not started or stopped); never throws for that. Throws
   * {@link TransportError} `FRAME_TOO_LARGE` when `message` exceeds {@link maxMessageBytes}.
   * Failures found later (nobody reachable, a send error) go to the transport's `onError`; the
   * message is then simply lost. Callers should not modify `message` after the call.
   */
  publish(message: Uint8Array): boolean;
  /**
   * Listen to messages published by other members; returns the unsubscribe function.
   * `from` is the publisher's peer id when the transport authenticates it (libp2p signs
   * gossipsub messages), `undefined` otherwise. The listener owns `message`. Listeners
   * survive a restart of the transport (`stop` then `start`).
   */
  onMessage(listener: (message: Uint8Array, from: string | undefined) => void): () => void;
}

/**
 * A transport: a way to get links. Implementations are small; `@symmetric/transport`'s
 * conformance suite checks the behaviour every one must share.
 */
export interface Transport {
  /** Short name for logs and stats, e.g. `ws`, `libp2p`, `loopback`. */
  readonly name: string;
  /**
   * `true` when the transport calls its handler's `onTurnEnd` after every turn in which it
   * delivered frames (the receiver then needs no turn end of its own); absent or `false`
   * otherwise.
   */
  readonly endsTurns?: boolean;
  /**
   * Optional room-wide broadcast channel (see {@link RoomBroadcast}); present only on
   * transports configured to offer one (libp2p with its `gossip` option). The peer runtime uses
   * it with `dissemination: 'broadcast'`.
   */
  readonly broadcast?: RoomBroadcast | undefined;
  /**
   * Start listening (where configured) and dialling configured addresses; report through
   * `handler`. Rejects with {@link TransportError} if the transport cannot start at all.
   */
  start(handler: TransportHandler): Promise<void>;
  /**
   * Open a link to `address`. Resolves once the link is open (after `onLink` fired for it);
   * rejects with {@link TransportError} (`BAD_ADDRESS`, `DIAL_FAILED`, `NOT_STARTED`, ...).
   */
  dial(address: string): Promise<Link>;
  /** Addresses other peers can dial to reach this transport (empty when not listening, e.g. after `stop`). */
  addresses(): string[];
  /** Currently open links. */
  links(): Link[];
  /**
   * Close every link (each reports `onClose` with `local: true` before the promise resolves),
   * stop listening and redialling. Idempotent, also before `start`. After it, `dial` rejects.
   */
  stop(): Promise<void>;
}

/** Machine-readable reason of a {@link TransportError}. */
export type TransportErrorCode =
  | 'NOT_STARTED'
  | 'ALREADY_STARTED'
  | 'BAD_ADDRESS'
  | 'DIAL_FAILED'
  | 'LISTEN_FAILED'
  | 'LINK_CLOSED'
  | 'FRAME_TOO_LARGE'
  | 'HANDSHAKE_FAILED'
  | 'TIMEOUT'
  | 'PROTOCOL'
  | 'INTERNAL';

/** The one error type transports raise or report. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** What went wrong, for programs. */
  readonly code: TransportErrorCode;
  /** The link concerned, when there is one. */
  readonly linkId: string | undefined;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown; linkId?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.linkId = options?.linkId;
  }
}

/** `true` when `value` is a {@link TransportError} (also across bundled copies of this package). */
export function isTransportError(value: unknown): value is TransportError {
  return value instanceof Error && (value as { name?: unknown }).name === 'TransportError' && 'code' in value;
}
