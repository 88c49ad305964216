/**
 * The Symmetric web demo: one peer of the shared moving-rectangle app in the browser, linked
 * over WebSocket to a demo-node hub. Arrow keys / WASD / space are app events; the mouse
 * position travels on the ephemeral presence channel and shows as a cursor on the other peers.
 */
import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import { type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer } from '@symmetric/peer';
import { WebSocketTransport } from '@symmetric/transport-ws';
import { loadConfig } from './config.js';
import { type Cursor, colourOf, drawBoard, shortId } from './draw.js';
import type { PresenceData } from './handle.js';
import { keyFromEvent } from './keys.js';

function cursorOf(peerId: string, data: unknown): Cursor | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const c = (data as { cursor?: unknown }).cursor;
  if (typeof c !== 'object' || c === null) return undefined;
  const { x, y } = c as { x?: unknown; y?: unknown };
  if (typeof x !== 'number' || typeof y !== 'number') return undefined;
  if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return undefined;
  return { peerId, x, y };
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing from the page`);
  return el as T;
}

async function main(): Promise<void> {
  const config = await loadConfig(window.location);
  const canvas = byId<HTMLCanvasElement>('board');
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('no 2D canvas context');

  const transport = new WebSocketTransport({ idleTimeoutMs: 5_000 });
  const peer = createPeer<RectangleState, RectangleKey>({
    app: rectangleApp,
    // One byte per key; decoding refuses anything but 0..4, so every value is a RectangleKey.
    payloadCodec: rectangleKeyCodec as PayloadCodec<RectangleKey>,
    transports: [transport],
    room: config.room,
    fps: config.fps,
    dial: [config.hub],
    redial: { minMs: 500, maxMs: 5_000 },
  });

  const cursors = (): Cursor[] => {
    const out: Cursor[] = [];
    for (const [id, data] of peer.presence()) {
      const c = cursorOf(id, data);
      if (c !== undefined) out.push(c);
    }
    return out;
  };

  let lastEmitTick = -1;
  peer.on('emit', (e) => {
    lastEmitTick = Math.max(lastEmitTick, e.tick);
  });

  window.symmetric = {
    config,
    peer,
    id: () => peer.id,
    tick: () => peer.tick,
    status: () => peer.status,
    state: () => ({ ...peer.state }),
    hashAt: (t) => peer.stateHashAt(t),
    stats: () => peer.stats(),
    cursors,
    lastEmitTick: () => lastEmitTick,
  };

  // Keys: app events (only while the page, not a form field, has focus).
  window.addEventListener('keydown', (e) => {
    const key = keyFromEvent(e.key);
    if (key === undefined || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    if (peer.status === 'stopped' || peer.status === 'idle') return;
    peer.emit(key);
  });

  // Mouse: presence, at most every 50 ms.
  let pending: PresenceData | undefined;
  let lastSent = 0;
  const flush = () => {
    if (pending === undefined || peer.status === 'idle' || peer.status === 'stopped') return;
    peer.setPresence(pending);
    pending = undefined;
    lastSent = performance.now();
  };
  const setCursor = (data: PresenceData) => {
    pending = data;
    const wait = 50 - (performance.now() - lastSent);
    if (wait <= 0) flush();
    else setTimeout(flush, wait);
  };
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    setCursor({ cursor: { x, y } });
  });
  canvas.addEventListener('pointerleave', () => setCursor({ cursor: null }));

  // Text panel.
  const out = {
    status: byId<HTMLOutputElement>('status'),
    tick: byId<HTMLOutputElement>('tick'),
    xy: byId<HTMLOutputElement>('xy'),
    delay: byId<HTMLOutputElement>('delay'),
    rollbacks: byId<HTMLOutputElement>('rollbacks'),
    events: byId<HTMLOutputElement>('events'),
    hash: byId<HTMLOutputElement>('hash'),
    me: byId<HTMLOutputElement>('me'),
    peers: byId<HTMLUListElement>('peers'),
    hub: byId<HTMLParagraphElement>('hub'),
  };
  out.me.textContent = shortId(peer.id);
  out.me.style.color = colourOf(peer.id);
  out.hub.textContent = `hub: ${config.hub} · room ${config.room} · ${config.fps} fps`;

  const updatePanel = () => {
    const s = peer.stats();
    const st = peer.state;
    const connected = s.neighbours > 0;
    const status = connected || peer.status !== 'syncing' ? peer.status : 'connecting';
    out.status.textContent = status;
    out.status.className = `badge ${status}`;
    out.tick.textContent = String(peer.tick);
    out.xy.textContent = `${st.x}, ${st.y}`;
    out.delay.textContent = `${s.delayTicks} ticks`;
    out.rollbacks.textContent = `${s.rollbacks} (${s.ticksTravelledBack} ticks back)`;
    out.events.textContent = String(s.events);
    // The hash of the newest whole second, comparable across peers at a glance.
    const t = Math.floor((peer.tick - 1) / config.fps) * config.fps;
    const h = t >= 0 ? peer.stateHashAt(t) : undefined;
    out.hash.textContent = h === undefined ? '-' : `${h} @${t}`;
    out.hash.dataset['tick'] = String(t);
    out.hash.dataset['hash'] = h ?? '';
    const items: HTMLLIElement[] = [];
    const seen = new Set<string>();
    for (const n of peer.neighbours()) {
      seen.add(n.peerId);
      const li = document.createElement('li');
      li.style.setProperty('--c', colourOf(n.peerId));
      li.textContent = `${shortId(n.peerId)} (hub link${n.rttMs === undefined ? '' : `, ${n.rttMs.toFixed(0)} ms`})`;
      items.push(li);
    }
    for (const id of peer.presence().keys()) {
      if (seen.has(id)) continue;
      const li = document.createElement('li');
      li.style.setProperty('--c', colourOf(id));
      li.textContent = shortId(id);
      items.push(li);
    }
    out.peers.replaceChildren(...items);
  };

  const frame = () => {
    drawBoard(ctx, peer.state, cursors());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(updatePanel, 100);

  await peer.start();
  // Announce ourselves (no cursor yet) so other pages list this peer.
  peer.setPresence({ cursor: null } satisfies PresenceData);
  canvas.focus();
  window.addEventListener('pagehide', () => void peer.stop());
}

main().catch((e: unknown) => {
  const status = document.getElementById('status');
  if (status !== null) {
    status.textContent = `error: ${String(e)}`;
    status.className = 'badge error';
  }
  console.error(e);
});
