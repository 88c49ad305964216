import { TransportError } from '@symmetric/transport';
import { browserCloseCode } from './constants.js';
import { WebSocketTransportCore } from './core.js';
import type { SocketPort, WsLink } from './link.js';
import type { WebSocketCommonOptions } from './options.js';

/** The part of the WHATWG `WebSocket` this transport uses (so no DOM typings are needed). */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { readonly data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { readonly code: number; readonly reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A constructor compatible with the WHATWG `WebSocket` (`globalThis.WebSocket` by default). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of the browser WebSocket transport (a client: browsers cannot listen). */
export interface BrowserWebSocketTransportOptions extends WebSocketCommonOptions {
  /** The `WebSocket` class to use. Default `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
}

const EMPTY = new Uint8Array(0);

function wireBrowserSocket(ws: WebSocketLike, link: WsLink): SocketPort {
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => link.socketOpened();
  ws.onmessage = (ev) => {
    const data = ev.data;
    if (data instanceof ArrayBuffer) link.socketMessage(new Uint8Array(data), true);
    else if (ArrayBuffer.isView(data)) {
      link.socketMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
    } else link.socketMessage(EMPTY, false);
  };
  ws.onerror = () => {
    // Browsers give no detail on purpose; the close event that follows carries the code.
    link.socketError(
      new TransportError(
        link.open ? 'LINK_CLOSED' : 'DIAL_FAILED',
        `WebSocket error on ${link.remoteAddress}`,
        {
          linkId: link.id,
        },
      ),
    );
  };
  ws.onclose = (ev) => link.socketClosed(ev.code, ev.reason);
  const close = (code: number, reason: string): void => ws.close(browserCloseCode(code), reason);
  return {
    send: (data) => ws.send(data),
    close,
    terminate: () => ws.close(1000, 'terminated'),
    bufferedAmount: () => ws.bufferedAmount,
    ping: undefined,
  };
}

/**
 * WebSocket transport for browsers (and any runtime with a WHATWG `WebSocket`): dials
 * `ws://`/`wss://` URLs, keeps configured ones connected, never imports `ws` or `node:*`.
 * It cannot listen, so `addresses()` is always empty.
 *
 * @example
 * ```ts
 * const ws = new WebSocketTransport({ dial: ['wss://hub.example.org/room'], token: 'secret' });
 * ```
 */
export class WebSocketTransport extends WebSocketTransportCore {
  private readonly WebSocketClass: WebSocketConstructor | undefined;

  /** Throws `InvalidOptionError` for an option out of range. */
  constructor(options: BrowserWebSocketTransportOptions = {}) {
    super(options);
    this.WebSocketClass =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
  }

  addresses(): string[] {
    return [];
  }

  /**
   * Opens a socket to `url` whose events feed `link`.
   * @internal
   */
  protected connect(url: URL, link: WsLink): SocketPort {
    const Ctor = this.WebSocketClass;
    if (Ctor === undefined) {
      throw new TransportError('DIAL_FAILED', 'no WebSocket implementation in this environment', {
        linkId: link.id,
      });
    }
    return wireBrowserSocket(new Ctor(url.href, [...this.settings.protocols]), link);
  }

  /**
   * Nothing to start: browsers cannot listen.
   * @internal
   */
  protected async listen(): Promise<void> {}

  /**
   * Nothing to stop: browsers cannot listen.
   * @internal
   */
  protected async unlisten(): Promise<void> {}
}

/** Creates a browser {@link WebSocketTransport}; same as `new WebSocketTransport(options)`. */
export function webSocketTransport(options: BrowserWebSocketTransportOptions = {}): WebSocketTransport {
  return new WebSocketTransport(options);
}
