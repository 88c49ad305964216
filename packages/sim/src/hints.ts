/**
 * Why a run may not have converged: short hints computed from the scenario and its metrics,
 * printed by `symmetric-sim run` when `converged` is false.
 */
import type { Metrics } from './metrics.js';
import { delayMs, type LatencyModel, type Scenario } from './scenario.js';
import { hopStats, scenarioEdges } from './topology.js';

function meanLatencyMs(latency: LatencyModel): number {
  switch (latency.dist) {
    case 'constant':
      return latency.ms;
    case 'uniform':
      return (latency.minMs + latency.maxMs) / 2;
    case 'normal':
      return latency.meanMs;
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/**
 * Hints (one line each) on what in `scenario` may have kept the run from converging: a quiet
 * tail shorter than a flood needs to cross the graph (diameter hops × mean latency + Δ), peers
 * left offline at the end (`churn.backForTail: false`), a partition that never heals within the
 * run, a history horizon shorter than a partition. Empty when nothing stands out.
 */
export function convergenceHints(scenario: Scenario, metrics: Metrics): string[] {
  const hints: string[] = [];
  const edges = scenarioEdges(scenario, metrics.seed);
  const { diameter } = hopStats(scenario.peers, edges);
  const latencyMs = meanLatencyMs(scenario.latency);
  const deltaMs = delayMs(scenario) ?? metrics.deltaMs ?? 0;
  if (Number.isFinite(diameter)) {
    const crossMs = diameter * latencyMs + deltaMs;
    const tailMs = scenario.quietTailS * 1000;
    if (tailMs < crossMs) {
      hints.push(
        `quiet tail ${seconds(tailMs)} is shorter than a flood needs to cross the graph (${diameter} hops × ${latencyMs} ms mean latency + Δ ${deltaMs} ms = ${seconds(crossMs)}): raise quietTailS to at least ${Math.ceil(crossMs / 1000)}`,
      );
    }
  }
  const offline = scenario.peers - metrics.peersOnline;
  if (scenario.churn !== undefined && !scenario.churn.backForTail && offline > 0) {
    hints.push(
      `${offline} peer${offline === 1 ? ' was' : 's were'} offline at the end with churn.backForTail: false, so the online ones may be split: set backForTail to true to compare a connected graph`,
    );
  }
  const endS = scenario.durationS - scenario.quietTailS;
  scenario.partitions.forEach((p, i) => {
    if (p.healAtS > endS) {
      hints.push(
        `partitions[${i}] heals at ${p.healAtS} s, after the quiet tail begins (${endS} s): the groups cannot merge before the end; set healAtS to ${endS} or earlier`,
      );
    }
  });
  const horizon = scenario.history;
  if (horizon !== undefined && horizon !== 'full') {
    const horizonS = horizon.horizonTicks / scenario.fps;
    scenario.partitions.forEach((p, i) => {
      const lengthS = Math.min(p.healAtS, scenario.durationS) - p.atS;
      if (lengthS > horizonS) {
        hints.push(
          `history horizon ${horizon.horizonTicks} ticks (${Number(horizonS.toFixed(2))} s) is shorter than partitions[${i}] (${Number(lengthS.toFixed(2))} s): the groups cannot replay each other's events after the heal; raise history.horizonTicks to at least ${Math.ceil(lengthS * scenario.fps)} or use "full"`,
        );
      }
    });
  }
  return hints;
}
