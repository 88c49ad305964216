/** Where and how the page joins: the hub's WebSocket URL, the room and the tick rate. */
export interface PageConfig {
  /** WebSocket URL of the hub (a demo-node `peer`). */
  readonly hub: string;
  /** Room id; must be the hub's. */
  readonly room: string;
  /** Ticks per second; must be the hub's. */
  readonly fps: number;
}

/** What a demo-node hub serves at `/symmetric.json`. */
interface HubConfig {
  readonly room?: unknown;
  readonly fps?: unknown;
  readonly wsPath?: unknown;
}

/**
 * Works out the page's config: from the hub that served the page (`/symmetric.json`, also
 * proxied by `vite dev`), overridden by the query string (`?hub=ws://host:port&room=r&fps=50`).
 * Without either, the hub is the page's own host at `/symmetric`, room `demo`, 50 fps.
 */
export async function loadConfig(location: Location): Promise<PageConfig> {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let hub = `${scheme}//${location.host}/symmetric`;
  let room = 'demo';
  let fps = 50;
  try {
    const res = await fetch('/symmetric.json', { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const c = (await res.json()) as HubConfig;
      if (typeof c.room === 'string') room = c.room;
      if (typeof c.fps === 'number' && Number.isInteger(c.fps) && c.fps > 0) fps = c.fps;
      if (typeof c.wsPath === 'string' && c.wsPath.startsWith('/'))
        hub = `${scheme}//${location.host}${c.wsPath}`;
    }
  } catch {
    // No hub config (a static host): defaults and the query string.
  }
  const q = new URLSearchParams(location.search);
  const qHub = q.get('hub');
  if (qHub !== null && /^wss?:\/\//.test(qHub)) hub = qHub;
  room = q.get('room') ?? room;
  const qFps = Number(q.get('fps'));
  if (Number.isInteger(qFps) && qFps > 0) fps = qFps;
  return { hub, room, fps };
}
