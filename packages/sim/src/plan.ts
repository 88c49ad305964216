/**
 * The deterministic plan of a run, drawn before the first frame from the scenario and the seed:
 * when each peer starts, its clock drift, its online/offline intervals, the partition cuts and
 * each peer's event-draw stream. Everything here is pure and seeded.
 */
import { createStreamRandom, type SeededRandom } from '@symmetric/core';
import type { LatencyModel, Scenario } from './scenario.js';
import type { Edge } from './topology.js';

/** A half-open interval of virtual time in ms: `[from, to)`; `to` may be `Infinity`. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** What happens to a peer at an instant of virtual time. */
export interface PeerTransition {
  readonly atMs: number;
  readonly peer: number;
  /** `start`: first start; `down`: goes offline; `up`: comes back (restart or reconnect). */
  readonly kind: 'start' | 'down' | 'up';
}

/** A cut of a set of links over an interval (one per partition). */
export interface CutPlan {
  readonly fromMs: number;
  readonly toMs: number;
  /** Topology edges whose endpoints are in different groups. */
  readonly edges: readonly Edge[];
  /** Group index of every peer (peers listed in no group share the last index). */
  readonly groupOf: readonly number[];
}

/** The drawn plan of one run. */
export interface RunPlan {
  /** Virtual ms at which each peer first starts. */
  readonly startMs: readonly number[];
  /** Clock rate error of each peer in ppm (its local clock runs `1 + ppm/1e6` times virtual time). */
  readonly driftPpm: readonly number[];
  /** Online intervals of each peer, sorted and disjoint. */
  readonly online: readonly (readonly Interval[])[];
  /** Every start / down / up, sorted by time then peer. */
  readonly transitions: readonly PeerTransition[];
  readonly cuts: readonly CutPlan[];
  /** Mean interval between one peer's events, in ticks (`fps × 60 × peers / perMinute`), `Infinity` at rate 0. */
  readonly meanEventIntervalTicks: number;
  /** No event is emitted at or after this virtual ms (start of the quiet tail). */
  readonly eventsEndMs: number;
  /**
   * Churn transitions happen before this virtual ms (the start of the quiet tail), where every
   * peer still offline comes back (unless `churn.backForTail` is false) and stays.
   */
  readonly churnEndMs: number;
}

/** Mean of a latency model in ms (normal: its mean; the truncation at 0 is ignored). */
export function latencyMeanMs(model: LatencyModel): number {
  switch (model.dist) {
    case 'constant':
      return model.ms;
    case 'uniform':
      return (model.minMs + model.maxMs) / 2;
    case 'normal':
      return model.meanMs;
  }
}

/** `true` when `t` lies in one of `intervals` (sorted, disjoint). */
export function inIntervals(intervals: readonly Interval[], t: number): boolean {
  for (const iv of intervals) {
    if (t < iv.from) return false;
    if (t < iv.to) return true;
  }
  return false;
}

/** Draw the plan of a run. `edges` are the scenario's resolved edges. */
export function drawPlan(scenario: Scenario, seed: number, edges: readonly Edge[]): RunPlan {
  const n = scenario.peers;
  const durationMs = scenario.durationS * 1000;
  const tailStartMs = (scenario.durationS - scenario.quietTailS) * 1000;
  const jitter = createStreamRandom(seed, 'start-jitter');
  const startMs: number[] = [];
  for (let i = 0; i < n; i++) startMs.push(jitter.uniform(0, scenario.startJitterS * 1000));
  for (const j of scenario.joins) startMs[j.peer] = j.atS * 1000;

  const driftRng = createStreamRandom(seed, 'drift');
  const driftPpm: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = scenario.driftPpm;
    driftPpm.push(typeof d === 'number' ? (d === 0 ? 0 : driftRng.uniform(-d, d)) : d[i]!);
  }

  const churnPeers = new Set<number>();
  if (scenario.churn !== undefined) {
    for (const p of scenario.churn.peers ?? Array.from({ length: n }, (_, i) => i)) churnPeers.add(p);
  }
  const online: Interval[][] = [];
  const transitions: PeerTransition[] = [];
  for (let i = 0; i < n; i++) {
    const start = startMs[i]!;
    transitions.push({ atMs: start, peer: i, kind: 'start' });
    const churn = scenario.churn;
    if (churn === undefined || !churnPeers.has(i)) {
      online.push([{ from: start, to: Number.POSITIVE_INFINITY }]);
      continue;
    }
    const rng = createStreamRandom(seed, `churn/${i}`);
    const list: Interval[] = [];
    let from = start;
    for (;;) {
      const down = from + rng.exponential(churn.onlineMeanS * 1000);
      if (down >= tailStartMs || down >= durationMs) {
        list.push({ from, to: Number.POSITIVE_INFINITY });
        break;
      }
      list.push({ from, to: down });
      transitions.push({ atMs: down, peer: i, kind: 'down' });
      let up = down + rng.exponential(churn.offlineMeanS * 1000);
      if (up >= tailStartMs) {
        if (!churn.backForTail) break; // stays offline to the end
        up = tailStartMs; // everyone comes back for the quiet tail
        transitions.push({ atMs: up, peer: i, kind: 'up' });
        list.push({ from: up, to: Number.POSITIVE_INFINITY });
        break;
      }
      transitions.push({ atMs: up, peer: i, kind: 'up' });
      from = up;
    }
    online.push(list);
  }
  transitions.sort((a, b) => a.atMs - b.atMs || a.peer - b.peer);

  const cuts: CutPlan[] = scenario.partitions.map((p) => {
    const groupOf: number[] = new Array<number>(n).fill(p.groups.length);
    p.groups.forEach((g, gi) => {
      for (const peer of g) groupOf[peer] = gi;
    });
    return {
      fromMs: p.atS * 1000,
      toMs: p.healAtS * 1000,
      edges: edges.filter(([a, b]) => groupOf[a] !== groupOf[b]),
      groupOf,
    };
  });

  const perMinute = scenario.events.perMinute;
  return {
    startMs,
    driftPpm,
    online,
    transitions,
    cuts,
    meanEventIntervalTicks: perMinute > 0 ? (scenario.fps * 60 * n) / perMinute : Number.POSITIVE_INFINITY,
    eventsEndMs: tailStartMs,
    churnEndMs: tailStartMs,
  };
}

/**
 * One peer's event clock: after each (re)start the first event comes `firstAfterS` plus one
 * draw later, then one draw after the previous; a draw is uniform in [0, 2 × mean interval)
 * ticks (the paper's `perPeerDraw`). One seeded stream per peer, shared across restarts.
 */
export class EventClock {
  readonly #rng: SeededRandom;
  readonly #keys: SeededRandom;
  readonly #meanMs: number;
  readonly #firstAfterMs: number;
  /** Where {@link next} is kept: slot `peer` of an array the run's peers share, or one of its own. */
  readonly #nextAt: Float64Array;
  readonly #slot: number;

  /**
   * @param nextAt the array whose slot `peer` holds {@link next} (a run keeps every peer's there,
   *   read on every step without touching the clock); one of its own by default
   */
  constructor(
    seed: number,
    peer: number,
    plan: RunPlan,
    fps: number,
    firstAfterS: number,
    nextAt?: Float64Array,
  ) {
    this.#rng = createStreamRandom(seed, `events/${peer}`);
    this.#keys = createStreamRandom(seed, `keys/${peer}`);
    this.#meanMs = (plan.meanEventIntervalTicks * 1000) / fps;
    this.#firstAfterMs = firstAfterS * 1000;
    this.#nextAt = nextAt ?? new Float64Array(1);
    this.#slot = nextAt === undefined ? 0 : peer;
    this.#nextAt[this.#slot] = Number.POSITIVE_INFINITY;
  }

  /** Virtual ms of the next event, `Infinity` when none is due. */
  get next(): number {
    return this.#nextAt[this.#slot]!;
  }

  /** The peer (re)started at `atMs`: schedule its first event. */
  restart(atMs: number): void {
    this.#nextAt[this.#slot] = Number.isFinite(this.#meanMs)
      ? atMs + this.#firstAfterMs + this.#draw()
      : Number.POSITIVE_INFINITY;
  }

  /** The peer went offline: nothing is due until it restarts. */
  stop(): void {
    this.#nextAt[this.#slot] = Number.POSITIVE_INFINITY;
  }

  /** The event due at `next` happened (or was skipped): schedule the following one. */
  advance(): void {
    this.#nextAt[this.#slot] = this.next + this.#draw();
  }

  /** The random stream for the event payload (the rectangle app draws a key 0..4 from it). */
  get payloadRandom(): SeededRandom {
    return this.#keys;
  }

  #draw(): number {
    return this.#rng.uniform(0, 2 * this.#meanMs);
  }
}
