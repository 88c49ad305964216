/**
 * The scale benchmark's setting and arithmetic: the scenario run at each room size, what one
 * size's child process measures, and the least-squares fit of cost against N on log-log axes.
 */
import { createCodec, lengthPrefix, rectangleKeyCodec } from '@symmetric/codec';

/** Link latency of every scale run, ms (constant: every hop costs the same). */
export const SCALE_LINK_MS = 50;
/** Degree of the random regular graph every scale run uses. */
export const SCALE_DEGREE = 4;
/** Frames per second of every scale run. */
export const SCALE_FPS = 50;

/** What one scale run is given. */
export interface ScaleRunSpec {
  /** Peers in the room. */
  readonly peers: number;
  /** Virtual seconds. */
  readonly durationS: number;
  /** Scenario and topology seed. */
  readonly seed: number;
  /** `false`: the room is authenticated (every event signed); default trusted, as the paper's rooms. */
  readonly trusted: boolean;
  /** Stop the run once it has used this many CPU seconds (its row then says so). */
  readonly maxCpuS: number;
}

/**
 * Δ for a room of `peers` on a random 4-regular graph: twice the mean latency of the mean path,
 * the mean path estimated as `ln N ÷ ln 3` hops (each hop of a 4-regular tree reaches three new
 * peers), rounded to 10 ms.
 */
export function scaleDeltaMs(peers: number): number {
  const hops = Math.log(peers) / Math.log(SCALE_DEGREE - 1);
  return Math.round((2 * SCALE_LINK_MS * hops) / 10) * 10;
}

/**
 * The scenario of one size (docs/simulator.md format): random 4-regular graph, 50 ms links, one
 * event per peer per minute, start jitter 1 s, warm-up 5 s, a 10 s quiet tail.
 */
export function scaleScenario(spec: ScaleRunSpec): Record<string, unknown> {
  return {
    name: `scale-${spec.peers}`,
    seed: spec.seed,
    peers: spec.peers,
    topology: { kind: 'random-regular', degree: SCALE_DEGREE, seed: spec.seed },
    fps: SCALE_FPS,
    durationS: spec.durationS,
    warmupS: 5,
    quietTailS: 10,
    startJitterS: 1,
    latency: { dist: 'constant', ms: SCALE_LINK_MS },
    delay: { ms: scaleDeltaMs(spec.peers) },
    events: { perMinute: spec.peers, app: 'rectangle' },
    ...(spec.trusted ? { trusted: true } : {}),
  };
}

/** What the child process of one size reports. */
export interface ScaleRow {
  readonly peers: number;
  readonly durationS: number;
  /** `true`: the run finished; `false`: stopped by the CPU guard or skipped (see `reason`). */
  readonly ran: boolean;
  /** Why a size did not run to the end. */
  readonly reason?: string;
  /** Fraction of virtual time done when the run stopped (1 when it ran). */
  readonly fractionDone: number;
  /** User + system CPU seconds of the child process. */
  readonly cpuS: number;
  /** Wall seconds of the run (machine shared, read with care). */
  readonly wallS: number;
  /** Peak resident set size of the child, MB. */
  readonly peakRssMb: number;
  /** Heap after full GCs near the end of the run minus before it, ÷ peers, MB. */
  readonly heapPerPeerMb: number | null;
  /**
   * Array buffers (typed arrays: the per-source tables, frames in flight) after the same GCs minus
   * before the run, ÷ peers, MB: memory outside the JS heap, so not in {@link heapPerPeerMb}.
   * Measured once repeated collections no longer shrink it (one leaves dead buffers counted).
   * Absent in rows of runs that did not measure it.
   */
  readonly buffersPerPeerMb?: number | null;
  readonly messages: number;
  readonly bytes: number;
  readonly eventsGenerated: number;
  /** Event copies sent over links, all peers (a copy per link it crossed). */
  readonly eventsSent: number;
  /** Bytes and frames of the `events` frames sent over links. */
  readonly eventFrameBytes: number;
  readonly eventFrames: number;
  /** Bytes of `events` frames ÷ event copies sent over links. */
  readonly bytesPerEventPerLink: number | null;
  /** The same events encoded by the codec in batches of 64, ids and length prefix included, B/event. */
  readonly codecBatchedBytesPerEvent: number | null;
  readonly rollbackPct: number | null;
  readonly lowerBoundPct: number | null;
  readonly rollbackToLowerBound: number | null;
  readonly converged: boolean | null;
  readonly deltaMs: number;
  /**
   * CPU seconds from the end of virtual time to the metrics (the simulator's end-of-run
   * accounting: realized bound, mean-latency estimate, recovery and held figures, stopping the
   * peers); absent in rows of runs that did not measure it.
   */
  readonly endCpuS?: number | null;
}

/** One event as the codec encodes it. */
export interface WireEvent {
  readonly tick: number;
  readonly source: string;
  readonly seq: number;
  readonly payload: number;
}

/**
 * Bytes per event of `events` encoded in log order in frames of `batch` events by one encoder
 * (each source's id defined once), length prefix included: what a link carrying them batched
 * costs.
 */
export function batchedCodecBytesPerEvent(events: readonly WireEvent[], batch = 64): number | null {
  if (events.length === 0) return null;
  const sorted = [...events].sort(
    (a, b) => a.tick - b.tick || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.seq - b.seq),
  );
  const enc = createCodec({ payload: rectangleKeyCodec }).encoder();
  let bytes = 0;
  for (let i = 0; i < sorted.length; i += batch) {
    bytes += lengthPrefix(enc.encode({ type: 'events', events: sorted.slice(i, i + batch) })).length;
  }
  return bytes / sorted.length;
}

/** A fitted power law `y = c × N^exponent`. */
export interface PowerFit {
  readonly exponent: number;
  readonly coefficient: number;
  /** Points the fit used. */
  readonly points: number;
}

/** Least squares of `ln y` on `ln x` over the points with both positive; `null` with fewer than two. */
export function fitPowerLaw(points: readonly (readonly [number, number])[]): PowerFit | null {
  const usable = points.filter(([x, y]) => x > 0 && y > 0);
  if (usable.length < 2) return null;
  const xs = usable.map(([x]) => Math.log(x));
  const ys = usable.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) return null;
  const exponent = sxy / sxx;
  return { exponent, coefficient: Math.exp(my - exponent * mx), points: usable.length };
}
