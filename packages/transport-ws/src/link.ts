import { type CloseInfo, type Link, TransportError, type TransportErrorCode } from '@symmetric/transport';
import { CloseCode, errorForRemoteClose } from './constants.js';
import { type Settings, truncateReason } from './options.js';

/**
 * The few socket operations a link needs; the Node (`ws`) and browser (`WebSocket`) sides each
 * provide one, and everything else about a link is shared.
 */
export interface SocketPort {
  /** Send one binary message (the implementation must not keep a reference to `data`). */
  send(data: Uint8Array): void;
  /** Start the close handshake. */
  close(code: number, reason: string): void;
  /** Drop the connection now (no handshake). */
  terminate(): void;
  /** Bytes queued but not yet written. */
  bufferedAmount(): number;
  /** Send a ping, when the platform can (Node); `undefined` in browsers. */
  readonly ping: (() => void) | undefined;
}

/** What a link reports to its transport (internal). */
export interface LinkHost {
  readonly settings: Settings;
  /** The link finished its handshake; return `false` to have it dropped (transport stopping). */
  opened(link: WsLink): boolean;
  frame(link: WsLink, frame: Uint8Array): void;
  /**
   * `link` is about to queue `bytes`: closes the links with the most unsent bytes while every
   * link's queue together would exceed `maxTotalBufferedBytes`; `false` when `link` was one of them.
   */
  reserve(link: WsLink, bytes: number): boolean;
  closed(link: WsLink, info: CloseInfo): void;
  error(error: TransportError, link?: WsLink): void;
  /** A link that never opened is gone (dial failed, cancelled or timed out). */
  abandoned(link: WsLink): void;
}

/** Settles the `dial()` promise of an outbound link. */
export interface DialWaiter {
  resolve(link: WsLink): void;
  reject(error: TransportError): void;
}

type State = 'connecting' | 'open' | 'closed';

function setUnrefTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, ms);
  (t as { unref?: () => void }).unref?.();
  return t;
}

/**
 * One WebSocket link, shared by Node and browsers. The platform code creates the socket, feeds
 * its events into the `socket*` methods and hands over a {@link SocketPort}; this class does the
 * rest: open/close bookkeeping (each link reports `onClose` exactly once), size limits, send
 * back-pressure, heartbeats and mapping every failure to a {@link TransportError}.
 */
export class WsLink implements Link {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteAddress: string;
  readonly remotePeerId: string | undefined = undefined;
  /** The handler's own per-link state (see `Link.attachment`). */
  attachment: unknown = undefined;
  /** `performance.now()` when the link opened (internal, for the reconnect policy). */
  openedAt = 0;
  /** Called once when an opened link closes (internal, for the reconnect policy). */
  onFinished: ((openMs: number) => void) | undefined;

  private state: State = 'connecting';
  private port: SocketPort | undefined;
  private firstError: TransportError | undefined;
  private waiter: DialWaiter | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private alive = true;
  private lastReceived = 0;
  private socketGone = false;
  private readonly socketGoneWaiters: (() => void)[] = [];

  constructor(
    private readonly host: LinkHost,
    id: string,
    direction: 'inbound' | 'outbound',
    remoteAddress: string,
    waiter?: DialWaiter,
  ) {
    this.id = id;
    this.direction = direction;
    this.remoteAddress = remoteAddress;
    this.waiter = waiter;
    if (direction === 'outbound') {
      this.connectTimer = setTimeout(() => {
        this.abortConnect(
          new TransportError(
            'TIMEOUT',
            `dial ${remoteAddress} timed out after ${host.settings.dialTimeoutMs} ms`,
            {
              linkId: id,
            },
          ),
        );
      }, host.settings.dialTimeoutMs);
    }
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /** Hands over the socket (internal). */
  attach(port: SocketPort): void {
    this.port = port;
    if (this.state === 'closed') port.terminate();
  }

  send(frame: Uint8Array): boolean {
    if (this.state !== 'open' || this.port === undefined) return false;
    const max = this.host.settings.maxFrameBytes;
    if (frame.byteLength > max) {
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `frame of ${frame.byteLength} bytes exceeds maxFrameBytes ${max}`,
        {
          linkId: this.id,
        },
      );
    }
    const port = this.port;
    if (port.bufferedAmount() + frame.byteLength > this.host.settings.maxBufferedBytes) {
      this.fail(
        CloseCode.SendBufferOverflow,
        'send buffer overflow',
        new TransportError(
          'LINK_CLOSED',
          `link ${this.id}: more than ${this.host.settings.maxBufferedBytes} bytes waiting to be sent; closed`,
          { linkId: this.id },
        ),
        false,
      );
      return false;
    }
    if (!this.host.reserve(this, frame.byteLength)) return false;
    try {
      port.send(frame);
      return true;
    } catch (cause) {
      this.fail(
        1011,
        'send failed',
        new TransportError('LINK_CLOSED', `link ${this.id}: send failed`, { cause, linkId: this.id }),
        true,
      );
      return false;
    }
  }

  /** Bytes queued on this link but not yet written (internal, for the transport-wide cap). */
  buffered(): number {
    return this.state === 'open' ? (this.port?.bufferedAmount() ?? 0) : 0;
  }

  /**
   * Closes this link (code 4002) because all links together hold more than `max` unsent bytes
   * and this one holds the most (internal). The socket is dropped at once, freeing its queue.
   */
  closeOverTotal(max: number): void {
    const held = this.buffered();
    this.fail(
      CloseCode.SendBufferOverflow,
      'total send buffers overflow',
      new TransportError(
        'LINK_CLOSED',
        `link ${this.id}: all links together hold more than maxTotalBufferedBytes ${max} unsent bytes, ` +
          `this one the most (${held}); closed`,
        { linkId: this.id },
      ),
      true,
    );
  }

  close(reason = 'closed'): void {
    this.closeLocal(CloseCode.Normal, reason);
  }

  /**
   * Local close with `code` (internal: `stop()` uses 1001). Reports `onClose` now; resolves when
   * the socket is gone (after the handshake or `closeGraceMs`).
   */
  closeLocal(code: number, reason: string): Promise<void> {
    if (this.state === 'connecting') {
      this.abortConnect(new TransportError('DIAL_FAILED', `dial cancelled: ${reason}`, { linkId: this.id }));
      return this.whenSocketGone();
    }
    if (this.state === 'closed') return this.whenSocketGone();
    this.state = 'closed';
    this.stopTimers();
    this.shutSocket(code, reason, false);
    this.report({ local: true, reason });
    return this.whenSocketGone();
  }

  /** Drops the socket without waiting any longer (internal, end of `stop()`). */
  terminate(): void {
    if (this.socketGone) return;
    try {
      this.port?.terminate();
    } catch {
      // already gone
    }
  }

  /** Cancels a link still connecting, rejecting its dial (internal). */
  abortConnect(error: TransportError): void {
    if (this.state !== 'connecting') return;
    this.state = 'closed';
    this.firstError ??= error;
    this.stopTimers();
    try {
      this.port?.terminate();
    } catch {
      // already gone
    }
    this.settleDial(error);
  }

  // ---- socket events, fed by the platform code ----

  /** The socket opened (outbound) or was accepted (inbound). */
  socketOpened(): void {
    if (this.state !== 'connecting') {
      this.port?.terminate();
      return;
    }
    this.clearConnectTimer();
    this.state = 'open';
    this.openedAt = performance.now();
    this.lastReceived = this.openedAt;
    this.startTimers();
    if (!this.host.opened(this)) {
      this.state = 'closed';
      this.stopTimers();
      this.shutSocket(CloseCode.GoingAway, 'transport stopped', true);
      this.settleDial(new TransportError('DIAL_FAILED', 'transport stopped', { linkId: this.id }));
      return;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(this);
  }

  /** One whole message arrived; `binary` is false for a text message. */
  socketMessage(data: Uint8Array, binary: boolean): void {
    if (this.state !== 'open') return;
    this.alive = true;
    this.lastReceived = performance.now();
    if (!binary) {
      this.fail(
        CloseCode.UnsupportedData,
        'text messages not supported',
        new TransportError('PROTOCOL', `link ${this.id}: text message received; frames are binary`, {
          linkId: this.id,
        }),
        false,
      );
      return;
    }
    const max = this.host.settings.maxFrameBytes;
    if (data.byteLength > max) {
      this.fail(
        CloseCode.MessageTooBig,
        `frame exceeds ${max} bytes`,
        new TransportError('FRAME_TOO_LARGE', `link ${this.id}: received ${data.byteLength} bytes > ${max}`, {
          linkId: this.id,
        }),
        false,
      );
      return;
    }
    this.host.frame(this, data);
  }

  /** A pong (answer to our ping) arrived. */
  socketPong(): void {
    this.alive = true;
    this.lastReceived = performance.now();
  }

  /**
   * The socket reported an error; `error` is already mapped. The socket is closing (its close
   * event follows), so an open link is reported closed now: nothing is sent or delivered after.
   */
  socketError(error: TransportError): void {
    if (this.firstError !== undefined) return;
    this.firstError = error;
    if (this.state !== 'open') return;
    this.state = 'closed';
    this.stopTimers();
    this.host.error(error, this);
    if (!this.socketGone) setUnrefTimeout(() => this.terminate(), this.host.settings.closeGraceMs);
    const reason =
      error.code === 'FRAME_TOO_LARGE'
        ? 'message too big'
        : error.code === 'PROTOCOL'
          ? 'protocol error'
          : 'connection error';
    this.report({ local: false, reason, error });
  }

  /** The socket is closed (`code`/`reason` from the close frame, 1006 when none). */
  socketClosed(code: number, reason: string): void {
    this.socketGone = true;
    for (const w of this.socketGoneWaiters.splice(0)) w();
    if (this.state === 'connecting') {
      this.state = 'closed';
      this.stopTimers();
      this.settleDial(
        this.firstError ??
          new TransportError('DIAL_FAILED', `dial ${this.remoteAddress} failed (${code} ${reason})`.trim(), {
            linkId: this.id,
          }),
      );
      return;
    }
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopTimers();
    const error = this.firstError ?? errorForRemoteClose(code, reason, this.id);
    const text = reason !== '' ? reason : (error?.message ?? 'closed by remote');
    this.report(error === undefined ? { local: false, reason: text } : { local: false, reason: text, error });
  }

  // ---- internals ----

  /** A failure detected on this side: report `onError`, close the socket, report `onClose`. */
  private fail(code: number, reason: string, error: TransportError, hard: boolean): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    this.stopTimers();
    this.firstError ??= error;
    this.host.error(error, this);
    this.shutSocket(code, reason, hard);
    this.report({ local: false, reason, error });
  }

  private shutSocket(code: number, reason: string, hard: boolean): void {
    const port = this.port;
    if (port === undefined || this.socketGone) return;
    try {
      port.close(code, truncateReason(reason));
    } catch {
      // the socket may already be closing
    }
    if (hard) {
      try {
        port.terminate();
      } catch {
        // already gone
      }
      return;
    }
    setUnrefTimeout(() => this.terminate(), this.host.settings.closeGraceMs);
  }

  private report(info: CloseInfo): void {
    this.host.closed(this, info);
    const done = this.onFinished;
    this.onFinished = undefined;
    done?.(performance.now() - this.openedAt);
  }

  private settleDial(error: TransportError): void {
    this.clearConnectTimer();
    const waiter = this.waiter;
    this.waiter = undefined;
    this.host.abandoned(this);
    waiter?.reject(error);
  }

  private whenSocketGone(): Promise<void> {
    if (this.socketGone || this.port === undefined) return Promise.resolve();
    return new Promise((resolve) => this.socketGoneWaiters.push(resolve));
  }

  private startTimers(): void {
    const { heartbeatMs, idleTimeoutMs } = this.host.settings;
    const port = this.port;
    if (heartbeatMs > 0 && port?.ping !== undefined) {
      const ping = port.ping;
      this.heartbeatTimer = setInterval(() => {
        if (!this.alive) {
          this.dead(`no pong within ${heartbeatMs} ms`);
          return;
        }
        this.alive = false;
        try {
          ping();
        } catch {
          // a failing socket reports through its close event
        }
      }, heartbeatMs);
    }
    if (idleTimeoutMs > 0) {
      this.idleTimer = setInterval(
        () => {
          if (performance.now() - this.lastReceived > idleTimeoutMs) {
            this.dead(`nothing received for ${idleTimeoutMs} ms`);
          }
        },
        Math.max(1, Math.floor(idleTimeoutMs / 4)),
      );
    }
  }

  private dead(why: string): void {
    this.fail(
      CloseCode.DeadLink,
      'dead link',
      new TransportError('TIMEOUT', `link ${this.id} to ${this.remoteAddress} is dead: ${why}`, {
        linkId: this.id,
      }),
      true,
    );
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private stopTimers(): void {
    this.clearConnectTimer();
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    this.heartbeatTimer = undefined;
    this.idleTimer = undefined;
  }
}

/** Maps a raw socket error to a {@link TransportError} (shared helper for the platform code). */
export function socketErrorToTransportError(
  cause: unknown,
  connecting: boolean,
  linkId: string,
  address: string,
): TransportError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  let kind: TransportErrorCode;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') {
    kind = 'FRAME_TOO_LARGE';
  } else if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    kind = 'PROTOCOL';
  } else {
    kind = connecting ? 'DIAL_FAILED' : 'LINK_CLOSED';
  }
  const what = connecting ? `dial ${address} failed` : `link ${linkId} to ${address} failed`;
  return new TransportError(kind, `${what}: ${message}`, { cause, linkId });
}
