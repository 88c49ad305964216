/**
 * A tiny deterministic virtual-time network for clock-agreement tests and benchmarks.
 *
 * One event queue (binary heap ordered by virtual time, then insertion order), one seeded PRNG,
 * no real timers. Peers start at random offsets, each with its own drifting local clock; every
 * link direction is a reliable FIFO stream whose per-message delay is drawn from a normal
 * distribution truncated at 0 (a message is never delivered before the previous one on the same
 * direction). Self-contained and written in erasable TypeScript only, so `node` can run it
 * directly from the bench script against the built package.
 */

/** The part of `Clock` the simulation drives (structural, so test and bench can pass theirs). */
export interface SimClock {
  readonly tick: number;
  advance(nowMs: number): number;
  syncFor(link: string, nowMs: number): SimSync;
  onSync(link: string, msg: SimSync, nowMs: number): void;
  dropLink(link: string): void;
  clockTick(nowMs: number): number;
  readonly stats: { readonly adoptions: number };
}

/** A SYNC message as the simulation carries it (opaque). */
export interface SimSync {
  time: number;
  tick: number;
  echo?: { time: number; holdMs: number };
}

/** The paper's 21-peer topology (the `edges` of the paper's setting). */
export const PAPER21_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 6],
  [6, 8],
  [3, 5],
  [5, 7],
  [7, 8],
  [8, 9],
  [9, 10],
  [10, 11],
  [11, 12],
  [12, 13],
  [12, 14],
  [12, 15],
  [12, 16],
  [12, 17],
  [13, 14],
  [13, 15],
  [13, 16],
  [13, 17],
  [14, 15],
  [14, 16],
  [14, 17],
  [15, 16],
  [15, 17],
  [16, 17],
  [17, 18],
  [18, 19],
  [19, 20],
];

/** Settings of one simulated run. */
export interface SimOptions {
  readonly seed: number;
  readonly peers: number;
  readonly edges: readonly (readonly [number, number])[];
  readonly fps: number;
  /** Virtual run length (ms of real time). */
  readonly durationMs: number;
  /** Skew and pace metrics ignore everything before this (ms of real time). */
  readonly warmupMs: number;
  /** One-way delay per message: normal(meanMs, sdMs) truncated at 0. */
  readonly latency: { readonly meanMs: number; readonly sdMs: number };
  /** Each peer starts uniformly within [0, startJitterMs). */
  readonly startJitterMs: number;
  /** Each peer's oscillator is off by a uniform amount in [-driftPpm, +driftPpm] ... */
  readonly driftPpm: number;
  /** ... or by exactly these amounts (ppm, by peer index) when given. */
  readonly drifts?: readonly number[];
  /** SYNC period per neighbour (ms, local clock). */
  readonly syncIntervalMs: number;
  /** Frame period (ms, local clock): how often each peer calls `advance`. */
  readonly frameMs: number;
  /** Skew sampling period (ms of real time). */
  readonly sampleEveryMs: number;
  /**
   * Optional churn (the paper's variant): each peer stays online for an exponential time with
   * this mean, then goes offline (its links close: neighbours call `dropLink`) for an exponential
   * time, and restarts from nothing (a new clock at tick 0).
   */
  readonly churn?: { readonly onlineMeanMs: number; readonly offlineMeanMs: number };
  /** With churn: a peer enters the skew statistics only once online for this long (ms). Default 0. */
  readonly settleMs?: number;
  /** Called at every skew sample with the started peers' indices and fractional clocks (ticks). */
  readonly onSample?: (tMs: number, peers: readonly number[], clockTicks: readonly number[]) => void;
  /** Builds one peer's clock. */
  readonly makeClock: (fps: number, peer: number) => SimClock;
}

/** Skew distribution in ticks (pairwise |tick_i − tick_j| at the same instant). */
export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** `histogram[k]` = number of samples equal to k. */
  readonly histogram: readonly number[];
}

/** What one run measured. */
export interface SimResult {
  /**
   * Pairwise skew of integer ticks over every sample after the warm-up (settled peers in the same
   * connected component only).
   */
  readonly skew: Distribution;
  /** Same, of the fractional clocks (ms), as a finer view. */
  readonly clockSkewMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Paper metric: once per second every peer reports its tick; counted after the warm-up. */
  readonly paceReports: number;
  readonly paceMismatches: number;
  /** Times a peer's tick decreased or advance returned a bad count (must stay 0). */
  readonly violations: number;
  /** ClockErrors thrown by onSync (must stay 0: the network never sends bad input). */
  readonly syncErrors: number;
  /** Network rate after the warm-up vs nominal: (slope of the median clock / (fps/1000) − 1), ppm. */
  readonly rateErrorPpm: number;
  /** Time (ms) from each (re)start until the peer's tick is within 1 tick of the median. */
  readonly catchUpMs: { readonly count: number; readonly mean: number; readonly max: number };
  readonly messages: number;
  readonly adoptions: number;
}

// ---- PRNG: sfc32 seeded through splitmix32 ----

/** A seeded PRNG returning floats in [0, 1). Deterministic for a given seed. */
export function makeRandom(seed: number): () => number {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Normal(mean, sd) truncated at 0 (by resampling), from a uniform source. */
export function truncatedNormal(rand: () => number, mean: number, sd: number): number {
  for (;;) {
    const u1 = rand() || Number.MIN_VALUE;
    const u2 = rand();
    const x = mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    if (x >= 0) return x;
  }
}

// ---- event queue ----

interface Ev {
  readonly t: number;
  readonly seq: number;
  readonly run: () => void;
}

class Queue {
  readonly #h: Ev[] = [];
  #seq = 0;
  get size(): number {
    return this.#h.length;
  }
  push(t: number, run: () => void): void {
    const h = this.#h;
    h.push({ t, seq: this.#seq++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Ev | undefined {
    const h = this.#h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

function quantile(hist: readonly number[], count: number, q: number): number {
  const rank = Math.ceil(q * count);
  let acc = 0;
  for (let k = 0; k < hist.length; k++) {
    acc += hist[k] ?? 0;
    if (acc >= rank) return k;
  }
  return hist.length - 1;
}

function sortedQuantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Run one simulated network and measure it. Deterministic: same options → same result. */
export function simulate(o: SimOptions): SimResult {
  const rand = makeRandom(o.seed);
  const q = new Queue();
  const n = o.peers;
  const nbrs: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of o.edges) {
    nbrs[a]!.push(b);
    nbrs[b]!.push(a);
  }
  const start = Array.from({ length: n }, () => rand() * o.startJitterMs);
  const drift = Array.from({ length: n }, (_, i) => (o.drifts?.[i] ?? (rand() * 2 - 1) * o.driftPpm) * 1e-6);
  // Arbitrary local clock origins: local clocks share nothing.
  const origin = Array.from({ length: n }, () => Math.floor(rand() * 1e6));
  const started = new Array<boolean>(n).fill(false);
  const clocks: (SimClock | undefined)[] = new Array(n).fill(undefined);
  const lastDeliver = new Map<number, number>();
  const local = (i: number, t: number): number => origin[i]! + (t - start[i]!) * (1 + drift[i]!);
  const realAfterLocal = (i: number, localDelta: number): number => localDelta / (1 + drift[i]!);

  let violations = 0;
  let syncErrors = 0;
  let messages = 0;
  const frame = (i: number, t: number): void => {
    const c = clocks[i]!;
    const before = c.tick;
    const k = c.advance(local(i, t));
    if (!Number.isInteger(k) || k < 0 || c.tick !== before + k) violations++;
  };

  const gen = new Array<number>(n).fill(0);
  let retiredAdoptions = 0;
  const lastStart = new Array<number>(n).fill(Number.NaN);
  const send = (i: number, j: number, t: number): void => {
    const msg = clocks[i]!.syncFor(`p${j}`, local(i, t));
    const key = i * n + j;
    const at = Math.max(
      lastDeliver.get(key) ?? 0,
      t + truncatedNormal(rand, o.latency.meanMs, o.latency.sdMs),
    );
    lastDeliver.set(key, at);
    messages++;
    const gi = gen[i];
    const gj = gen[j];
    q.push(at, () => {
      // A link lives as long as both ends do: frames in flight when either end stops are lost.
      if (gen[i] !== gi || gen[j] !== gj || !started[i] || !started[j]) return;
      try {
        clocks[j]!.onSync(`p${i}`, msg, local(j, at));
      } catch {
        syncErrors++;
      }
    });
  };

  const exp = (mean: number): number => -mean * Math.log(1 - rand());
  const startPeer = (i: number, t0: number): void => {
    const g = ++gen[i]!;
    started[i] = true;
    lastStart[i] = t0;
    catching.set(i, t0);
    retiredAdoptions += clocks[i]?.stats.adoptions ?? 0;
    clocks[i] = o.makeClock(o.fps, i);
    frame(i, t0);
    const frameReal = realAfterLocal(i, o.frameMs);
    const frameLoop = (t: number): void => {
      if (gen[i] !== g || !started[i]) return;
      frame(i, t);
      if (t + frameReal <= o.durationMs) q.push(t + frameReal, () => frameLoop(t + frameReal));
    };
    q.push(t0 + frameReal, () => frameLoop(t0 + frameReal));
    const syncReal = realAfterLocal(i, o.syncIntervalMs);
    const syncLoop = (t: number): void => {
      if (gen[i] !== g || !started[i]) return;
      for (const j of nbrs[i]!) if (started[j]) send(i, j, t);
      if (t + syncReal <= o.durationMs) q.push(t + syncReal, () => syncLoop(t + syncReal));
    };
    syncLoop(t0);
    if (o.churn) {
      const stopAt = t0 + exp(o.churn.onlineMeanMs);
      q.push(stopAt, () => {
        if (gen[i] !== g) return;
        started[i] = false;
        for (const j of nbrs[i]!) if (started[j]) clocks[j]!.dropLink(`p${i}`);
        const back = stopAt + exp(o.churn!.offlineMeanMs);
        q.push(back, () => startPeer(i, back));
      });
    }
  };
  for (let i = 0; i < n; i++) q.push(start[i]!, () => startPeer(i, start[i]!));

  // Measurements.
  const settle = o.settleMs ?? 0;
  const hist: number[] = [];
  let count = 0;
  const clockDiffs: number[] = [];
  let paceReports = 0;
  let paceMismatches = 0;
  let maxReported = Number.NEGATIVE_INFINITY;
  const msPerTick = 1000 / o.fps;
  let firstMedian: { t: number; median: number } | undefined;
  let lastMedian: { t: number; median: number } | undefined;
  /** Per (re)start still catching up: peer → start time. */
  const catching = new Map<number, number>();
  const catchUps: number[] = [];

  const components = (): number[] => {
    const comp = new Array<number>(n).fill(-1);
    for (let r = 0; r < n; r++) {
      if (!started[r] || comp[r] !== -1) continue;
      const stack = [r];
      comp[r] = r;
      while (stack.length > 0) {
        const v = stack.pop()!;
        for (const w of nbrs[v]!) {
          if (started[w] && comp[w] === -1) {
            comp[w] = r;
            stack.push(w);
          }
        }
      }
    }
    return comp;
  };

  const sample = (t: number): void => {
    const ids: number[] = [];
    const ticks: number[] = [];
    const cts: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!started[i]) continue;
      frame(i, t);
      if (t - lastStart[i]! >= settle) ids.push(i);
    }
    for (const i of ids) {
      ticks.push(clocks[i]!.tick);
      cts.push(clocks[i]!.clockTick(local(i, t)));
    }
    o.onSample?.(t, ids, cts);
    const sortedTicks = [...ticks].sort((x, y) => x - y);
    const medianTick = sortedTicks[sortedTicks.length >> 1] ?? 0;
    for (const [i, since] of catching) {
      if (!started[i]) catching.delete(i);
      else if (Math.abs(clocks[i]!.tick - medianTick) <= 1) {
        catchUps.push(t - since);
        catching.delete(i);
      }
    }
    if (t < o.warmupMs || ticks.length === 0) return;
    // Peers in different connected components (churn can partition the graph) cannot agree.
    const comp = components();
    for (let x = 0; x < ticks.length; x++) {
      for (let y = x + 1; y < ticks.length; y++) {
        if (comp[ids[x]!] !== comp[ids[y]!]) continue;
        const d = Math.abs(ticks[x]! - ticks[y]!);
        hist[d] = (hist[d] ?? 0) + 1;
        count++;
        clockDiffs.push(Math.abs(cts[x]! - cts[y]!) * msPerTick);
      }
    }
    const sortedClocks = [...cts].sort((x, y) => x - y);
    const median = sortedClocks[sortedClocks.length >> 1]!;
    firstMedian ??= { t, median };
    lastMedian = { t, median };
  };
  for (let t = o.sampleEveryMs; t <= o.durationMs; t += o.sampleEveryMs) q.push(t, () => sample(t));

  const report = (t: number): void => {
    for (let i = 0; i < n; i++) {
      if (!started[i]) continue;
      frame(i, t);
      const tick = clocks[i]!.tick;
      if (tick > maxReported) maxReported = tick;
      if (t >= o.warmupMs) {
        paceReports++;
        if (tick < maxReported - o.fps) paceMismatches++;
      }
    }
  };
  for (let t = 1000; t <= o.durationMs; t += 1000) q.push(t, () => report(t));

  for (let ev = q.pop(); ev !== undefined; ev = q.pop()) {
    if (ev.t > o.durationMs) break;
    ev.run();
  }

  const dense = Array.from({ length: hist.length }, (_, k) => hist[k] ?? 0);
  clockDiffs.sort((x, y) => x - y);
  const slope =
    firstMedian && lastMedian && lastMedian.t > firstMedian.t
      ? (lastMedian.median - firstMedian.median) / (lastMedian.t - firstMedian.t)
      : Number.NaN;
  catchUps.sort((x, y) => x - y);
  for (const c of clocks) retiredAdoptions += c?.stats.adoptions ?? 0;
  return {
    skew: {
      count,
      p50: quantile(dense, count, 0.5),
      p99: quantile(dense, count, 0.99),
      max: quantile(dense, count, 1),
      histogram: dense.slice(0, Math.max(1, dense.findLastIndex((x) => x > 0) + 1)),
    },
    clockSkewMs: {
      p50: sortedQuantile(clockDiffs, 0.5),
      p99: sortedQuantile(clockDiffs, 0.99),
      max: clockDiffs[clockDiffs.length - 1] ?? Number.NaN,
    },
    paceReports,
    paceMismatches,
    violations,
    syncErrors,
    rateErrorPpm: (slope / (o.fps / 1000) - 1) * 1e6,
    catchUpMs: {
      count: catchUps.length,
      mean: catchUps.reduce((x, y) => x + y, 0) / Math.max(1, catchUps.length),
      max: catchUps[catchUps.length - 1] ?? Number.NaN,
    },
    messages,
    adoptions: retiredAdoptions,
  };
}
