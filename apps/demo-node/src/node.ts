import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RectangleKey } from '@symmetric/core';
import { openPeer, type Peer } from '@symmetric/peer';
import type { PeerStore } from '@symmetric/storage';
import { openSqliteStore } from '@symmetric/storage-sqlite';
import sirv from 'sirv';
import { DEMO_APP_NAMES, type DemoAppName, demoApp, keyCodec, wsPathOf } from './apps/catalog.js';
import { checkTick, type DemoPresence } from './apps/presence.js';
import { DemoError } from './errors.js';
import { type DialFailure, describeListenFailure, trackDialFailures } from './failures.js';
import {
  createHubLibp2p,
  type HubLibp2pConfig,
  type HubLibp2pEndpoint,
  type HubLibp2pOptions,
  hubLibp2pEndpoint,
} from './hub-libp2p.js';
import { createDemoTransport, type DemoTransport, type TransportKind } from './transports.js';
import { shortId } from './view.js';

/** Default room of `peer` nodes and of the web page. */
export const DEFAULT_ROOM = 'demo';

/** Default ticks per second. */
export const DEFAULT_FPS = 50;

/** Path of the JSON the hub serves so the web page joins the hub's room with the hub's fps. */
export const CONFIG_PATH = '/symmetric.json';

/** Path of the hub's WebSocket for the rectangle (each other app has `/symmetric/<app>`). */
export const WS_PATH = '/symmetric';

/** What the hub serves at {@link CONFIG_PATH}. */
export interface HubConfig {
  /** Room the page must join. */
  readonly room: string;
  /** Ticks per second the page must run. */
  readonly fps: number;
  /** Path of the rectangle's WebSocket endpoint on the same host and port. */
  readonly wsPath: string;
  /** Path of each app's WebSocket endpoint (a room per app, all on the same port). */
  readonly apps: Readonly<Record<DemoAppName, string>>;
  /**
   * With {@link PeerNodeOptions.libp2p}: each app's libp2p WebSocket port and peer id, for pages
   * that pick libp2p or WebRTC (they dial `/ip4/<page host>/tcp/<port>/ws/p2p/<peerId>`).
   */
  readonly libp2p?: HubLibp2pConfig;
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
  /** The app this node's own peer runs (default `rectangle`). */
  readonly app?: DemoAppName;
  /** Name other peers list this one under (presence; default `hub …` / `node …` and the id's tail). */
  readonly name?: string;
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
   * How long a fresh peer waits for the room before founding its timeline alone, in ms (the
   * peer's `aloneGraceMs`, default 1000). A hub restarted while pages are open should wait
   * longer than their redial back-off (a few seconds), so it joins their room.
   */
  readonly aloneGraceMs?: number;
  /**
   * ws with a port: the directory served over HTTP on the same port (the built demo-web page).
   * Default: `apps/demo-web/dist` of this repository when it exists. `false`: serve no page.
   */
  readonly web?: string | false;
  /**
   * ws hub with a port: also listen for pages on libp2p (WebSockets, one port per app) and relay
   * their WebRTC links to each other (circuit relay v2). Default: off.
   */
  readonly libp2p?: HubLibp2pOptions;
  /**
   * ws only: a directory where the node's own peer keeps itself (a node:sqlite file per room and
   * app, `<room>.<app>.db`): a restart with the same directory resumes the same peer (id, key,
   * events, state). Default: nothing kept.
   */
  readonly store?: string;
}

/** A running node from {@link startPeerNode}. */
export interface PeerNode {
  /** The node's own Symmetric peer (running {@link PeerNode.app}). */
  readonly peer: Peer<unknown, RectangleKey>;
  /** The app of {@link PeerNode.peer}. */
  readonly app: DemoAppName;
  /**
   * Every peer the node runs, by app: its own and, on a ws hub (a port), one for each other
   * demo app, so pages of every app find their room (each on its own WebSocket path).
   */
  readonly peers: ReadonlyMap<DemoAppName, Peer<unknown, RectangleKey>>;
  /** The own peer's transport. */
  readonly transport: DemoTransport;
  /** Addresses other peers dial to reach the own peer (empty when it only dials). */
  readonly addresses: readonly string[];
  /** URL of the web page when one is served. */
  readonly webUrl: string | undefined;
  /** The directory served as the web page, when one is. */
  readonly webRoot: string | undefined;
  /** With {@link PeerNodeOptions.libp2p}: each app's libp2p listener (address, port, key); else empty. */
  readonly libp2p: ReadonlyMap<DemoAppName, HubLibp2pEndpoint>;
  /** Configured addresses whose latest dial failed, with the reason. */
  dialFailures(): DialFailure[];
  /** Stops the peers (saying bye to neighbours) and the HTTP server. */
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

/** Publishes the node's presence (name, tick, a recent hash) every second until stopped. */
function publishPresence(
  peer: Peer<unknown, RectangleKey>,
  name: string,
  kind: DemoPresence['kind'],
  fps: number,
): () => void {
  const publish = () => {
    if (peer.status === 'idle' || peer.status === 'stopped') return;
    const t = checkTick(peer.tick, fps, fps);
    const hash = t >= 0 ? peer.stateHashAt(t) : undefined;
    const data: DemoPresence = {
      name,
      kind,
      cursor: null,
      tick: peer.tick,
      check: hash === undefined ? null : { tick: t, hash },
    };
    peer.setPresence(data);
  };
  publish();
  const timer = setInterval(publish, 1_000);
  return () => clearInterval(timer);
}

/** Refuses WebSocket upgrades on paths no app's transport answers (they would hang otherwise). */
function refuseUnknownPaths(server: Server, paths: readonly string[]): void {
  server.on('upgrade', (req: IncomingMessage, socket) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (paths.includes(path)) return;
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n` +
        `no room here; WebSocket paths: ${paths.join(' ')}\n`,
    );
  });
}

/**
 * Starts one Symmetric peer running a demo app (`rectangle` by default). With
 * `transport: 'ws'` and a `port`, it listens on an HTTP server that serves the built web page
 * at `/` and {@link HubConfig} at `/symmetric.json`, and answers WebSocket upgrades on one path
 * per demo app (`/symmetric` for the rectangle, `/symmetric/arena` for the arena), running a
 * peer of each app: it is the hub browsers connect to. With `libp2p` as well, each app's hub peer
 * also listens on libp2p WebSockets and relays WebRTC between pages (see
 * {@link PeerNodeOptions.libp2p}). With `transport: 'libp2p'` it listens on
 * `/ip4/<host>/tcp/<port>`. Every peer publishes its name, tick and a recent state hash on the
 * presence channel, so pages list it. Throws {@link DemoError} `START_FAILED` when it cannot
 * listen, with the reason in one line.
 */
export async function startPeerNode(options: PeerNodeOptions = {}): Promise<PeerNode> {
  const kind = options.transport ?? 'ws';
  const host = options.host ?? '127.0.0.1';
  const room = options.room ?? DEFAULT_ROOM;
  const fps = options.fps ?? DEFAULT_FPS;
  const mainApp = options.app ?? 'rectangle';
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    throw new DemoError('INVALID_OPTION', `--listen must be a port 0..65535, got ${options.port}`, {
      option: 'listen',
    });
  }
  if (options.libp2p !== undefined && (kind !== 'ws' || options.port === undefined)) {
    throw new DemoError('INVALID_OPTION', '--libp2p is for a ws hub: it needs --transport ws and --listen', {
      option: 'libp2p',
    });
  }
  if (options.libp2p !== undefined && options.peerId !== undefined) {
    throw new DemoError(
      'INVALID_OPTION',
      '--peer-id cannot be used with --libp2p: the peer id comes from its key',
      {
        option: 'peer-id',
      },
    );
  }
  if (kind === 'libp2p' && options.store !== undefined) {
    throw new DemoError('INVALID_OPTION', "--store is only for ws: a libp2p peer uses its transport's key", {
      option: 'store',
    });
  }
  if (kind === 'libp2p' && options.peerId !== undefined) {
    throw new DemoError('INVALID_OPTION', '--peer-id is only for ws: a libp2p peer id comes from its key', {
      option: 'peer-id',
    });
  }
  const where = `${host}:${options.port ?? 0}`;

  let server: Server | undefined;
  let webRoot: string | undefined;
  let libp2pConfig: HubLibp2pConfig | undefined;
  const libp2p = new Map<DemoAppName, HubLibp2pEndpoint>();
  if (kind === 'ws' && options.port !== undefined) {
    const wanted = options.web === undefined ? defaultWebRoot() : options.web;
    const root = wanted === false ? undefined : wanted;
    const hasPage = root !== undefined && existsSync(`${root}/index.html`);
    if (hasPage) webRoot = root;
    const apps = Object.fromEntries(DEMO_APP_NAMES.map((a) => [a, wsPathOf(a)])) as Record<
      DemoAppName,
      string
    >;
    const config = (): HubConfig => ({
      room,
      fps,
      wsPath: WS_PATH,
      apps,
      ...(libp2pConfig !== undefined ? { libp2p: libp2pConfig } : {}),
    });
    const serve = hasPage ? sirv(root, { single: true, etag: true }) : undefined;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === CONFIG_PATH || req.url?.startsWith(`${CONFIG_PATH}?`)) {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(config()));
        return;
      }
      if (serve === undefined) notBuilt(res, root);
      else serve(req, res, () => notBuilt(res, root));
    });
    refuseUnknownPaths(server, Object.values(apps));
    const s = server;
    await new Promise<void>((resolve, reject) => {
      s.once('error', (cause) =>
        reject(
          new DemoError('START_FAILED', `cannot listen on ${where}: ${describeListenFailure(cause)}`, {
            cause,
          }),
        ),
      );
      s.listen(options.port, host, () => resolve());
    });
  }

  const peers = new Map<DemoAppName, Peer<unknown, RectangleKey>>();
  const stops: (() => void)[] = [];
  const closeServer = async () => {
    if (server === undefined) return;
    const s = server;
    server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const stores: PeerStore[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0)) stop();
    await Promise.all([...peers.values()].map((p) => p.stop().catch(() => {})));
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => {})));
    await closeServer();
  };

  try {
    // The own app first, then (on a hub) the other apps' peers on their own paths.
    const hubApps =
      server === undefined ? [mainApp] : [mainApp, ...DEMO_APP_NAMES.filter((a) => a !== mainApp)];
    let demo: DemoTransport | undefined;
    for (const appName of hubApps) {
      const own = appName === mainApp;
      const t = await createDemoTransport(kind, {
        ...(server !== undefined ? { server, path: wsPathOf(appName) } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        host,
      });
      if (own) demo = t;
      const p2p =
        options.libp2p !== undefined ? await createHubLibp2p(appName, host, options.libp2p) : undefined;
      const identity = p2p?.transport.identity ?? t.identity;
      const app = demoApp(appName);
      const trustedId = t.identity === undefined && own ? options.peerId : undefined;
      const store =
        own && options.store !== undefined ? await openStore(options.store, room, app.appId) : undefined;
      if (store !== undefined) stores.push(store);
      const peer = await openPeer<unknown, RectangleKey>({
        app: app.app,
        appId: app.appId,
        payloadCodec: keyCodec,
        transports: p2p === undefined ? [t.transport] : [t.transport, p2p.transport],
        room,
        fps,
        delay: options.delay ?? 'auto',
        ...(identity !== undefined ? { identity } : {}),
        ...(trustedId !== undefined ? { trusted: true, peerId: trustedId } : {}),
        dial: own ? (options.dial ?? []) : [],
        ...(options.aloneGraceMs !== undefined ? { aloneGraceMs: options.aloneGraceMs } : {}),
        redial: { minMs: 500, maxMs: 5_000 },
        ...(store !== undefined ? { store } : {}),
      }).catch((cause: unknown) => {
        throw new DemoError('START_FAILED', `cannot resume from --store ${options.store}: ${String(cause)}`, {
          cause,
        });
      });
      peers.set(appName, peer);
      try {
        await peer.start();
      } catch (cause) {
        throw new DemoError(
          'START_FAILED',
          options.port === undefined
            ? `the peer failed to start: ${describeListenFailure(cause)}`
            : `cannot listen on ${where}: ${describeListenFailure(cause)}`,
          { cause },
        );
      }
      if (p2p !== undefined) libp2p.set(appName, hubLibp2pEndpoint(p2p.transport, p2p.key));
      const name = options.name ?? `${server !== undefined ? 'hub' : 'node'} ${shortId(peer.id)}`;
      stops.push(publishPresence(peer, name, server !== undefined ? 'hub' : 'node', fps));
    }
    if (libp2p.size > 0) {
      libp2pConfig = Object.fromEntries(
        [...libp2p].map(([a, e]) => [a, { port: e.port, peerId: e.peerId }]),
      ) as HubLibp2pConfig;
    }
    const peer = peers.get(mainApp)!;
    const failures = trackDialFailures(peer, options.dial ?? []);
    stops.push(() => failures.stop());
    let addresses = demo!.addresses();
    let webUrl: string | undefined;
    if (server !== undefined) {
      const bound = server.address() as AddressInfo;
      const shown = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
      const hostPort = `${shown.includes(':') ? `[${shown}]` : shown}:${bound.port}`;
      addresses = [`ws://${hostPort}${wsPathOf(mainApp)}`];
      if (webRoot !== undefined) webUrl = `http://${hostPort}/`;
    }
    return {
      peer,
      app: mainApp,
      peers,
      transport: demo!,
      addresses,
      webUrl,
      webRoot,
      libp2p,
      dialFailures: () => failures.current(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The node:sqlite store of a room and app in `dir` (created when absent). */
async function openStore(dir: string, room: string, appId: string): Promise<PeerStore> {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z_-]/g, '_');
  try {
    mkdirSync(dir, { recursive: true });
    return await openSqliteStore({ path: join(dir, `${safe(room)}.${safe(appId)}.db`), room, appId });
  } catch (cause) {
    throw new DemoError('START_FAILED', `cannot open --store ${dir}: ${String(cause)}`, { cause });
  }
}
