/**
 * Flooding against the broadcast mode over a simulated gossipsub room (`@symmetric/sim`'s
 * `broadcast` network option), on the same scenario and seed: messages and bytes per event by
 * kind, event arrival latency (ms and hops), rollback, convergence, CPU.
 */
import { performance } from 'node:perf_hooks';
import { createCodec, type FrameDecoder, rectangleKeyCodec } from '@symmetric/codec';
import type { RectangleKey, RectangleState } from '@symmetric/core';
import type { GossipModelOptions, GossipModelStats, Metrics } from '@symmetric/sim';
import { driveScenario, type ScenarioNetwork, virtualNetwork } from '@symmetric/sim/driver';

/** One room of the comparison: size, degree of its random regular graph, event rate, Δ. */
export interface GossipRoomSpec {
  readonly peers: number;
  readonly degree: number;
  /** Events per peer per minute (default 1). */
  readonly perPeerPerMinute?: number;
  /** Δ, ms (default 500). */
  readonly deltaMs?: number;
  /** Virtual seconds (default 60), warm-up (default 20). */
  readonly durationS?: number;
  readonly warmupS?: number;
  readonly seed?: number;
}

/** Percentiles of a sample. */
export interface Spread {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** The figures of one mode on one room. */
export interface ModeFigures {
  readonly mode: 'flood' | 'broadcast';
  readonly converged: boolean;
  readonly rollbackPct: number;
  readonly eventsGenerated: number;
  /** Link frames and their bytes (every frame type), whole run. */
  readonly linkMessages: number;
  readonly linkBytes: number;
  /** gossipsub RPCs and their bytes (broadcast only), whole run. */
  readonly gossipMessages: number;
  readonly gossipBytes: number;
  /** Link frames that carried events (flood, repair, pull answers) and their bytes, whole run. */
  readonly linkEventMessages: number;
  readonly linkEventBytes: number;
  /** What carrying the events cost: (link event frames + gossipsub RPCs) per event emitted. */
  readonly messagesPerEvent: number;
  readonly bytesPerEvent: number;
  /** Everything else on the links (SYNC, hashes, frontiers, handshakes) per peer per second. */
  readonly backgroundMessagesPerPeerS: number;
  readonly backgroundBytesPerPeerS: number;
  /** First arrival of each event (emitted after warm-up) at each other peer, ms after its emit. */
  readonly arrivalMs: Spread;
  /**
   * Hops of those first arrivals: gossipsub's own count (broadcast), the topology's shortest
   * path (flood: the first copy takes the fastest path, within a hop or so of the shortest).
   */
  readonly arrivalHops: Spread;
  /** gossipsub counters (broadcast only). */
  readonly gossip?: Omit<GossipModelStats, 'arrivalHops' | 'arrivalMs'>;
  /** CPU seconds of this process for the run (wire tap included), and wall seconds. */
  readonly cpuS: number;
  readonly wallS: number;
}

/** Both modes on one room. */
export interface GossipRoomResult {
  readonly spec: Required<GossipRoomSpec>;
  readonly flood: ModeFigures;
  readonly broadcast: ModeFigures;
}

/** Percentiles (nearest rank) of `xs`. */
export function spread(xs: ArrayLike<number>): Spread {
  const a = Float64Array.from(xs).sort();
  const q = (p: number): number =>
    a.length === 0 ? 0 : a[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)]!;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { count: a.length, p50: r(q(0.5)), p95: r(q(0.95)), p99: r(q(0.99)), max: r(a[a.length - 1] ?? 0) };
}

function scenarioOf(spec: Required<GossipRoomSpec>): Record<string, unknown> {
  return {
    name: `gossip-${spec.peers}p-d${spec.degree}`,
    seed: spec.seed,
    peers: spec.peers,
    topology: { kind: 'random-regular', degree: spec.degree },
    fps: 50,
    durationS: spec.durationS,
    warmupS: spec.warmupS,
    quietTailS: 10,
    startJitterS: 5,
    latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
    delay: { ms: spec.deltaMs },
    events: { perMinute: spec.perPeerPerMinute * spec.peers, app: 'rectangle' },
    trusted: true,
  };
}

/** Hop distances from every peer (BFS over the graph the scenario drew). */
function hopTable(n: number, neighbours: readonly (readonly number[])[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let s = 0; s < n; s++) {
    const d = new Uint8Array(n).fill(255);
    d[s] = 0;
    const queue = [s];
    for (let h = 0; h < queue.length; h++) {
      const u = queue[h]!;
      for (const v of neighbours[u] ?? []) {
        if (d[v] !== 255) continue;
        d[v] = d[u]! + 1;
        queue.push(v);
      }
    }
    out.push(d);
  }
  return out;
}

/** Runs one mode on one room, measuring event arrivals off the wire (links and channel). */
export async function runMode(
  specIn: GossipRoomSpec,
  mode: 'flood' | 'broadcast',
  gossipOptions: GossipModelOptions = {},
  onProgress?: (fraction: number) => void,
): Promise<ModeFigures> {
  const spec = withDefaults(specIn);
  const n = spec.peers;
  const sc = scenarioOf(spec);
  const inner = virtualNetwork<RectangleState, RectangleKey>(
    { peers: n, latency: { dist: 'normal', meanMs: 50, sdMs: 10 } },
    spec.seed,
    { recordCarried: false, ...(mode === 'broadcast' ? { broadcast: gossipOptions } : {}) },
  );
  const codec = createCodec<number>({ payload: rectangleKeyCodec });
  const neighboursOf: number[][] = Array.from({ length: n }, () => []);
  /** Emit time per event id `source/seq`, and who has it already. */
  const emitted = new Map<string, { at: number; source: number; seen: Uint8Array }>();
  const sourceIndex = new Map<string, number>();
  const arrivalsMs: number[] = [];
  const arrivalsHops: number[] = [];
  let hops: Uint8Array[] | undefined;
  const linkEvents = { messages: 0, bytes: 0 };
  const warmupMs = spec.warmupS * 1000;
  const arrive = (to: number, events: readonly { source: string; seq: number }[]): void => {
    const now = inner.now();
    for (const e of events) {
      const rec = emitted.get(`${e.source}/${e.seq}`);
      if (rec === undefined || rec.seen[to] === 1 || to === rec.source) continue;
      rec.seen[to] = 1;
      if (rec.at < warmupMs) continue;
      arrivalsMs.push(now - rec.at);
      if (mode === 'flood') {
        hops ??= hopTable(n, neighboursOf);
        arrivalsHops.push(hops[rec.source]![to]!);
      }
    }
  };
  const network: ScenarioNetwork<RectangleState, RectangleKey> = {
    ...inner,
    open: (i, runtime) => {
      neighboursOf[i] = [...runtime.neighbours];
      const opened = inner.open(i, runtime);
      const t = opened.transport;
      const decoders = new WeakMap<object, FrameDecoder<number>>();
      const channel = t.broadcast;
      const transport: typeof t = {
        name: t.name,
        ...(channel === undefined
          ? {}
          : {
              broadcast: {
                maxMessageBytes: channel.maxMessageBytes,
                publish: (m) => channel.publish(m),
                onMessage: (listener) =>
                  channel.onMessage((m, from) => {
                    const f = codec.decoder().decode(m.subarray(10));
                    if (f.type === 'events') arrive(i, f.events);
                    listener(m, from);
                  }),
              },
            }),
        start: (handler) =>
          t.start({
            ...handler,
            onFrame: (link, frame) => {
              let d = decoders.get(link);
              if (d === undefined) {
                d = codec.decoder();
                decoders.set(link, d);
              }
              try {
                const f = d.decode(frame);
                if (f.type === 'events') {
                  linkEvents.messages++;
                  linkEvents.bytes += frame.length;
                  arrive(i, f.events);
                }
              } catch {
                // the peer reports undecodable frames itself
              }
              handler.onFrame(link, frame);
            },
          }),
        dial: (a) => t.dial(a),
        addresses: () => t.addresses(),
        links: () => t.links(),
        stop: () => t.stop(),
      };
      return { ...opened, transport };
    },
  };
  let g: GossipModelStats | undefined;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const { metrics } = await driveScenario<RectangleState, RectangleKey>(sc, network, {
    defaultRoom: 'gossip',
    includeWall: false,
    ...(mode === 'broadcast' ? { peerOptions: { dissemination: 'broadcast' } } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
    hooks: {
      onPeer: (i, peer) => {
        sourceIndex.set(peer.id, i);
        peer.on('emit', (e) =>
          emitted.set(`${e.source}/${e.seq}`, { at: inner.now(), source: i, seen: new Uint8Array(n) }),
        );
      },
      // Before the peers stop (their meshes are then gone).
      onEnd: () => {
        g = inner.gossip?.stats();
      },
    },
  });
  const cpu = process.cpuUsage(cpu0);
  return figures(
    mode,
    metrics,
    g,
    linkEvents,
    { peers: n, seconds: spec.durationS },
    arrivalsMs,
    g?.arrivalHops ?? arrivalsHops,
    cpu,
    performance.now() - wall0,
  );
}

function figures(
  mode: 'flood' | 'broadcast',
  m: Metrics,
  g: GossipModelStats | undefined,
  linkEvents: { messages: number; bytes: number },
  room: { peers: number; seconds: number },
  arrivalMs: number[],
  arrivalHops: readonly number[],
  cpu: NodeJS.CpuUsage,
  wallMs: number,
): ModeFigures {
  const gossipMessages =
    g === undefined
      ? 0
      : g.data.messages +
        g.iwantReplies.messages +
        g.ihave.messages +
        g.iwant.messages +
        g.graft.messages +
        g.prune.messages;
  const gossipBytes =
    g === undefined
      ? 0
      : g.data.bytes + g.iwantReplies.bytes + g.ihave.bytes + g.iwant.bytes + g.graft.bytes + g.prune.bytes;
  const events = Math.max(1, m.eventsGenerated);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  let gossip: ModeFigures['gossip'];
  if (g !== undefined) {
    const { arrivalHops: _h, arrivalMs: _m, ...rest } = g;
    gossip = rest;
  }
  return {
    mode,
    converged: m.converged,
    rollbackPct: m.rollbackPct,
    eventsGenerated: m.eventsGenerated,
    linkMessages: m.messages,
    linkBytes: m.bytes,
    gossipMessages,
    gossipBytes,
    linkEventMessages: linkEvents.messages,
    linkEventBytes: linkEvents.bytes,
    messagesPerEvent: r2((linkEvents.messages + gossipMessages) / events),
    bytesPerEvent: r2((linkEvents.bytes + gossipBytes) / events),
    backgroundMessagesPerPeerS: r2((m.messages - linkEvents.messages) / room.peers / room.seconds),
    backgroundBytesPerPeerS: r2((m.bytes - linkEvents.bytes) / room.peers / room.seconds),
    arrivalMs: spread(arrivalMs),
    arrivalHops: spread(arrivalHops),
    ...(gossip === undefined ? {} : { gossip }),
    cpuS: r2((cpu.user + cpu.system) / 1e6),
    wallS: r2(wallMs / 1000),
  };
}

function withDefaults(spec: GossipRoomSpec): Required<GossipRoomSpec> {
  return {
    peers: spec.peers,
    degree: spec.degree,
    perPeerPerMinute: spec.perPeerPerMinute ?? 1,
    deltaMs: spec.deltaMs ?? 500,
    durationS: spec.durationS ?? 60,
    warmupS: spec.warmupS ?? 20,
    seed: spec.seed ?? 1,
  };
}

/** Runs flooding, then the broadcast mode, on the same room and seed. */
export async function compareRoom(
  spec: GossipRoomSpec,
  onProgress?: (mode: string, fraction: number) => void,
): Promise<GossipRoomResult> {
  const flood = await runMode(spec, 'flood', {}, (f) => onProgress?.('flood', f));
  const broadcast = await runMode(spec, 'broadcast', {}, (f) => onProgress?.('broadcast', f));
  return { spec: withDefaults(spec), flood, broadcast };
}
