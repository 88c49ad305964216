#!/usr/bin/env node
/**
 * `npm run bench:traffic -w @symmetric/bench`: what the room's size costs in background traffic
 * and in relaying. Two measurements, in the simulator (virtual time):
 *
 * - **Beacons**: N peers (default 200) on a random 4-regular graph, 50 ± 10 ms links, no events
 *   at all, once with `delay: 'auto'` and once with a fixed Δ: frames by type, bytes and the
 *   process's CPU seconds per run (`process.cpuUsage()`, less noisy than wall time under load).
 * - **Relays**: the paper cell (21 peers, 50 ms, 25 events/min, 2×) and N peers with one event
 *   per peer per minute: bytes of `events` frames per event per link (frame bytes over the
 *   events they carry, every link direction), events per frame, rollback, convergence.
 */
import type { Peer } from '@symmetric/peer';
import type { Metrics } from '@symmetric/sim';
import { driveScenario, type ScenarioNetwork, virtualNetwork } from '@symmetric/sim/driver';
import { withLinkOverrides } from '@symmetric/transport';
import { Command } from 'commander';
import { positive } from './cli-args.js';
import { cellScenario, paperSetting } from './grid.js';

const opts = new Command()
  .name('bench-traffic')
  .description('Background traffic of delay auto and bytes per relayed event, in the simulator.')
  .option('--peers <n>', 'peers of the large room', positive, 200)
  .option('--seconds <s>', 'virtual seconds of each large-room run', positive, 120)
  .option('--fixed-ms <ms>', 'the fixed Δ compared with auto (ms)', positive, 1500)
  .option('--only <what>', "'beacons' or 'relays' (default: both)")
  .parse()
  .opts<{ peers: number; seconds: number; fixedMs: number; only?: string }>();

/** Frame type names by the envelope's type byte. */
const TYPES = [
  '?',
  'hello',
  'frontier',
  'events',
  'request',
  'sync',
  'hash',
  'presence',
  'snapshot-request',
  'snapshot',
  'bye',
  'challenge',
  'auth',
  'evidence',
];

/** Frames and bytes sent, by frame type, and events carried in `events` frames. */
interface Tally {
  frames: Map<string, number>;
  bytes: Map<string, number>;
  events: number;
}

function readVarint(bytes: Uint8Array, at: number): number {
  let v = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && shift < 35; i++) {
    const b = bytes[i]!;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return v;
}

/** `network` with every frame sent counted into `tally`. */
function counting<S, E>(network: ScenarioNetwork<S, E>, tally: Tally): ScenarioNetwork<S, E> {
  return {
    ...network,
    now: () => network.now(),
    advanceTo: (at) => network.advanceTo(at),
    open: (i, runtime) => {
      const opened = network.open(i, runtime);
      const transport = withLinkOverrides(opened.transport, (link) => ({
        send: (frame) => {
          const type = TYPES[frame[1] ?? 0] ?? '?';
          tally.frames.set(type, (tally.frames.get(type) ?? 0) + 1);
          tally.bytes.set(type, (tally.bytes.get(type) ?? 0) + frame.length);
          if (type === 'events') tally.events += readVarint(frame, 2);
          return link.send(frame);
        },
      }));
      return { ...opened, transport };
    },
  };
}

async function run(
  scenario: Record<string, unknown>,
): Promise<{ metrics: Metrics; tally: Tally; cpuS: number; wallS: number; delta: string }> {
  const tally: Tally = { frames: new Map(), bytes: new Map(), events: 0 };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const seed = (scenario.seed as number | undefined) ?? 1;
  let shown = -1;
  const peers = new Map<number, Peer<unknown, unknown>>();
  let delta = '';
  const { metrics } = await driveScenario(
    scenario,
    counting(virtualNetwork(scenario as never, seed), tally),
    {
      defaultRoom: 'bench-scale',
      includeWall: false,
      hooks: {
        onPeer: (i, p) => peers.set(i, p),
        onEnd: () => {
          const ticks = [...peers.values()].map((p) => p.delayTicks);
          const mean = ticks.reduce((a, b) => a + b, 0) / ticks.length;
          delta = `Δ at the end ${mean.toFixed(1)} ticks mean, ${Math.min(...ticks)}–${Math.max(...ticks)}`;
        },
      },
      onProgress: (f) => {
        const pct = Math.round(f * 100);
        if (pct % 10 === 0 && pct !== shown) process.stderr.write(`${(shown = pct)} % `);
      },
    },
  );
  process.stderr.write('\n');
  const cpu = process.cpuUsage(cpu0);
  return {
    metrics,
    tally,
    cpuS: (cpu.user + cpu.system) / 1e6,
    wallS: (performance.now() - wall0) / 1000,
    delta,
  };
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function largeRoom(delay: { auto: true } | { ms: number }, perMinute: number): Record<string, unknown> {
  return {
    name: `scale-${opts.peers}`,
    seed: 1,
    peers: opts.peers,
    topology: { kind: 'random-regular', degree: 4 },
    fps: 50,
    durationS: opts.seconds,
    warmupS: Math.min(30, opts.seconds / 4),
    quietTailS: Math.min(10, opts.seconds / 4),
    startJitterS: 2,
    latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
    delay,
    events: { perMinute, app: 'rectangle' },
  };
}

async function beacons(): Promise<void> {
  console.log(
    `Beacons: ${opts.peers} peers, random 4-regular, 50 ± 10 ms, no events, ${opts.seconds} virtual s (CPU seconds of this process; wall time under load in brackets)`,
  );
  console.log(
    '  delay       frames      bytes        presence frames  sync frames  CPU s   (wall s)  converged',
  );
  const rows: [string, { auto: true } | { ms: number }][] = [
    [`fixed ${opts.fixedMs}`, { ms: opts.fixedMs }],
    ['auto', { auto: true }],
  ];
  const results: { frames: number; cpuS: number }[] = [];
  for (const [label, delay] of rows) {
    const r = await run(largeRoom(delay, 0));
    const frames = sum(r.tally.frames);
    results.push({ frames, cpuS: r.cpuS });
    console.log(
      `  ${label.padEnd(10)}  ${String(frames).padStart(9)}  ${String(sum(r.tally.bytes)).padStart(10)}  ${String(r.tally.frames.get('presence') ?? 0).padStart(15)}  ${String(r.tally.frames.get('sync') ?? 0).padStart(11)}  ${r.cpuS.toFixed(1).padStart(6)}  (${r.wallS.toFixed(1)})  ${r.metrics.converged}; ${r.delta}`,
    );
  }
  const [fixed, auto] = results;
  console.log(
    `  auto / fixed: ${(auto!.frames / fixed!.frames).toFixed(2)}x the frames, ${(auto!.cpuS / fixed!.cpuS).toFixed(2)}x the CPU`,
  );
}

async function relays(): Promise<void> {
  console.log(
    'Relays: bytes of events frames per event per link (every frame carrying events, each link direction)',
  );
  console.log(
    '  run                                   events frames  events sent  events/frame  B/event/link  rollback %  bound %  converged',
  );
  const setting = paperSetting();
  const paper = cellScenario(
    setting,
    { latencyMs: 50, perMinute: 25, multiplier: 2 },
    0,
  ) as unknown as Record<string, unknown>;
  const large = largeRoom({ auto: true }, opts.peers);
  const runs: [string, Record<string, unknown>][] = [
    ['paper cell 50 ms / 25 per min / 2x', paper],
    ['paper cell, trusted (unsigned)', { ...paper, trusted: true }],
    [`${opts.peers} peers, 1 event/peer/min, auto`, large],
    [`${opts.peers} peers, trusted (unsigned)`, { ...large, trusted: true }],
  ];
  for (const [label, sc] of runs) {
    const r = await run(sc);
    const frames = r.tally.frames.get('events') ?? 0;
    const bytes = r.tally.bytes.get('events') ?? 0;
    console.log(
      `  ${label.padEnd(36)}  ${String(frames).padStart(13)}  ${String(r.tally.events).padStart(11)}  ${(r.tally.events / frames).toFixed(3).padStart(12)}  ${(bytes / r.tally.events).toFixed(2).padStart(12)}  ${r.metrics.rollbackPct.toFixed(4).padStart(10)}  ${(r.metrics.lowerBoundPct ?? Number.NaN).toFixed(4).padStart(7)}  ${r.metrics.converged}`,
    );
  }
}

if (opts.only === undefined || opts.only === 'beacons') await beacons();
if (opts.only === undefined || opts.only === 'relays') await relays();
