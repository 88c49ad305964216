import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, type Peer } from '@symmetric/peer';
import sirv from 'sirv';
import { keyCodec } from './app.js';
import { DemoError } from './errors.js';
import { createDemoTransport, type DemoTransport, type TransportKind } from './transports.js';

/** Default room of `peer` nodes and of the web page. */
export const DEFAULT_ROOM = 'demo';

/** Default ticks per second. */
export const DEFAULT_FPS = 50;

/** Path of the JSON the hub serves so the web page joins the hub's room with the hub's fps. */
export const CONFIG_PATH = '/symmetric.json';

/** Path browsers dial the hub's WebSocket on (any path is accepted; this one is advertised). */
export const WS_PATH = '/symmetric';

/** What the hub serves at {@link CONFIG_PATH}. */
export interface HubConfig {
  /** Room the page must join. */
  readonly room: string;
  /** Ticks per second the page must run. */
  readonly fps: number;
  /** Path of the WebSocket endpoint on the same host and port. */
  readonly wsPath: string;
}

/** Options of {@link startPeerNode}. */
export interface PeerNodeOptions {
  /** Transport (default `ws`). Only `ws` serves the web page (browsers reach libp2p peers through a relay). */
  readonly transport?: TransportKind;
  /** TCP port to listen on (`0`: a free one). Omit to only dial. */
  readonly port?: number;
  /** Interface to bind (default `127.0.0.1`; `0.0.0.0` accepts other machines). */
  readonly host?: string;
  /** Addresses to dial and keep dialled: `ws://` URLs, or multiaddrs with libp2p. */
  readonly dial?: readonly string[];
  /** Room id (default `demo`). */
  readonly room?: string;
  /**
   * Peer id (ws only): a readable id runs the peer in a trusted room (no signatures; every
   * peer of the room must be started with one). Default: the id of a new key (authenticated).
   */
  readonly peerId?: string;
  /** Δ in ms or `'auto'` (default). */
  readonly delay?: number | 'auto';
  /** Ticks per second (default 50). */
  readonly fps?: number;
  /**
   * ws with a port: the directory served over HTTP on the same port (the built demo-web page).
   * Default: `apps/demo-web/dist` of this repository when it exists. `false`: serve no page.
   */
  readonly web?: string | false;
}

/** A running node from {@link startPeerNode}. */
export interface PeerNode {
  /** The Symmetric peer. */
  readonly peer: Peer<RectangleState, RectangleKey>;
  /** Its transport. */
  readonly transport: DemoTransport;
  /** Addresses other peers dial to reach this one (empty when it only dials). */
  readonly addresses: readonly string[];
  /** URL of the web page when one is served. */
  readonly webUrl: string | undefined;
  /** The directory served as the web page, when one is. */
  readonly webRoot: string | undefined;
  /** Stops the peer (saying bye to neighbours) and the HTTP server. */
  stop(): Promise<void>;
}

/** `apps/demo-web/dist` next to this package (works from `src/` and from `dist/`). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../demo-web/dist/', import.meta.url));
}

function notBuilt(res: ServerResponse, root: string | undefined): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(
    root === undefined
      ? 'Symmetric hub: peers connect here over WebSocket. No web page is served.\n'
      : `Symmetric hub: the web page is not built (${root} has no index.html).\n` +
          'Build it with: npm run build -w @symmetric/demo-web\n',
  );
}

/**
 * Starts one Symmetric peer running the shared rectangle app. With `transport: 'ws'` and a
 * `port`, it listens on an HTTP server that answers WebSocket upgrades (any path; browsers use
 * `/symmetric`), serves the built web page at `/` and `{ room, fps, wsPath }` at
 * `/symmetric.json`: it is the hub browsers connect to. With libp2p it listens on
 * `/ip4/<host>/tcp/<port>`. Throws {@link DemoError} `START_FAILED` when it cannot listen.
 */
export async function startPeerNode(options: PeerNodeOptions = {}): Promise<PeerNode> {
  const kind = options.transport ?? 'ws';
  const host = options.host ?? '127.0.0.1';
  const room = options.room ?? DEFAULT_ROOM;
  const fps = options.fps ?? DEFAULT_FPS;
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    throw new DemoError('INVALID_OPTION', `--listen must be a port 0..65535, got ${options.port}`, {
      option: 'listen',
    });
  }
  if (kind === 'libp2p' && options.peerId !== undefined) {
    throw new DemoError('INVALID_OPTION', '--peer-id is only for ws: a libp2p peer id comes from its key', {
      option: 'peer-id',
    });
  }

  let server: Server | undefined;
  let webRoot: string | undefined;
  if (kind === 'ws' && options.port !== undefined) {
    const wanted = options.web === undefined ? defaultWebRoot() : options.web;
    const root = wanted === false ? undefined : wanted;
    const hasPage = root !== undefined && existsSync(`${root}/index.html`);
    if (hasPage) webRoot = root;
    const config: HubConfig = { room, fps, wsPath: WS_PATH };
    const serve = hasPage ? sirv(root, { single: true, etag: true }) : undefined;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === CONFIG_PATH || req.url?.startsWith(`${CONFIG_PATH}?`)) {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(config));
        return;
      }
      if (serve === undefined) notBuilt(res, root);
      else serve(req, res, () => notBuilt(res, root));
    });
    const s = server;
    await new Promise<void>((resolve, reject) => {
      s.once('error', (cause) =>
        reject(
          new DemoError('START_FAILED', `cannot listen on ${host}:${options.port}: ${String(cause)}`, {
            cause,
          }),
        ),
      );
      s.listen(options.port, host, () => resolve());
    });
  }

  const closeServer = async () => {
    if (server === undefined) return;
    const s = server;
    server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  try {
    const demo = await createDemoTransport(kind, {
      ...(server !== undefined ? { server } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      host,
    });
    const peer = createPeer<RectangleState, RectangleKey>({
      app: rectangleApp,
      payloadCodec: keyCodec,
      transports: [demo.transport],
      room,
      fps,
      delay: options.delay ?? 'auto',
      ...(demo.identity !== undefined ? { identity: demo.identity } : {}),
      ...(options.peerId !== undefined ? { trusted: true, peerId: options.peerId } : {}),
      dial: options.dial ?? [],
      redial: { minMs: 500, maxMs: 5_000 },
    });
    try {
      await peer.start();
    } catch (cause) {
      throw new DemoError('START_FAILED', `the peer failed to start: ${String(cause)}`, { cause });
    }
    let addresses = demo.addresses();
    let webUrl: string | undefined;
    if (server !== undefined) {
      const bound = server.address() as AddressInfo;
      const shown = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
      const hostPort = `${shown.includes(':') ? `[${shown}]` : shown}:${bound.port}`;
      addresses = [`ws://${hostPort}${WS_PATH}`];
      if (webRoot !== undefined) webUrl = `http://${hostPort}/`;
    }
    return {
      peer,
      transport: demo,
      addresses,
      webUrl,
      webRoot,
      async stop() {
        await peer.stop().catch(() => {});
        await closeServer();
      },
    };
  } catch (error) {
    await closeServer();
    throw error;
  }
}
