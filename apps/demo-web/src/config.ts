import { type DemoAppName, isDemoAppName, wsPathOf } from '@symmetric/demo-node/apps';

/**
 * How the page links to the room: `ws` (WebSocket to the hub), `libp2p` (libp2p over WebSockets
 * to the hub: Noise, yamux) or `webrtc` (libp2p to the hub, plus direct WebRTC links to the other
 * pages, set up through the hub's circuit relay).
 */
export const PAGE_TRANSPORTS = ['ws', 'libp2p', 'webrtc'] as const;

/** One of {@link PAGE_TRANSPORTS}. */
export type PageTransportKind = (typeof PAGE_TRANSPORTS)[number];

/** How the header names each transport. */
export const TRANSPORT_LABELS: Readonly<Record<PageTransportKind, string>> = {
  ws: 'WebSocket',
  libp2p: 'libp2p',
  webrtc: 'WebRTC',
};

/** True for one of {@link PAGE_TRANSPORTS}. */
export function isPageTransport(v: unknown): v is PageTransportKind {
  return typeof v === 'string' && (PAGE_TRANSPORTS as readonly string[]).includes(v);
}

/**
 * The multiaddr of a hub's libp2p WebSocket listener as seen from a page on `hostname`:
 * `/ip4/…` for an IPv4 address (`localhost` is 127.0.0.1), `/ip6/…`, else `/dns4/…`.
 */
export function libp2pHubAddress(hostname: string, port: number, peerId: string): string {
  const h = hostname.replace(/^\[|\]$/g, '');
  const host =
    h === 'localhost'
      ? '/ip4/127.0.0.1'
      : /^\d+\.\d+\.\d+\.\d+$/.test(h)
        ? `/ip4/${h}`
        : h.includes(':')
          ? `/ip6/${h}`
          : `/dns4/${h}`;
  return `${host}/tcp/${port}/ws/p2p/${peerId}`;
}

/** Where and how the page joins: the app, the hub's WebSocket URL, the room and the tick rate. */
export interface PageConfig {
  /** The demo app this page runs (`?app=`; default the rectangle). */
  readonly app: DemoAppName;
  /** How the page links to the room (`?transport=`; default `ws`). */
  readonly transport: PageTransportKind;
  /**
   * The hub's room for this app (a demo-node `peer`): its WebSocket URL with `ws`, its libp2p
   * multiaddr (`…/ws/p2p/<id>`) with `libp2p` and `webrtc`.
   */
  readonly hub: string;
  /** Whether the hub came from the query string (then the join link carries it). */
  readonly hubFromQuery: boolean;
  /** Room id; must be the hub's. */
  readonly room: string;
  /** Ticks per second; must be the hub's. */
  readonly fps: number;
  /** Name other peers list this page under (`?name=`; default: one picked for this tab). */
  readonly name: string | undefined;
  /** Artificial lag added to every frame this page sends, in ms (`?lag=`; default 0). */
  readonly lagMs: number;
  /** Δ of this page's events: ms (`?delay=60`) or `'auto'` (default). */
  readonly delay: number | 'auto';
}

/** What a demo-node hub serves at `/symmetric.json`. */
interface HubConfig {
  readonly room?: unknown;
  readonly fps?: unknown;
  readonly wsPath?: unknown;
  readonly apps?: unknown;
  readonly libp2p?: unknown;
}

/** Thrown when the page cannot link over the chosen transport (the hub serves no libp2p). */
export class PageConfigError extends Error {
  /** Machine-readable reason. */
  readonly code = 'NO_LIBP2P_HUB' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PageConfigError';
  }
}

/** True if `e` is a {@link PageConfigError}. */
export function isPageConfigError(e: unknown): e is PageConfigError {
  return e instanceof PageConfigError;
}

function libp2pEndpointOf(
  c: HubConfig | undefined,
  app: DemoAppName,
): { port: number; peerId: string } | undefined {
  const all = c?.libp2p;
  if (typeof all !== 'object' || all === null) return undefined;
  const e = (all as Record<string, unknown>)[app];
  if (typeof e !== 'object' || e === null) return undefined;
  const { port, peerId } = e as Record<string, unknown>;
  if (typeof port !== 'number' || !Number.isInteger(port) || typeof peerId !== 'string') return undefined;
  return { port, peerId };
}

/**
 * Works out the page's config: from the hub that served the page (`/symmetric.json`, also
 * proxied by `vite dev`), overridden by the query string
 * (`?app=arena&transport=webrtc&hub=ws://host:port/symmetric/arena&room=r&fps=50&name=Ada&lag=100&delay=60`).
 * Without either, the hub is the page's own host at the app's path (`/symmetric`,
 * `/symmetric/arena`), room `demo`, 50 fps, over WebSocket. With `transport=libp2p` or `webrtc`
 * the hub is its libp2p listener for the app (from `/symmetric.json`, or `hub=` as a multiaddr);
 * throws {@link PageConfigError} when there is none.
 */
export async function loadConfig(location: Location): Promise<PageConfig> {
  const q = new URLSearchParams(location.search);
  const qApp = q.get('app');
  const app: DemoAppName = isDemoAppName(qApp) ? qApp : 'rectangle';
  const qTransport = q.get('transport');
  const transport: PageTransportKind = isPageTransport(qTransport) ? qTransport : 'ws';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let served: HubConfig | undefined;
  let path = wsPathOf(app);
  let room = 'demo';
  let fps = 50;
  try {
    const res = await fetch('/symmetric.json', { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const c = (await res.json()) as HubConfig;
      served = c;
      if (typeof c.room === 'string') room = c.room;
      if (typeof c.fps === 'number' && Number.isInteger(c.fps) && c.fps > 0) fps = c.fps;
      const apps = (typeof c.apps === 'object' && c.apps !== null ? c.apps : {}) as Record<string, unknown>;
      const p = apps[app] ?? (app === 'rectangle' ? c.wsPath : undefined);
      if (typeof p === 'string' && p.startsWith('/')) path = p;
    }
  } catch {
    // No hub config (a static host): defaults and the query string.
  }
  let hub = `${scheme}//${location.host}${path}`;
  const qHub = q.get('hub') ?? '';
  const hubFromQuery =
    transport === 'ws' ? /^wss?:\/\//.test(qHub) : qHub.startsWith('/') && qHub.includes('/p2p/');
  const endpoint = libp2pEndpointOf(served, app);
  if (hubFromQuery) hub = qHub;
  else if (transport !== 'ws') {
    if (endpoint === undefined) {
      throw new PageConfigError(
        `this hub serves no libp2p for ${TRANSPORT_LABELS[transport]} pages: ` +
          'start it with `peer --listen <port> --libp2p <port>`, or give hub=<multiaddr>',
      );
    }
    hub = libp2pHubAddress(location.hostname, endpoint.port, endpoint.peerId);
  }
  room = q.get('room') ?? room;
  const qFps = Number(q.get('fps'));
  if (Number.isInteger(qFps) && qFps > 0) fps = qFps;
  const qName = q.get('name');
  const name = qName !== null && qName.trim() !== '' ? qName.trim().slice(0, 24) : undefined;
  const qLag = Number(q.get('lag'));
  const lagMs = Number.isFinite(qLag) && qLag > 0 ? Math.min(1000, qLag) : 0;
  const qDelay = Number(q.get('delay'));
  const delay = Number.isFinite(qDelay) && qDelay >= 1 ? Math.min(10_000, qDelay) : 'auto';
  return { app, transport, hub, hubFromQuery, room, fps, name, lagMs, delay };
}
