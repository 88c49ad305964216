import { type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { createPeer, type Peer } from '@symmetric/peer';
import { keyCodec } from './apps/catalog.js';
import { type ConvergenceCheck, checkConvergence } from './convergence.js';
import { DemoError } from './errors.js';
import { startRandomKeys } from './keys.js';
import { withLatency } from './latency.js';
import { createDemoTransport, type DemoTransport, type TransportKind } from './transports.js';
import {
  commonHashTick,
  formatLine,
  formatTable,
  type PeerRow,
  peerRow,
  shortId,
  startView,
  type View,
} from './view.js';

/** Shapes of the local demo's peer graph. */
export const TOPOLOGIES = ['line', 'ring'] as const;

/** `line`: p0 - p1 - … - pN-1; `ring`: the line plus pN-1 - p0 (for 3 peers or more). */
export type Topology = (typeof TOPOLOGIES)[number];

/** Options of {@link runLocalDemo}. Every one has a default. */
export interface LocalDemoOptions {
  /** Number of peers (default 5, 1..64). */
  readonly peers?: number;
  /** Peer graph (default `ring`). */
  readonly topology?: Topology;
  /** Transport between the peers (default `ws`). */
  readonly transport?: TransportKind;
  /** Seconds of random key presses (default 15). */
  readonly duration?: number;
  /** Longest wait for convergence after the keys stop, in seconds (default 10). */
  readonly quiet?: number;
  /** Mean key presses per minute, per peer (default 60). */
  readonly rate?: number;
  /** Δ in ms, or `'auto'` (default). */
  readonly delay?: number | 'auto';
  /** Ticks per second (default 50). */
  readonly fps?: number;
  /**
   * One-way latency added to every link, in ms (± 20 % jitter, FIFO per link; default 0). Links
   * on 127.0.0.1 take well under a millisecond; this makes the demo behave like a WAN, where
   * events reach far peers late and rollbacks show.
   */
  readonly latency?: number;
  /** Seed of the random key presses (default: random). */
  readonly seed?: number;
  /** Room id (default `demo-local`). */
  readonly room?: string;
  /** Where the live view and the result go (default `process.stdout`). */
  readonly out?: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly rows?: number };
  /** Redraw in place (default: `out.isTTY`); plain periodic lines otherwise. */
  readonly tty?: boolean;
  /** Plain-mode print period in ms (default 2000). */
  readonly plainMs?: number;
  /** Aborting ends the key presses early and goes straight to the convergence check. */
  readonly signal?: AbortSignal;
}

/** What one peer ended with. */
export interface LocalPeerResult extends PeerRow {
  /** Full peer id. */
  readonly id: string;
  /** Hash at the compared tick. */
  readonly finalHash: string | undefined;
}

/** Result of {@link runLocalDemo}. */
export interface LocalDemoResult {
  /** The convergence criterion held: same events, same state hash at one tick after the last event. */
  readonly converged: boolean;
  /** The convergence check (tick compared, hashes, reason when it failed). */
  readonly check: ConvergenceCheck;
  /** Events emitted in total. */
  readonly emitted: number;
  /** Largest tick any event was stamped with (-1 when none). */
  readonly lastEventTick: number;
  /** Per-peer final rows. */
  readonly peers: readonly LocalPeerResult[];
  /** Errors reported by the peers (`label: CODE message`). */
  readonly errors: readonly string[];
}

interface Node {
  readonly label: string;
  readonly demo: DemoTransport;
  readonly peer: Peer<RectangleState, RectangleKey>;
  address: string;
}

function positiveInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new DemoError('INVALID_OPTION', `--${name} must be an integer in ${min}..${max}, got ${v}`, {
      option: name,
    });
  }
  return v;
}

function positiveNumber(name: string, v: number, min: number): number {
  if (!Number.isFinite(v) || v < min) {
    throw new DemoError('INVALID_OPTION', `--${name} must be a number >= ${min}, got ${v}`, { option: name });
  }
  return v;
}

/** The edges `[from, to]` of a topology over `n` peers; `from` dials `to`. */
export function topologyEdges(topology: Topology, n: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let i = 1; i < n; i++) edges.push([i, i - 1]);
  if (topology === 'ring' && n >= 3) edges.push([n - 1, 0]);
  return edges;
}

/** An address for display: a long `/p2p/<id>` suffix shortened. */
function shortAddress(address: string): string {
  return address.replace(/\/p2p\/(\w+)$/, (_m, id: string) => `/p2p/${shortId(id)}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The self-contained local demo: `peers` peers in this process, linked over real sockets on
 * 127.0.0.1 (free ports) in a line or ring, each running the shared rectangle app and pressing
 * random keys for `duration` seconds, shown live; then the keys stop, and the peers are checked
 * for convergence (same events, same state hash at one tick after the last event) for up to
 * `quiet` seconds. Prints `converged: true|false` last and resolves with the result; the peers
 * are stopped before it resolves.
 */
export async function runLocalDemo(options: LocalDemoOptions = {}): Promise<LocalDemoResult> {
  const n = positiveInt('peers', options.peers ?? 5, 1, 64);
  const topology = options.topology ?? 'ring';
  if (!(TOPOLOGIES as readonly string[]).includes(topology)) {
    throw new DemoError(
      'INVALID_OPTION',
      `--topology must be one of ${TOPOLOGIES.join(', ')}, got "${topology}"`,
      {
        option: 'topology',
      },
    );
  }
  const kind = options.transport ?? 'ws';
  const durationS = positiveNumber('duration', options.duration ?? 15, 0);
  const quietS = positiveNumber('quiet', options.quiet ?? 10, 0);
  const rate = positiveNumber('rate', options.rate ?? 60, 0.001);
  const fps = positiveInt('fps', options.fps ?? 50, 1, 1000);
  const latency = positiveNumber('latency', options.latency ?? 0, 0);
  const delay = options.delay ?? 'auto';
  if (delay !== 'auto') positiveNumber('delay', delay, 1);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  positiveInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
  const room = options.room ?? 'demo-local';
  const out = options.out ?? process.stdout;
  const say = (line: string) => out.write(`${line}\n`);

  const edges = topologyEdges(topology, n);
  const nodes: Node[] = [];
  const errors: string[] = [];
  const labels = new Map<string, string>();
  const labelOf = (id: string) => labels.get(id) ?? id.slice(0, 8);

  say(
    `symmetric local demo: ${n} peers, ${topology}, ${kind} on 127.0.0.1, ${durationS} s of random keys ` +
      `(${rate}/min per peer, seed ${seed}), Δ ${delay === 'auto' ? 'auto' : `${delay} ms`}, ${fps} fps` +
      (latency > 0 ? `, +${latency} ms per link` : ''),
  );

  let emitted = 0;
  let lastEventTick = -1;
  let view: View | undefined;
  try {
    // Start the peers in order; each dials the already-started peers it has an edge to.
    for (let i = 0; i < n; i++) {
      const label = `p${i}`;
      const demo = await createDemoTransport(kind, { port: 0, host: '127.0.0.1' });
      const dial = edges.filter(([from]) => from === i).map(([, to]) => nodes[to]!.address);
      const peer = createPeer<RectangleState, RectangleKey>({
        app: rectangleApp,
        payloadCodec: keyCodec,
        transports: [latency > 0 ? withLatency(demo.transport, { ms: latency }) : demo.transport],
        room,
        fps,
        delay,
        ...(demo.identity !== undefined ? { identity: demo.identity } : {}),
        dial,
        redial: { minMs: 200, maxMs: 2_000 },
      });
      labels.set(peer.id, label);
      peer.on('error', (e) => errors.push(`${label}: ${e.code} ${e.message}`));
      peer.on('emit', (e) => {
        emitted++;
        lastEventTick = Math.max(lastEventTick, e.tick);
      });
      try {
        await peer.start();
      } catch (cause) {
        throw new DemoError('START_FAILED', `${label} failed to start: ${String(cause)}`, { cause });
      }
      const address = demo.addresses()[0];
      if (address === undefined) throw new DemoError('START_FAILED', `${label} has no listen address`);
      nodes.push({ label, demo, peer, address });
    }

    const degree = (i: number) => edges.filter(([a, b]) => a === i || b === i).length;
    const allLinked = () =>
      nodes.every((node, i) => node.peer.status === 'live' && node.peer.neighbours().length === degree(i));
    const liveBy = performance.now() + 20_000;
    while (!allLinked()) {
      if (performance.now() > liveBy) {
        const seen = nodes.map((x) => `${x.label}=${x.peer.status}/${x.peer.neighbours().length}`).join(' ');
        throw new DemoError('NOT_LIVE', `peers not all live and linked after 20 s: ${seen}`);
      }
      await sleep(50);
    }
    say(`all ${n} peers live: ${nodes.map((x) => `${x.label} ${shortAddress(x.address)}`).join(', ')}`);

    const rows = () => {
      const hashTick = commonHashTick(
        nodes.map((x) => x.peer.tick),
        fps,
      );
      return { hashTick, rows: nodes.map((x) => peerRow(x.label, x.peer, hashTick, labelOf)) };
    };
    let phase = 'keys';
    const startedAt = performance.now();
    const header = () =>
      `${phase === 'keys' ? 'pressing random keys' : 'quiet: checking convergence'}  ` +
      `t=${((performance.now() - startedAt) / 1000).toFixed(1)} s  events emitted=${emitted}`;
    view = startView(
      () => {
        const r = rows();
        return [header(), ...formatTable(r.rows, r.hashTick)];
      },
      {
        out,
        ...(options.tty !== undefined ? { tty: options.tty } : {}),
        ...(options.plainMs !== undefined ? { plainMs: options.plainMs } : {}),
      },
      () => {
        const r = rows();
        return [header(), ...r.rows.map((row) => `  ${formatLine(row, r.hashTick)}`)];
      },
    );

    // Key presses.
    const stops = nodes.map((node, i) =>
      startRandomKeys((key) => node.peer.emit(key), { ratePerMinute: rate, seed: seed + i }),
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationS * 1000);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (const stop of stops) stop();
    phase = 'quiet';

    // Quiet tail: wait for every event to be everywhere and one common hash after the last one.
    const deadline = performance.now() + quietS * 1000;
    let check = checkConvergence(
      nodes.map((x) => x.peer),
      lastEventTick,
      { expectedEvents: emitted },
    );
    while (!check.converged && performance.now() < deadline) {
      await sleep(100);
      check = checkConvergence(
        nodes.map((x) => x.peer),
        lastEventTick,
        { expectedEvents: emitted },
      );
    }
    view.stop();
    view = undefined;

    const final = rows();
    const peers: LocalPeerResult[] = nodes.map((x, i) => ({
      ...final.rows[i]!,
      id: x.peer.id,
      finalHash: check.hashes[i],
    }));
    say(`events emitted: ${emitted}, last stamped at tick ${lastEventTick}`);
    if (check.tick !== undefined) {
      say(
        `state hashes at tick ${check.tick}: ${nodes.map((x, i) => `${x.label}=${check.hashes[i]}`).join(' ')}`,
      );
    }
    if (!check.converged) say(`not converged: ${check.reason}`);
    if (errors.length > 0) {
      say(`peer errors (${errors.length}):`);
      for (const e of errors.slice(0, 10)) say(`  ${e}`);
    }
    say(`converged: ${check.converged}`);
    return { converged: check.converged, check, emitted, lastEventTick, peers, errors };
  } finally {
    view?.stop();
    await Promise.all(nodes.map((x) => x.peer.stop().catch(() => {})));
  }
}
