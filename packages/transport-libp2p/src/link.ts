/**
 * One Symmetric link: a long-lived libp2p stream to one neighbour carrying length-prefixed
 * frames, and the reader that turns the stream's bytes into the handshake frame and then link
 * frames.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { lengthPrefix } from '@symmetric/codec';
import { type CloseInfo, isTransportError, type Link, TransportError } from '@symmetric/transport';
import { describeError } from './errors.js';
import { type StreamChunk, StreamFrameReader } from './framing.js';

/** How long a graceful close may take before the stream is aborted, in ms. */
const CLOSE_TIMEOUT_MS = 5_000;

/** What a link reports to the transport. */
export interface LinkHost {
  /** Largest frame `send` accepts. */
  readonly maxFrameBytes: number;
  /** A frame of `bytes` bytes was queued on the stream. */
  sent(bytes: number): void;
  /**
   * `link` is about to queue `bytes`: closes the links with the most unsent bytes while all
   * links' queues together would exceed `maxTotalBufferedBytes`; `false` when `link` was one.
   */
  reserve(link: Libp2pLink, bytes: number): boolean;
  /** The link closed (reported once per link). */
  closed(link: Libp2pLink, info: CloseInfo): void;
}

/** What a new link is made of. */
export interface LinkInit {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly stream: Stream;
  readonly connection: Connection;
  readonly remotePeerId: string;
  /** The neighbour's instance nonce from the handshake. */
  readonly remoteNonce: string;
}

/** One Symmetric link: one libp2p stream to one neighbour. */
export class Libp2pLink implements Link {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteAddress: string;
  readonly remotePeerId: string;
  /** The handler's own per-link state (see `Link.attachment`). */
  attachment: unknown = undefined;
  /** The neighbour's instance nonce from the handshake (changes when it restarts). */
  readonly remoteNonce: string;
  /** `Date.now()` when the link opened. */
  readonly openedAt: number;
  /** The stream carrying the link. */
  readonly stream: Stream;
  /** The libp2p connection under the stream. */
  readonly connection: Connection;
  private isOpen = true;

  /**
   * @param host Receives the link's sends and its close.
   * @param init The handshaken stream and what the handshake told about the neighbour.
   */
  constructor(
    private readonly host: LinkHost,
    init: LinkInit,
  ) {
    this.id = init.id;
    this.direction = init.direction;
    this.stream = init.stream;
    this.connection = init.connection;
    this.remoteAddress = init.connection.remoteAddr.toString();
    this.remotePeerId = init.remotePeerId;
    this.remoteNonce = init.remoteNonce;
    this.openedAt = Date.now();
  }

  /** `true` until the link is reported closed. */
  get open(): boolean {
    return this.isOpen;
  }

  /**
   * Queues `frame` on the stream. `false` when the link is closed or the write fails (the link
   * then closes); throws `FRAME_TOO_LARGE` above the limit.
   */
  send(frame: Uint8Array): boolean {
    if (!this.isOpen) return false;
    if (frame.length > this.host.maxFrameBytes) {
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `frame of ${frame.length} bytes exceeds the limit of ${this.host.maxFrameBytes}`,
        { linkId: this.id },
      );
    }
    const prefixed = lengthPrefix(frame);
    if (!this.host.reserve(this, prefixed.length)) return false;
    try {
      this.stream.send(prefixed);
    } catch (error) {
      this.streamEnded(error instanceof Error ? error : new Error(String(error)), false);
      return false;
    }
    this.host.sent(frame.length);
    return true;
  }

  /** Bytes queued on the stream but not yet written (for the transport-wide cap). */
  buffered(): number {
    return this.isOpen ? this.stream.writeBufferLength : 0;
  }

  /**
   * Closes the link because all links together hold more than `max` unsent bytes and this one
   * holds the most: the stream is aborted at once, dropping its queue. Returns the error.
   */
  closeOverTotal(max: number): TransportError | undefined {
    if (!this.isOpen) return undefined;
    const error = new TransportError(
      'LINK_CLOSED',
      `link ${this.id}: all links together hold more than maxTotalBufferedBytes ${max} unsent bytes, ` +
        `this one the most (${this.buffered()}); closed`,
      { linkId: this.id },
    );
    this.finish({ local: true, reason: 'total send buffers overflow', error });
    this.stream.abort(error);
    return error;
  }

  /** Closes the link from this side: queued frames are flushed, then the stream ends. */
  close(reason = 'closed'): void {
    this.closeGracefully({ local: true, reason });
  }

  /** Reports the close with `info`, then ends the stream, aborting it if that stalls. */
  closeGracefully(info: CloseInfo): void {
    if (!this.isOpen) return;
    this.finish(info);
    const stream = this.stream;
    const force = setTimeout(() => stream.abort(new Error('close timed out')), CLOSE_TIMEOUT_MS);
    stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) }).then(
      () => clearTimeout(force),
      () => {
        clearTimeout(force);
        stream.abort(new Error('close failed'));
      },
    );
  }

  /** Marks the link closed and reports it, leaving the stream as it is. */
  finish(info: CloseInfo): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.host.closed(this, info);
  }

  /** The stream ended: closed by the neighbour (`remoteClose`), or reset with `error`. */
  streamEnded(error: Error | undefined, remoteClose: boolean): void {
    if (remoteClose) {
      if (this.isOpen) this.finish({ local: false, reason: 'closed by the remote peer' });
      void this.stream.close().catch(() => {});
      return;
    }
    if (!this.isOpen) return;
    if (error === undefined) {
      this.finish({ local: false, reason: 'stream closed' });
      return;
    }
    this.finish({
      local: false,
      reason: `stream reset: ${describeError(error)}`,
      error: new TransportError('LINK_CLOSED', `link to ${this.remotePeerId} lost: ${describeError(error)}`, {
        cause: error,
        linkId: this.id,
      }),
    });
  }
}

/** What a {@link StreamSession} reports. */
export interface SessionEvents {
  /** The first frame: the handshake. */
  handshake(session: StreamSession, frame: Uint8Array): void;
  /** A later frame on the session's open link. */
  frame(link: Libp2pLink, frame: Uint8Array): void;
  /** The stream broke the protocol. */
  violation(session: StreamSession, error: TransportError): void;
  /** The stream ended: closed by the neighbour (`remoteClose`) or closed or reset here. */
  ended(session: StreamSession, error: Error | undefined, remoteClose: boolean): void;
}

/**
 * The reader of one stream: feeds its chunks to a {@link StreamFrameReader}, hands the first
 * frame to `handshake` and every later frame to the link once there is one.
 */
export class StreamSession {
  /** The link once the handshake made one. */
  link: Libp2pLink | undefined;
  /** Set once the stream is given up (violation, reject, close): nothing more is delivered. */
  dead = false;
  private handshakeSeen = false;
  private readonly reader: StreamFrameReader;

  /**
   * @param stream The stream to read.
   * @param connection Its connection.
   * @param maxFrameBytes Largest frame accepted.
   * @param events Receives what the stream carries.
   */
  constructor(
    readonly stream: Stream,
    readonly connection: Connection,
    maxFrameBytes: number,
    private readonly events: SessionEvents,
  ) {
    this.reader = new StreamFrameReader(maxFrameBytes);
    stream.addEventListener('message', (evt) => this.onMessage(evt.data));
    stream.addEventListener('remoteCloseWrite', () => this.events.ended(this, undefined, true));
    stream.addEventListener('close', (evt) => this.events.ended(this, evt.error, false));
  }

  private onMessage(data: StreamChunk): void {
    if (this.dead) return;
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(data);
    } catch (error) {
      this.events.violation(
        this,
        isTransportError(error)
          ? error
          : new TransportError('PROTOCOL', 'undecodable frame', { cause: error }),
      );
      return;
    }
    for (const frame of frames) {
      if (this.dead) return;
      if (!this.handshakeSeen) {
        this.handshakeSeen = true;
        this.events.handshake(this, frame);
        continue;
      }
      const link = this.link;
      if (link === undefined) {
        this.events.violation(this, new TransportError('PROTOCOL', 'frame before the handshake completed'));
        return;
      }
      if (!link.open) return; // closed locally: the rest is dropped, never delivered after onClose
      this.events.frame(link, frame);
    }
  }
}
