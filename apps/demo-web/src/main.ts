/**
 * The Symmetric web demo: one peer of a demo app in the browser (the paper's rectangle, or the
 * coin arena with `?app=arena`), linked to a demo-node hub over WebSocket, libp2p, or libp2p with
 * WebRTC links between the pages (`?transport=`). Arrow keys / WASD /
 * space are app events; the mouse position and the page's name, tick and a recent state hash
 * travel on the ephemeral presence channel. The side panel shows every peer of the room, a
 * plot of events and rollbacks, the cross-peer state check, a lag slider and the join link.
 */
import { type RectangleKey, RectangleKeys, type RectangleState } from '@symmetric/core';
import {
  type ArenaState,
  checkTick,
  type DemoPresence,
  demoApp,
  keyCodec,
  parsePresence,
} from '@symmetric/demo-node/apps';
import { describeConnection, openPeer } from '@symmetric/peer';
import { drawArena } from './arena-draw.js';
import { loadConfig, TRANSPORT_LABELS } from './config.js';
import { linkLabel, openPageTransport } from './connect.js';
import { type Cursor, colourOf, drawCursors, drawRectangle } from './draw.js';
import { joinLink } from './invite.js';
import { keyFromEvent } from './keys.js';
import { withSendLag } from './lag.js';
import { WebRtcMesh } from './mesh.js';
import { tabName } from './names.js';
import { browserPageStorage, openPageStore } from './persist.js';
import { renderPickers } from './pickers.js';
import { TimelinePlot } from './plot.js';
import { Roster } from './roster.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing from the page`);
  return el as T;
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = await loadConfig(window.location);
  const app = demoApp(config.app);
  const name = tabName(config.name, storage());
  const canvas = byId<HTMLCanvasElement>('board');
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('no 2D canvas context');
  document.title = `Symmetric demo: ${app.title}`;
  byId('app-title').textContent = app.title;

  const store = await openPageStore(config.room, app.appId, browserPageStorage());
  // A kept peer signs (and, on libp2p, authenticates its links) with the key its store holds.
  const kept = store !== undefined ? (await store.load()).identity?.key?.privateKey : undefined;
  const link = await openPageTransport(config, kept);
  const lagged = withSendLag(link.transport, config.lagMs);
  const peer = await openPeer<unknown, RectangleKey>({
    app: app.app,
    appId: app.appId,
    payloadCodec: keyCodec,
    transports: [lagged.transport],
    ...(link.identity !== undefined ? { identity: link.identity } : {}),
    room: config.room,
    fps: config.fps,
    delay: config.delay,
    dial: [config.hub],
    redial: { minMs: 500, maxMs: 3_000 },
    ...(store !== undefined ? { store } : {}),
  });

  // A dial of the hub failed since the hub (ws: any neighbour) last joined: it is gone, or not
  // there yet. On WebRTC the pages stay linked to each other meanwhile.
  let hubUnreachable = false;
  const mesh = config.transport === 'webrtc' ? new WebRtcMesh(peer, (m) => console.warn(m)) : undefined;
  peer.on('error', (e) => {
    if (e.code !== 'DIAL_FAILED') return;
    if (e.message.includes(config.hub)) hubUnreachable = true;
    else mesh?.dialFailed(e.message, performance.now());
  });
  peer.on('peer:join', (i) => {
    if (link.hubPeerId === undefined || i.peerId === link.hubPeerId) hubUnreachable = false;
    mesh?.joined(i.peerId);
  });

  const roster = new Roster(config.fps);
  peer.on('presence', (i) => roster.arrived(i.peerId, i.data, performance.now()));
  const nameOf = (id: string): string => {
    if (id === peer.id) return name;
    return parsePresence(peer.presence().get(id))?.name ?? id.slice(0, 6);
  };
  const cursors = (): Cursor[] => {
    const out: Cursor[] = [];
    for (const [id, data] of peer.presence()) {
      const p = parsePresence(data);
      if (p?.cursor != null) out.push({ peerId: id, name: p.name, x: p.cursor.x, y: p.cursor.y });
    }
    return out;
  };

  let lastEmitTick = -1;
  peer.on('emit', (e) => {
    lastEmitTick = Math.max(lastEmitTick, e.tick);
  });
  const plotCanvas = byId<HTMLCanvasElement>('plot');
  const plot = new TimelinePlot(plotCanvas);
  const invite = joinLink(window.location, config);
  const rosterNow = () => roster.entries(peer, performance.now());

  window.symmetric = {
    config,
    app: config.app,
    peer,
    id: () => peer.id,
    name: () => name,
    tick: () => peer.tick,
    status: () => peer.status,
    state: () => structuredClone(peer.state),
    hashAt: (t) => peer.stateHashAt(t),
    stats: () => peer.stats(),
    cursors,
    roster: rosterNow,
    crossCheck: () => Roster.check(rosterNow()),
    plot: () => plot.values(),
    lagMs: () => lagged.lagMs(),
    setLagMs: (ms) => setLag(ms),
    joinLink: () => invite,
    lastEmitTick: () => lastEmitTick,
    delayTicks: () => peer.delayTicks,
    transport: () => ({
      kind: config.transport,
      hub: config.hub,
      hubUnreachable,
      webrtcAddress: link.webrtcAddress(),
      links: link.linkAddresses(),
      mesh: mesh?.stats(),
    }),
  };

  // Keys: app events (only while the page, not a form field, has focus).
  const live = () => peer.status !== 'stopped' && peer.status !== 'idle';
  window.addEventListener('keydown', (e) => {
    const key = keyFromEvent(e.key);
    if (key === undefined || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLButtonElement) return;
    e.preventDefault();
    if (live()) peer.emit(key);
  });

  // Presence: the cursor at most every 50 ms, the tick and a recent hash every second.
  let cursor: DemoPresence['cursor'] = null;
  let lastSent = 0;
  let pendingTimer: ReturnType<typeof setTimeout> | undefined;
  const publish = () => {
    pendingTimer = undefined;
    if (!live()) return;
    const t = checkTick(peer.tick, config.fps, config.fps);
    const hash = t >= 0 ? peer.stateHashAt(t) : undefined;
    const webrtc = link.webrtcAddress();
    const data: DemoPresence = {
      name,
      kind: 'page',
      cursor,
      tick: peer.tick,
      check: hash === undefined ? null : { tick: t, hash },
      ...(webrtc !== undefined ? { webrtc } : {}),
    };
    peer.setPresence(data);
    lastSent = performance.now();
  };
  const cursorMoved = () => {
    if (pendingTimer !== undefined) return;
    pendingTimer = setTimeout(publish, Math.max(0, 50 - (performance.now() - lastSent)));
  };
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    cursor = { x, y };
    cursorMoved();
  });
  canvas.addEventListener('pointerleave', () => {
    cursor = null;
    cursorMoved();
  });

  // Header: the app tabs, the transport picker, this page, the join link, the lag slider.
  renderPickers(byId('apps'), byId('transports'), window.location.search, config.app, config.transport);
  byId('transport').textContent = TRANSPORT_LABELS[config.transport];
  const me = byId<HTMLOutputElement>('me');
  me.textContent = name;
  me.style.color = colourOf(peer.id);
  byId('hub').textContent = `hub ${config.hub} · room ${config.room} · ${config.fps} fps`;
  const joinInput = byId<HTMLInputElement>('join');
  joinInput.value = invite;
  byId<HTMLButtonElement>('copy').addEventListener('click', () => {
    joinInput.select();
    const done = () => {
      byId('copy').textContent = 'copied';
      setTimeout(() => {
        byId('copy').textContent = 'copy';
      }, 1500);
    };
    navigator.clipboard?.writeText(invite).then(done, () => document.execCommand('copy'));
  });
  const slider = byId<HTMLInputElement>('lag');
  const lagOut = byId<HTMLOutputElement>('lag-ms');
  const setLag = (ms: number) => {
    lagged.setLagMs(ms);
    slider.value = String(ms);
    lagOut.textContent = `${ms} ms`;
  };
  setLag(config.lagMs);
  slider.addEventListener('input', () => setLag(Number(slider.value)));

  // Live panel.
  const out = {
    status: byId<HTMLOutputElement>('status'),
    tick: byId<HTMLOutputElement>('tick'),
    summary: byId<HTMLOutputElement>('summary'),
    delay: byId<HTMLOutputElement>('delay'),
    rollbacks: byId<HTMLOutputElement>('rollbacks'),
    events: byId<HTMLOutputElement>('events'),
    hash: byId<HTMLOutputElement>('hash'),
    check: byId<HTMLParagraphElement>('check'),
    peers: byId<HTMLTableSectionElement>('peers'),
  };
  const cell = (text: string, className = '') => {
    const td = document.createElement('td');
    td.textContent = text;
    if (className !== '') td.className = className;
    return td;
  };
  const updatePanel = () => {
    const s = peer.stats();
    const connection = peer.connection;
    out.status.textContent =
      peer.status === 'stopped'
        ? 'stopped'
        : connection.kind === 'connecting' && hubUnreachable
          ? 'hub unreachable (retrying)'
          : hubUnreachable
            ? `${describeConnection(connection)} · hub unreachable`
            : describeConnection(connection);
    out.status.className = `badge ${connection.kind === 'catching-up' ? 'syncing' : connection.kind}`;
    out.tick.textContent = String(peer.tick);
    out.summary.textContent = app.summary(peer.state);
    out.delay.textContent = `${s.delayTicks} ticks`;
    out.rollbacks.textContent = `${s.rollbacks} (${s.ticksTravelledBack} ticks back)`;
    out.events.textContent = String(s.events);
    // The hash of the newest whole second, comparable across peers at a glance.
    const t = Math.floor((peer.tick - 1) / config.fps) * config.fps;
    const h = t >= 0 ? peer.stateHashAt(t) : undefined;
    out.hash.textContent = h === undefined ? '-' : `${h} @${t}`;
    out.hash.dataset['tick'] = String(t);
    out.hash.dataset['hash'] = h ?? '';

    const entries = rosterNow();
    const rows = entries.map((e) => {
      const tr = document.createElement('tr');
      tr.style.setProperty('--c', colourOf(e.peerId));
      tr.append(
        Object.assign(cell(e.name, 'name'), { title: e.name }),
        cell(e.kind),
        cell(
          e.link === 'direct'
            ? `${linkLabel(config.transport, link.linkAddresses().find((l) => l.peerId === e.peerId)?.address)}${e.pingMs === undefined ? '' : ` · ${e.pingMs.toFixed(0)} ms`}`
            : 'via hub',
        ),
        cell(e.ticksBehind === undefined ? '-' : String(e.ticksBehind)),
        cell(e.check === undefined ? '…' : e.check.same ? '✓' : '✗', e.check?.same === false ? 'bad' : ''),
      );
      return tr;
    });
    out.peers.replaceChildren(...rows);
    const c = Roster.check(entries);
    out.check.textContent =
      c.compared === 0
        ? 'cross-peer check: waiting for other peers’ hashes'
        : c.differ === 0
          ? `same state as ${c.same} ${c.same === 1 ? 'peer' : 'peers'} at tick ${c.tick}`
          : `state differs from ${c.differ} of ${c.compared} peers (tick ${c.tick}); late events may be in flight`;
    out.check.className =
      c.compared > 0 && c.differ === 0 ? 'check ok' : c.differ > 0 ? 'check bad' : 'check';
    out.check.dataset['same'] = String(c.same);
    out.check.dataset['tick'] = String(c.tick);
  };

  const frame = () => {
    if (config.app === 'arena') drawArena(ctx, peer.state as ArenaState, peer.id, nameOf);
    else drawRectangle(ctx, peer.state as RectangleState);
    drawCursors(ctx, cursors());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(updatePanel, 100);
  setInterval(() => {
    const s = peer.stats();
    plot.push({ events: s.events, rollbacks: s.rollbacks, ticksBack: s.ticksTravelledBack });
    plot.draw();
  }, 100);
  setInterval(publish, 1_000);
  if (mesh !== undefined) {
    setInterval(() => {
      if (live()) mesh.run(performance.now());
    }, 300);
  }

  await peer.start();
  publish();
  if (config.app === 'arena') {
    // A disc for this page as soon as it is part of the room (a `stop` key adds it, standing).
    const join = () => {
      const players = (peer.state as ArenaState).players;
      if (peer.status === 'live' && !players.some((p) => p.id === peer.id)) peer.emit(RectangleKeys.stop);
      else if (peer.status !== 'live') setTimeout(join, 200);
    };
    join();
  }
  canvas.focus();
  window.addEventListener('pagehide', () => void peer.stop().then(() => store?.close()));
}

main().catch((e: unknown) => {
  const status = document.getElementById('status');
  if (status !== null) {
    status.textContent = `error: ${String(e)}`;
    status.className = 'badge error';
  }
  console.error(e);
});
