/**
 * One size of the scale benchmark, in a process of its own (so its peak RSS is its own): runs
 * the scenario of `scale.ts`, prints progress to stderr and one JSON {@link ScaleRow} as the
 * last line of stdout. Started by `scale-cli.js` with `--expose-gc`; argument: the
 * {@link ScaleRunSpec} as JSON.
 */
import { driveScenario, virtualNetwork } from '@symmetric/sim/driver';
import {
  batchedCodecBytesPerEvent,
  type ScaleRow,
  type ScaleRunSpec,
  scaleDeltaMs,
  scaleScenario,
  type WireEvent,
} from './scale.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as ScaleRunSpec;
const gc = (globalThis as { gc?: () => void }).gc;
const cpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

const emit = (row: ScaleRow): void => {
  process.stdout.write(`${JSON.stringify(row)}\n`);
};

const scenario = scaleScenario(spec);
const network = virtualNetwork<unknown, unknown>(
  { peers: spec.peers, latency: { dist: 'constant', ms: 50 } },
  spec.seed,
);
/** Frames and bytes of `events` frames the peers sent (their own counters, summed at the end). */
const eventFrames = { frames: 0, bytes: 0 };
let peers: { stats(): { eventsSent: number; eventFramesSent: number; eventBytesSent: number } }[] = [];
let eventsSent = 0;
const events: WireEvent[] = [];
/**
 * Memory after full collections: repeated until the array buffers stop shrinking (at most 8),
 * because V8 frees a dead buffer's memory after the collection that found it dead, so one
 * collection leaves some of it counted, more or less from run to run.
 */
const settledMemory = (collect: () => void): NodeJS.MemoryUsage => {
  collect();
  let usage = process.memoryUsage();
  for (let k = 0; k < 8; k++) {
    collect();
    const next = process.memoryUsage();
    const shrank = next.arrayBuffers < usage.arrayBuffers;
    usage = next;
    if (!shrank) break;
  }
  return usage;
};
const { heapUsed: heapBefore, arrayBuffers: buffersBefore } =
  gc === undefined ? process.memoryUsage() : settledMemory(gc);
let heapAtEnd: number | undefined;
let buffersAtEnd: number | undefined;
const wallStart = performance.now();
let lastReport = 0;
let stoppedAt: number | undefined;
let cpuAtEnd: number | undefined;

try {
  const { metrics } = await driveScenario(scenario, network, {
    defaultRoom: 'symmetric-scale',
    includeWall: false,
    // The peers go before the realized bound indexes the frames: the two are the peak of a run.
    keepPeers: false,
    onProgress: (fraction) => {
      const cpu = cpuS();
      if (fraction >= 0.99 && heapAtEnd === undefined && gc !== undefined) {
        ({ heapUsed: heapAtEnd, arrayBuffers: buffersAtEnd } = settledMemory(gc));
      }
      const now = performance.now();
      if (now - lastReport > 10_000 || fraction >= 0.99) {
        lastReport = now;
        process.stderr.write(
          `  N=${spec.peers}: ${(fraction * 100).toFixed(0)} % of ${spec.durationS} virtual s, ${cpu.toFixed(0)} CPU-s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`,
        );
      }
      if (cpu > spec.maxCpuS) {
        stoppedAt = fraction;
        throw new Error('CPU guard');
      }
    },
    hooks: {
      onEnd: () => {
        cpuAtEnd = cpuS();
        for (const p of peers) {
          const st = p.stats();
          eventsSent += st.eventsSent;
          eventFrames.frames += st.eventFramesSent;
          eventFrames.bytes += st.eventBytesSent;
        }
        peers = [];
      },
      onPeer: (_i, peer) => {
        peers.push(peer);
        peer.on('emit', (e) =>
          events.push({ tick: e.tick, source: e.source, seq: e.seq, payload: e.payload as number }),
        );
      },
    },
  });
  const endCpuS = cpuAtEnd === undefined ? null : cpuS() - cpuAtEnd;
  emit({
    peers: spec.peers,
    durationS: spec.durationS,
    ran: true,
    fractionDone: 1,
    cpuS: cpuS(),
    wallS: (performance.now() - wallStart) / 1000,
    peakRssMb: peakRssMb(),
    heapPerPeerMb: heapAtEnd === undefined ? null : (heapAtEnd - heapBefore) / spec.peers / 2 ** 20,
    buffersPerPeerMb:
      buffersAtEnd === undefined ? null : (buffersAtEnd - buffersBefore) / spec.peers / 2 ** 20,
    messages: metrics.messages,
    bytes: metrics.bytes,
    eventsGenerated: metrics.eventsGenerated,
    eventsSent,
    eventFrameBytes: eventFrames.bytes,
    eventFrames: eventFrames.frames,
    bytesPerEventPerLink: eventsSent > 0 ? eventFrames.bytes / eventsSent : null,
    codecBatchedBytesPerEvent: batchedCodecBytesPerEvent(events),
    rollbackPct: metrics.rollbackPct,
    lowerBoundPct: metrics.lowerBoundPct,
    rollbackToLowerBound: metrics.rollbackToLowerBound,
    converged: metrics.converged,
    deltaMs: scaleDeltaMs(spec.peers),
    endCpuS,
  });
} catch (error) {
  if (stoppedAt === undefined) throw error;
  emit({
    peers: spec.peers,
    durationS: spec.durationS,
    ran: false,
    reason: `stopped by --max-cpu ${spec.maxCpuS} at ${(stoppedAt * 100).toFixed(0)} % of virtual time`,
    fractionDone: stoppedAt,
    cpuS: cpuS(),
    wallS: (performance.now() - wallStart) / 1000,
    peakRssMb: peakRssMb(),
    heapPerPeerMb: null,
    buffersPerPeerMb: null,
    messages: 0,
    bytes: 0,
    eventsGenerated: events.length,
    eventsSent: 0,
    eventFrameBytes: 0,
    eventFrames: 0,
    bytesPerEventPerLink: null,
    codecBatchedBytesPerEvent: null,
    rollbackPct: null,
    lowerBoundPct: null,
    rollbackToLowerBound: null,
    converged: null,
    deltaMs: scaleDeltaMs(spec.peers),
  });
  process.exit(0);
}
