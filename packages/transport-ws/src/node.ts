import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { TransportError } from '@symmetric/transport';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from './constants.js';
import { WebSocketTransportCore } from './core.js';
import { type SocketPort, socketErrorToTransportError, type WsLink } from './link.js';
import type { WebSocketCommonOptions } from './options.js';

/** Key and certificate (PEM) for a `wss://` listener. */
export interface TlsServerOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

/** Listen on a port of our own (plain HTTP, or HTTPS with `tls`). */
export interface ListenPortOptions {
  /** TCP port; `0` picks a free one (read it back from `addresses()`). */
  readonly port: number;
  /** Interface to bind. Default `127.0.0.1` (loopback only: set `0.0.0.0` to accept remote peers). */
  readonly host?: string;
  /** Serve `wss://` with this key and certificate. */
  readonly tls?: TlsServerOptions;
  /** Accept upgrades on this path only (others get 404). Default: any path. */
  readonly path?: string;
}

/** Share an existing HTTP(S) server (started and stopped by its owner). */
export interface ListenServerOptions {
  /** The server whose `upgrade` requests this transport answers; it must already listen or will be. */
  readonly server: HttpServer | HttpsServer;
  /** Answer upgrades on this path only, leaving others to other listeners. Default: every path. */
  readonly path?: string;
}

/** Options of the Node WebSocket transport. */
export interface WebSocketTransportOptions extends WebSocketCommonOptions {
  /** Accept inbound links. Default: do not listen (dial only). */
  readonly listen?: ListenPortOptions | ListenServerOptions;
  /**
   * What `addresses()` returns while listening, instead of the bound address (e.g. a public
   * `wss://` URL behind a proxy). Default: derived from the bound address (`0.0.0.0` is shown
   * as `127.0.0.1`, `::` as `[::1]`).
   */
  readonly advertise?: readonly string[];
  /** TLS options for dialling `wss://` URLs (e.g. `ca` to trust a self-signed server). */
  readonly dialTls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function digest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Answers a raw upgrade request with an HTTP error and drops it. */
function refuse(socket: Duplex, status: number, text: string): void {
  // Node's HTTP server takes its own error listener off an upgraded socket: without this one,
  // a client resetting the connection we are refusing (ECONNRESET) would be an uncaught error.
  socket.on('error', () => {});
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  setTimeout(() => socket.destroy(), 100).unref();
}

/**
 * Wires a `ws` socket to a link: its events feed the link, and the returned port is how the link
 * drives the socket.
 */
function wireNodeSocket(ws: WebSocket, link: WsLink): SocketPort {
  ws.binaryType = 'nodebuffer';
  let opened = ws.readyState === WebSocket.OPEN;
  ws.on('open', () => {
    opened = true;
    link.socketOpened();
  });
  ws.on('message', (data, isBinary) => link.socketMessage(toUint8Array(data), isBinary));
  ws.on('pong', () => link.socketPong());
  ws.on('ping', () => link.socketPong());
  ws.on('error', (error) => {
    link.socketError(socketErrorToTransportError(error, !opened, link.id, link.remoteAddress));
  });
  ws.on('unexpected-response', (_req, res) => {
    const status = res.statusCode ?? 0;
    res.resume();
    const code = status === 401 || status === 403 ? 'HANDSHAKE_FAILED' : 'DIAL_FAILED';
    link.socketError(
      new TransportError(
        code,
        `dial ${link.remoteAddress} refused: HTTP ${status} ${res.statusMessage ?? ''}`.trim(),
        {
          linkId: link.id,
        },
      ),
    );
    ws.terminate();
  });
  ws.on('close', (code, reason) => link.socketClosed(code, reason.toString('utf8')));
  return {
    send: (data) => ws.send(Buffer.from(data), { binary: true }),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    bufferedAmount: () => ws.bufferedAmount,
    ping: () => ws.ping(),
  };
}

/**
 * WebSocket transport for Node: listens (optionally, with TLS and a room token) and dials, at
 * the same time, so Node peers can form any graph. Built on the `ws` package.
 *
 * @example
 * ```ts
 * const ws = new WebSocketTransport({ listen: { port: 8080 }, dial: ['ws://10.0.0.2:8080'] });
 * await ws.start(handler);
 * ```
 */
export class WebSocketTransport extends WebSocketTransportCore {
  private readonly options: WebSocketTransportOptions;
  private server: HttpServer | HttpsServer | undefined;
  private ownsServer = false;
  private wss: WebSocketServer | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(req, socket, head);
  private readonly onRequest = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    req.resume();
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
    res.end('WebSocket endpoint of a Symmetric peer\n');
  };
  private readonly onTlsClientError = (error: Error): void => {
    this.reportError(
      new TransportError('HANDSHAKE_FAILED', `TLS handshake failed: ${error.message}`, { cause: error }),
    );
  };
  private readonly expectedToken: Buffer | undefined;

  /** Throws `InvalidOptionError` for an option out of range. */
  constructor(options: WebSocketTransportOptions = {}) {
    super(options);
    this.options = options;
    this.expectedToken =
      this.settings.token === undefined ? undefined : digest(new TextEncoder().encode(this.settings.token));
  }

  addresses(): string[] {
    const server = this.server;
    if (server === undefined || !this.running) return [];
    if (this.options.advertise !== undefined) return [...this.options.advertise];
    const bound = server.address();
    if (bound === null || typeof bound === 'string') return [];
    const info = bound as AddressInfo;
    const scheme = server instanceof HttpsServer ? 'wss' : 'ws';
    let host = info.address;
    if (host === '0.0.0.0') host = '127.0.0.1';
    if (host === '::') host = '::1';
    return [`${scheme}://${hostForUrl(host)}:${info.port}${this.options.listen?.path ?? ''}`];
  }

  /**
   * Opens a socket to `url` whose events feed `link`.
   * @internal
   */
  protected connect(url: URL, link: WsLink): SocketPort {
    const ws = new WebSocket(url, [...this.settings.protocols], {
      maxPayload: this.settings.maxFrameBytes,
      perMessageDeflate: false,
      followRedirects: false,
      ...(this.options.dialTls ?? {}),
    });
    return wireNodeSocket(ws, link);
  }

  /**
   * Starts listening, when configured.
   * @internal
   */
  protected async listen(): Promise<void> {
    const listen = this.options.listen;
    if (listen === undefined) return;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.settings.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.wss.on('wsClientError', (error, socket, req) => {
      this.reportError(
        new TransportError(
          'HANDSHAKE_FAILED',
          `bad upgrade request from ${req.socket.remoteAddress ?? '?'}: ${error.message}`,
          { cause: error },
        ),
      );
      refuse(socket, 400, 'Bad Request');
    });
    if ('server' in listen) {
      this.server = listen.server;
      this.ownsServer = false;
      this.server.on('upgrade', this.onUpgrade);
      return;
    }
    const server = listen.tls === undefined ? createHttpServer() : createHttpsServer({ ...listen.tls });
    this.server = server;
    this.ownsServer = true;
    server.on('upgrade', this.onUpgrade);
    server.on('request', this.onRequest);
    server.on('tlsClientError', this.onTlsClientError);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        server.off('listening', onListening);
        reject(
          new TransportError(
            'LISTEN_FAILED',
            `cannot listen on ${listen.host ?? '127.0.0.1'}:${listen.port}`,
            {
              cause: error,
            },
          ),
        );
      };
      const onListening = (): void => {
        server.off('error', onError);
        server.on('error', (error) =>
          this.reportError(
            new TransportError('INTERNAL', `server error: ${error.message}`, { cause: error }),
          ),
        );
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(listen.port, listen.host ?? '127.0.0.1');
    }).catch((error: unknown) => {
      this.server = undefined;
      this.wss?.close();
      this.wss = undefined;
      throw error;
    });
  }

  /**
   * Stops listening.
   * @internal
   */
  protected async unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.wss?.close();
    this.wss = undefined;
    if (server === undefined) return;
    server.off('upgrade', this.onUpgrade);
    if (!this.ownsServer) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = this.options.listen?.path;
    if (path !== undefined) {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (pathname !== path) {
        if (this.ownsServer) refuse(socket, 404, 'Not Found');
        return;
      }
    }
    const wss = this.wss;
    if (!this.running || wss === undefined) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    const remote = `${hostForUrl(req.socket.remoteAddress ?? 'unknown')}:${req.socket.remotePort ?? 0}`;
    if (this.expectedToken !== undefined && !this.tokenMatches(req.headers['sec-websocket-protocol'])) {
      refuse(socket, 401, 'Unauthorized');
      this.reportError(
        new TransportError('HANDSHAKE_FAILED', `refused upgrade from ${remote}: missing or wrong room token`),
      );
      return;
    }
    const scheme = this.server instanceof HttpsServer ? 'wss' : 'ws';
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.adoptInbound(`${scheme}://${remote}`, (link) => wireNodeSocket(ws, link));
    });
  }

  private tokenMatches(header: string | undefined): boolean {
    const expected = this.expectedToken;
    if (expected === undefined) return true;
    if (header === undefined) return false;
    for (const entry of header.split(',')) {
      const p = entry.trim();
      if (!p.startsWith(TOKEN_PROTOCOL_PREFIX)) continue;
      const given = Buffer.from(p.slice(TOKEN_PROTOCOL_PREFIX.length), 'base64url');
      if (timingSafeEqual(digest(given), expected)) return true;
    }
    return false;
  }
}

/** Creates a Node {@link WebSocketTransport}; same as `new WebSocketTransport(options)`. */
export function webSocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  return new WebSocketTransport(options);
}
