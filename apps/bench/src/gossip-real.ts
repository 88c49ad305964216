/**
 * Flooding against the broadcast mode on REAL libp2p: one process, one `@symmetric/transport-libp2p`
 * node per peer (TCP on 127.0.0.1, Noise, yamux; with the broadcast mode a gossipsub topic per
 * room), driven in real time by `@symmetric/sim`'s scenario driver. No latency is injected:
 * gossipsub's own hops cannot be delayed like links, so both modes ride the bare loopback.
 */

import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { RectangleKey, RectangleState } from '@symmetric/core';
import type { Peer } from '@symmetric/peer';
import { driveScenario, type ScenarioNetwork } from '@symmetric/sim/driver';
import { createLibp2pTransport, type Libp2pTransport } from '@symmetric/transport-libp2p';

/** One real run's room and mode. */
export interface RealGossipSpec {
  readonly peers: number;
  readonly degree: number;
  readonly mode: 'flood' | 'broadcast';
  /** Wall seconds (default 60), warm-up excluded (default 20). */
  readonly durationS?: number;
  readonly warmupS?: number;
  /** Events per peer per minute (default 1). */
  readonly perPeerPerMinute?: number;
  /** Δ, ms (default 300). */
  readonly deltaMs?: number;
  readonly seed?: number;
}

/** The figures of one real run. */
export interface RealGossipFigures {
  readonly spec: Required<RealGossipSpec>;
  readonly converged: boolean;
  readonly distinctFinalHashes: number;
  readonly rollbackPct: number;
  readonly rollbacks: number;
  readonly eventsGenerated: number;
  /** Link frames and bytes (all peers, whole run). */
  readonly linkMessages: number;
  readonly linkBytes: number;
  /** gossipsub RPC data messages, control entries and bytes (all peers, whole run). */
  readonly gossipDataMessages: number;
  readonly gossipControlEntries: number;
  readonly gossipBytes: number;
  /** Events the peers received over the room channel / flooded over links (all peers). */
  readonly eventsViaChannel: number;
  /** Mean gossip mesh size at the end. */
  readonly meshMean: number;
  /** CPU % of one core and event-loop delay (beyond a 10 ms probe), measured window. */
  readonly cpuPct: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Slowest peer's ticks per second in the measured window (target 50). */
  readonly slowestTicksPerS: number;
  readonly peerErrors: Readonly<Record<string, number>>;
  readonly loadAverage1m: number;
  readonly wallS: number;
}

const r3 = (x: number): number => Math.round(x * 1e3) / 1e3;

/** Runs one mode on one room of real libp2p peers in this process. */
export async function runRealGossip(
  specIn: RealGossipSpec,
  onProgress?: (text: string) => void,
): Promise<RealGossipFigures> {
  const spec: Required<RealGossipSpec> = {
    durationS: 60,
    warmupS: 20,
    perPeerPerMinute: 1,
    deltaMs: 300,
    seed: 1,
    ...specIn,
  };
  const n = spec.peers;
  const room = `gossip-real-${n}p-d${spec.degree}`;
  const transports: Libp2pTransport[] = [];
  for (let i = 0; i < n; i++) {
    transports.push(
      await createLibp2pTransport({
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dialTimeoutMs: 20_000,
        handshakeTimeoutMs: 20_000,
        ...(spec.mode === 'broadcast' ? { gossip: { room } } : {}),
      }),
    );
  }
  const addresses: (string | undefined)[] = new Array(n).fill(undefined);
  const t0 = performance.now();
  const network: ScenarioNetwork<RectangleState, RectangleKey> = {
    now: () => performance.now() - t0,
    advanceTo: (atMs) => new Promise((r) => setTimeout(r, Math.max(0, t0 + atMs - performance.now()))),
    stepsPeers: false,
    open: (i, { neighbours }) => ({
      transport: transports[i]!,
      options: {
        identity: transports[i]!.identity,
        dial: neighbours.flatMap((j) => (addresses[j] === undefined ? [] : [addresses[j]])),
      },
    }),
    opened: (i) => {
      addresses[i] = transports[i]!.addresses().find((a) => a.includes('/tcp/') && !a.includes('/ws'));
    },
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpuAt = process.cpuUsage();
  let wallAt = performance.now();
  let cpuPct = 0;
  let wallWindow = 1;
  const peers: (Peer<RectangleState, RectangleKey> | undefined)[] = [];
  const baseline: number[] = [];
  let slowest = 0;
  let mesh = 0;
  const gossip = { data: 0, control: 0, bytes: 0 };
  let eventsViaChannel = 0;
  const progress = setInterval(() => {
    const live = peers.filter((p) => p?.status === 'live').length;
    onProgress?.(`${((performance.now() - t0) / 1000).toFixed(0)}/${spec.durationS} s · ${live}/${n} live`);
  }, 10_000);
  try {
    const { metrics } = await driveScenario<RectangleState, RectangleKey>(
      {
        name: room,
        seed: spec.seed,
        peers: n,
        topology: { kind: 'random-regular', degree: spec.degree },
        fps: 50,
        durationS: spec.durationS,
        warmupS: spec.warmupS,
        quietTailS: 10,
        startJitterS: 5,
        latency: { dist: 'constant', ms: 0 },
        delay: { ms: spec.deltaMs },
        events: { perMinute: spec.perPeerPerMinute * n, app: 'rectangle' },
      },
      network,
      {
        seed: spec.seed,
        defaultRoom: room,
        includeWall: false,
        ...(spec.mode === 'broadcast' ? { peerOptions: { dissemination: 'broadcast' } } : {}),
        hooks: {
          onPeer: (i, peer) => {
            peers[i] = peer;
          },
          onWarmUp: () => {
            loop.reset();
            cpuAt = process.cpuUsage();
            wallAt = performance.now();
            for (let i = 0; i < n; i++) baseline[i] = peers[i]?.tick ?? 0;
          },
          onEnd: () => {
            wallWindow = performance.now() - wallAt;
            const cpu = process.cpuUsage(cpuAt);
            cpuPct = (100 * (cpu.user + cpu.system)) / 1000 / wallWindow;
            loop.disable();
            slowest = Math.min(
              ...peers.map((p, i) => ((p?.tick ?? 0) - (baseline[i] ?? 0)) / (wallWindow / 1000)),
            );
            let meshSum = 0;
            for (const t of transports) {
              const s = t.room?.stats();
              if (s !== undefined) {
                gossip.data += s.rpcMessagesSent;
                gossip.control += s.rpcControlSent;
                gossip.bytes += s.rpcBytesSent;
              }
              meshSum += t.room?.meshPeers().length ?? 0;
            }
            mesh = meshSum / n;
            for (const p of peers) eventsViaChannel += p?.stats().broadcast.eventsReceived ?? 0;
          },
        },
      },
    );
    const eld = (ns: number): number => r3(Math.max(0, ns / 1e6 - 10));
    return {
      spec,
      converged: metrics.converged,
      distinctFinalHashes: metrics.distinctFinalHashes,
      rollbackPct: metrics.rollbackPct,
      rollbacks: metrics.rollbacks,
      eventsGenerated: metrics.eventsGenerated,
      linkMessages: metrics.messages,
      linkBytes: metrics.bytes,
      gossipDataMessages: gossip.data,
      gossipControlEntries: gossip.control,
      gossipBytes: gossip.bytes,
      eventsViaChannel,
      meshMean: r3(mesh),
      cpuPct: r3(cpuPct),
      eventLoopDelayMs: { p50: eld(loop.percentile(50)), p99: eld(loop.percentile(99)), max: eld(loop.max) },
      slowestTicksPerS: r3(slowest),
      peerErrors: metrics.peerErrors,
      loadAverage1m: r3(loadavg()[0] ?? 0),
      wallS: r3((performance.now() - t0) / 1000),
    };
  } finally {
    clearInterval(progress);
    loop.disable();
    await Promise.all(transports.map((t) => t.stop().catch(() => {})));
  }
}
