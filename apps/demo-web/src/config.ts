import { type DemoAppName, isDemoAppName, wsPathOf } from '@symmetric/demo-node/apps';

/** Where and how the page joins: the app, the hub's WebSocket URL, the room and the tick rate. */
export interface PageConfig {
  /** The demo app this page runs (`?app=`; default the rectangle). */
  readonly app: DemoAppName;
  /** WebSocket URL of the hub's room for this app (a demo-node `peer`). */
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
}

/**
 * Works out the page's config: from the hub that served the page (`/symmetric.json`, also
 * proxied by `vite dev`), overridden by the query string
 * (`?app=arena&hub=ws://host:port/symmetric/arena&room=r&fps=50&name=Ada&lag=100&delay=60`). Without
 * either, the hub is the page's own host at the app's path (`/symmetric`, `/symmetric/arena`),
 * room `demo`, 50 fps.
 */
export async function loadConfig(location: Location): Promise<PageConfig> {
  const q = new URLSearchParams(location.search);
  const qApp = q.get('app');
  const app: DemoAppName = isDemoAppName(qApp) ? qApp : 'rectangle';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let path = wsPathOf(app);
  let room = 'demo';
  let fps = 50;
  try {
    const res = await fetch('/symmetric.json', { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const c = (await res.json()) as HubConfig;
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
  const qHub = q.get('hub');
  const hubFromQuery = qHub !== null && /^wss?:\/\//.test(qHub);
  if (hubFromQuery) hub = qHub;
  room = q.get('room') ?? room;
  const qFps = Number(q.get('fps'));
  if (Number.isInteger(qFps) && qFps > 0) fps = qFps;
  const qName = q.get('name');
  const name = qName !== null && qName.trim() !== '' ? qName.trim().slice(0, 24) : undefined;
  const qLag = Number(q.get('lag'));
  const lagMs = Number.isFinite(qLag) && qLag > 0 ? Math.min(1000, qLag) : 0;
  const qDelay = Number(q.get('delay'));
  const delay = Number.isFinite(qDelay) && qDelay >= 1 ? Math.min(10_000, qDelay) : 'auto';
  return { app, hub, hubFromQuery, room, fps, name, lagMs, delay };
}
