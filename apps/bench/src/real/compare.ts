/**
 * One paper cell, run twice: in virtual time through `@symmetric/sim` and in real time on real
 * sockets through {@link runRealScenario}; then the two side by side (markdown + JSON) with the
 * difference explained from the measured figures.
 */
import { type Metrics, runScenario } from '@symmetric/sim';
import { type Cell, cellScenario, churnScenario, deltaMs, paperSetting, type ScenarioJson } from '../grid.js';
import { machine, type RealMetrics, type RealProgress, runRealScenario } from './run.js';

/** The cell the comparison runs by default: 50 ms links, 25 events/min, Δ = 2 × 5 hops × 50 ms. */
export const REAL_CELL: Cell = { latencyMs: 50, perMinute: 25, multiplier: 2 };

/** Options of {@link compareRealVsSim}. */
export interface CompareOptions {
  /** Seconds of each run (real: wall seconds; sim: virtual seconds). Default 120. */
  readonly durationS?: number;
  /** The cell (default {@link REAL_CELL}). */
  readonly cell?: Cell;
  /** Repetition index of the grid's seeding (seed = repetition + 1). Default 0. */
  readonly repetition?: number;
  /** Warm-up excluded from the metrics, s (default: the paper's 30 s). For quick trial runs. */
  readonly warmupS?: number;
  /** Run the paper's churn variant of the cell (peers restarting from nothing). Default `false`. */
  readonly churn?: boolean;
  /**
   * A room of this many peers on a random `degree`-regular graph (seeded from the scenario)
   * instead of the paper's 21-peer topology. Default: the paper's topology.
   */
  readonly room?: { readonly peers: number; readonly degree: number };
  /** Progress of the simulated run (fraction 0..1). */
  readonly onSimProgress?: (fraction: number) => void;
  /** Progress of the real run. */
  readonly onRealProgress?: (progress: RealProgress) => void;
}

/** Everything one comparison produced (the `.json` result file). */
export interface Comparison {
  readonly machine: ReturnType<typeof machine>;
  readonly date: string;
  readonly cell: Cell & { readonly deltaMs: number };
  readonly durationS: number;
  readonly scenario: ScenarioJson;
  readonly real: RealMetrics;
  readonly sim: Metrics;
  /**
   * The simulator again, same seed, with the link latency the real frames actually got
   * (normal with the measured mean and s.d.): how much of the gap latency alone explains.
   */
  readonly simMeasuredLatency: Metrics;
  /** The paragraph explaining the difference (also in the markdown). */
  readonly explanation: string;
}

/** Thrown by {@link compareRealVsSim} for a duration that leaves nothing to measure. */
export class CompareError extends Error {
  override readonly name = 'CompareError';
  /** Always `BAD_DURATION`. */
  readonly code = 'BAD_DURATION';
}

/**
 * Run the cell in virtual time, then in real time (same scenario, same seed: same start offsets
 * and the same event draws), and return both metric sets with an explanation. The simulated run
 * goes first so that it does not load the CPU while the real one is timed.
 */
export async function compareRealVsSim(options: CompareOptions = {}): Promise<Comparison> {
  const setting = paperSetting();
  const cell = options.cell ?? REAL_CELL;
  const durationS = options.durationS ?? 120;
  const churn = options.churn === true;
  const base = (churn ? churnScenario : cellScenario)(setting, cell, options.repetition ?? 0, durationS);
  const room = options.room;
  const scenario: ScenarioJson = {
    ...base,
    name: `real-vs-sim-${churn ? 'churn-' : ''}${cell.latencyMs}ms-${cell.perMinute}pm-${cell.multiplier}x${room === undefined ? '' : `-${room.peers}p-d${room.degree}`}`,
    ...(room === undefined
      ? {}
      : { peers: room.peers, topology: { kind: 'random-regular', degree: room.degree } }),
    ...(options.warmupS !== undefined ? { warmupS: options.warmupS } : {}),
  };
  if (!(durationS > scenario.warmupS + scenario.quietTailS) || !(durationS > scenario.startJitterS)) {
    throw new CompareError(
      `duration ${durationS} s must exceed warm-up (${scenario.warmupS} s) + quiet tail (${scenario.quietTailS} s) and the start jitter (${scenario.startJitterS} s)`,
    );
  }
  const sim = await runScenario(scenario, {
    ...(options.onSimProgress !== undefined ? { onProgress: options.onSimProgress } : {}),
  });
  const real = await runRealScenario(scenario, {
    ...(options.onRealProgress !== undefined ? { onProgress: options.onRealProgress } : {}),
  });
  const measured = real.runtime.latency;
  const simMeasuredLatency = await runScenario({
    ...scenario,
    latency: { dist: 'normal', meanMs: measured.actualMeanMs, sdMs: measured.actualSdMs },
  });
  const partial = {
    machine: machine(),
    date: new Date().toISOString(),
    cell: { ...cell, deltaMs: deltaMs(setting, cell) },
    durationS,
    scenario,
    real,
    sim,
    simMeasuredLatency,
  };
  return { ...partial, explanation: explain(partial) };
}

/** A figure for the page: with `digits`, always that many decimals; without, counts as they are. */
const fmt = (x: number | null | undefined, digits?: number): string =>
  x === null || x === undefined
    ? '–'
    : digits !== undefined
      ? x.toFixed(digits)
      : Number.isInteger(x)
        ? String(x)
        : x.toFixed(3);

/**
 * The paragraph explaining the difference between the two runs, built from the figures (the
 * causes it names are the ones the numbers point at).
 */
export function explain(c: Omit<Comparison, 'explanation'>): string {
  const { real, sim, simMeasuredLatency: simLat } = c;
  const rt = real.runtime;
  const lat = rt.latency;
  const linkMs = c.scenario.latency.meanMs;
  const tickMs = 1000 / c.scenario.fps;
  const lt = rt.lateness;
  const parts: string[] = [];
  const times = (a: number, b: number): string => (b > 0 ? ` (× ${(a / b).toFixed(2)})` : '');
  const depth = (m: { ticksTravelledBack: number; rollbacks: number }): string =>
    m.rollbacks > 0 ? (m.ticksTravelledBack / m.rollbacks).toFixed(1) : '–';
  const hops = linkMs > 0 ? Math.round(c.cell.deltaMs / linkMs) : 0;
  parts.push(
    `Both runs use the same scenario and seed: the same start offsets and the same per-peer event draws ` +
      `(${real.eventsGenerated} events emitted for real, ${sim.eventsGenerated} simulated). Each run's lower bound is ` +
      `computed over the latencies its own links drew: ${fmt(real.lowerBoundPct, 4)} % real, ` +
      `${fmt(sim.lowerBoundPct, 4)} % simulated.` +
      ` Real rollback is ${fmt(real.rollbackPct, 4)} % against ${fmt(sim.rollbackPct, 4)} % simulated` +
      `${times(real.rollbackPct, sim.rollbackPct)}: ${real.rollbacks} rollbacks of ${depth(real)} ticks on average ` +
      `for real, ${sim.rollbacks} of ${depth(sim)} simulated. At ${c.cell.perMinute} events/min and Δ = ${c.cell.deltaMs} ms ` +
      `(Δ ÷ L = ${hops} hops) only deliveries to peers about ${hops} or more hops from the source can be late, ` +
      `so every extra millisecond on the way or between clocks shows up directly, and a single seed of ` +
      `${real.eventsGenerated} events is a small sample.`,
  );
  const gap = real.rollbackPct - sim.rollbackPct;
  const latGap = simLat.rollbackPct - sim.rollbackPct;
  const sameAt4 = fmt(simLat.rollbackPct, 4) === fmt(sim.rollbackPct, 4);
  const latencyShare = sameAt4
    ? `the simulator reports the same ${fmt(simLat.rollbackPct, 4)} %: the measured latency explains none of the gap.`
    : `the simulator reports ${fmt(simLat.rollbackPct, 4)} % instead of ${fmt(sim.rollbackPct, 4)} %` +
      (gap !== 0 && Math.sign(gap) === Math.sign(latGap) && Math.abs(latGap) <= Math.abs(gap)
        ? `: ${Math.round((100 * latGap) / gap)} % of the gap is the network as the peers saw it.`
        : gap !== 0 && Math.sign(gap) === Math.sign(latGap)
          ? `: more than the whole gap (the real run is at ${fmt(real.rollbackPct, 4)} %); the latency as measured, ` +
            `timer lateness and its s.d. included, is harsher on the simulated peers than the real ones.`
          : `: the measured latency alone moves it ${latGap > 0 ? 'up' : 'down'}, ${gap > 0 ? 'while the real run is higher' : gap < 0 ? 'while the real run is lower' : 'while the real run is equal'}.`);
  parts.push(
    `Latency: the wrapper drew ${fmt(lat.sampledMeanMs, 2)} ms per frame (model ${linkMs} ms) but frames reached the ` +
      `peers ${fmt(lat.actualMeanMs, 2)} ms (s.d. ${fmt(lat.actualSdMs, 2)}) after the socket delivered them: ` +
      `${fmt(lat.actualMeanMs - lat.sampledMeanMs, 2)} ms more per hop, ${fmt(lat.latenessMeanMs, 2)} ms of it timer ` +
      `lateness (max ${fmt(lat.latenessMaxMs, 1)} ms), the rest the FIFO floor; the socket transit itself (kernel ` +
      `loopback, ws framing) comes on top and is not in these figures. Given exactly that latency (normal, measured ` +
      `mean and s.d.), ${latencyShare}`,
  );
  const extraLag = lt.stampLagMeanMs - tickMs / 2;
  const residual = real.rollbackPct - simLat.rollbackPct;
  parts.push(
    `Clocks: simulated peers step when their own clock reads mid-tick, once per ${tickMs} ms frame of one virtual ` +
      `clock, and their ticks ` +
      `differed by at most ${sim.skewTicks.max} tick(s) at a report (p50 ${sim.skewTicks.p50}). Real peers each run their own ` +
      `frame timer and agree through SYNC samples that cross the same delayed links and are read by callbacks that ` +
      `may run late; at one instant their clocks were ${fmt(rt.clockSpreadMs.p50, 1)} ms apart at the median ` +
      `(p99 ${fmt(rt.clockSpreadMs.p99, 1)} ms, max ${fmt(rt.clockSpreadMs.max, 1)} ms). A receiver whose clock runs ` +
      `ahead of the sender's sees the sender's events that much later. Read off the wire (events and SYNCs decoded ` +
      `as they were delivered), ${lt.late} of ${lt.deliveries} arrivals after warm-up came after their tick; they were ` +
      `${fmt(lt.lateMeanMs, 1)} ms late on average = ${fmt(lt.lateTravelMs, 1)} ms of travel + ${fmt(lt.lateStampLagMs, 1)} ms ` +
      `of stamp lag (the sender's clock was already past the tick it stamped from; ${fmt(lt.stampLagMeanMs, 1)} ms over ` +
      `all events) + ${fmt(lt.lateClockOffsetMs, 1)} ms of receiver-ahead clock offset − Δ ${fmt(lt.deltaMs, 0)} ms. ` +
      `Over all arrivals the offset averages ${fmt(lt.offsetMeanMs, 1)} ms (${fmt(lt.offsetAbsMeanMs, 1)} ms in absolute value)` +
      (lt.late > 0 && lt.lateClockOffsetMs > Math.max(2, lt.offsetAbsMeanMs / 2)
        ? `: no bias overall, but the late arrivals are mostly those whose receiver ran ahead. `
        : `: clock disagreement hardly adds to the late arrivals. `) +
      `In the simulator an event is emitted right after a step, at mid-tick, so it is stamped from a tick half a frame old ` +
      `(${tickMs / 2} ms) in expectation; the real stamp lag is ${fmt(lt.stampLagMeanMs, 1)} ms, ` +
      (extraLag >= 1
        ? `${fmt(extraLag, 1)} ms more, which is that much less Δ for every real event. `
        : `no more than that (${fmt(extraLag, 1)} ms difference). `) +
      (residual > 0
        ? `The real run is ${fmt(residual, 4)} points above the latency-matched simulation ` +
          `(${fmt(simLat.rollbackPct, 4)} %); what differs between them is the stamp lag and the clock offsets above.`
        : `The latency-matched simulation (${fmt(simLat.rollbackPct, 4)} %) is at or above the real ` +
          `${fmt(real.rollbackPct, 4)} %: stamp lag and clock offsets add nothing measurable here.`),
  );
  const keptPace = rt.ticksPerSecond.min >= 0.99 * c.scenario.fps;
  parts.push(
    `Load: all ${rt.peers} peers share one event loop and used ${fmt(rt.cpuPct, 1)} % of one core ` +
      `(${fmt(rt.cpuUsPerPeerFrame, 1)} µs of CPU per peer per frame, sockets and latency injection included); the event loop ` +
      `${rt.eventLoopDelayMs.p99 > 5 ? 'still stalled at times' : 'stayed responsive'} (delay beyond a 10 ms probe: ` +
      `p50 ${fmt(rt.eventLoopDelayMs.p50, 2)} ms, p99 ${fmt(rt.eventLoopDelayMs.p99, 2)} ms, max ` +
      `${fmt(rt.eventLoopDelayMs.max, 1)} ms), on ${c.machine.cores} cores shared with other work (1-min load average ` +
      `${fmt(rt.loadAverage1m, 2)}). Peers kept ${fmt(rt.ticksPerSecond.min, 2)}–${fmt(rt.ticksPerSecond.mean, 2)} ticks/s ` +
      `(slowest–mean, target ${c.scenario.fps}), ` +
      (keptPace
        ? `so one process is enough for ${rt.peers} peers at ${c.scenario.fps} FPS; late timers show up as delivery ` +
          `lateness and clock noise, not as lost pace.`
        : `so the slowest peer lost pace: one process was not enough under this load.`),
  );
  const msgDiff = sim.messages > 0 ? (100 * (real.messages - sim.messages)) / sim.messages : 0;
  parts.push(
    `Pace mismatch: ${fmt(real.paceMismatchPct, 3)} % real, ${fmt(sim.paceMismatchPct, 3)} % simulated. ` +
      `Convergence: ${
        real.converged && sim.converged
          ? 'both runs converged'
          : `${real.converged ? 'the real run converged' : 'the real run did NOT converge'}, ${sim.converged ? 'the simulated one converged' : 'the simulated one did NOT converge'}`
      } (${real.distinctFinalHashes} distinct hash(es) at tick ${real.finalTick} over ${real.peersOnline} real peers; ` +
      `${sim.distinctFinalHashes} at tick ${sim.finalTick} simulated). Messages differ by ${msgDiff.toFixed(1)} % ` +
      `(${real.messages} vs ${sim.messages}).`,
  );
  if (c.scenario.churn !== undefined) {
    const rec = (m: Pick<Metrics, 'recoveryS' | 'recoveryPaperS' | 'afterRecovery'>, who: string): string =>
      `${who}: ${m.recoveryS.count} recoveries, mean ${fmt(m.recoveryS.mean, 3)} s (p95 ${fmt(m.recoveryS.p95, 3)} s) ` +
      `by the simulator's definition, ${m.recoveryPaperS.count} by the paper's with mean ${fmt(m.recoveryPaperS.mean, 3)} s ` +
      `(p50 ${fmt(m.recoveryPaperS.p50, 3)}, p95 ${fmt(m.recoveryPaperS.p95, 3)} s, ${m.recoveryPaperS.unrecovered} unrecovered at the end); ` +
      `${m.afterRecovery.withRollback} of ${m.afterRecovery.count} recovered peers still rolled back within ${m.afterRecovery.windowS} s ` +
      `(mean ${fmt(m.afterRecovery.meanTicks, 1)} ticks, max ${m.afterRecovery.maxTicks})`;
    parts.push(`Churn recovery. ${rec(real, 'Real')}. ${rec(sim, 'Simulated')}.`);
  }
  return parts.join(' ');
}

/** The scenario's topology in words. */
function topologyText(s: ScenarioJson): string {
  return s.topology.kind === 'paper-21'
    ? "the paper's 21-peer topology"
    : `${s.peers} peers on a random ${s.topology.degree}-regular graph`;
}

/** The comparison as a markdown page (`results/real-vs-sim.md`). */
export function comparisonMarkdown(c: Comparison): string {
  const { real, sim, simMeasuredLatency } = c;
  const m = real;
  const rt = real.runtime;
  /** One row: the same figure of the three runs. */
  type Common = Pick<
    RealMetrics,
    | 'rollbackPct'
    | 'resimPct'
    | 'rollbacks'
    | 'ticksTravelledBack'
    | 'rollbackToLowerBound'
    | 'paceMismatchPct'
    | 'skewTicks'
    | 'converged'
    | 'distinctFinalHashes'
    | 'finalTick'
    | 'eventsGenerated'
    | 'eventsApplied'
    | 'desyncs'
    | 'messages'
    | 'bytes'
    | 'ticksSimulated'
  > & {
    lowerBoundPct: number | null;
    meanLatencyEstimatePct?: number | null;
    wallMs?: number;
    recoveryS?: Metrics['recoveryS'];
    recoveryPaperS?: Metrics['recoveryPaperS'];
    afterRecovery?: Metrics['afterRecovery'];
  };
  const runs: Common[] = [real, sim, simMeasuredLatency];
  const row = (name: string, f: (x: Common) => string): string => `| ${name} | ${runs.map(f).join(' | ')} |`;
  const lines = [
    '# Simulator versus reality',
    '',
    `One cell of the paper's grid${c.scenario.churn === undefined ? '' : ` with the paper's churn (each peer online ~${c.scenario.churn.onlineMeanS} s, offline ~${c.scenario.churn.offlineMeanS} s, exponential, restarting from nothing)`} — ${c.cell.latencyMs} ms mean link latency (s.d. ${c.scenario.latency.sdMs} ms), ` +
      `${c.cell.perMinute} events/min network-wide, Δ = ${c.cell.latencyMs} × 5 × ${c.cell.multiplier} = ${c.cell.deltaMs} ms, ` +
      `${topologyText(c.scenario)}, ${c.durationS} s (warm-up ${c.scenario.warmupS} s excluded, quiet tail ` +
      `${c.scenario.quietTailS} s, start jitter up to ${c.scenario.startJitterS} s, seed ${c.scenario.seed}) — run twice: ` +
      `in virtual time by \`@symmetric/sim\` (loopback links) and in real time by ${c.scenario.peers} \`@symmetric/peer\` runtimes ` +
      'on `@symmetric/transport-ws` over 127.0.0.1, each link delayed by `latencyTransport` (per-frame normal sample, FIFO kept).',
    '',
    `Machine: ${c.machine.cpu} × ${c.machine.cores}, ${c.machine.platform}, Node ${c.machine.node}; ${c.date}.`,
    '',
    `| metric | real (WebSockets) | simulated | simulated, latency as measured (${fmt(m.runtime.latency.actualMeanMs, 2)} ± ${fmt(m.runtime.latency.actualSdMs, 2)} ms) |`,
    '|---|---:|---:|---:|',
    row('rollback %', (x) => fmt(x.rollbackPct, 4)),
    row('re-simulated %', (x) => fmt(x.resimPct, 4)),
    row('rollbacks (late-event batches)', (x) => fmt(x.rollbacks)),
    row('ticks travelled back per rollback', (x) =>
      x.rollbacks > 0 ? (x.ticksTravelledBack / x.rollbacks).toFixed(2) : '–',
    ),
    row('lower bound % (perfect clocks, latencies the run drew)', (x) => fmt(x.lowerBoundPct, 4)),
    row('mean-latency estimate % (not a bound)', (x) => fmt(x.meanLatencyEstimatePct, 4)),
    row('rollback ÷ lower bound', (x) => fmt(x.rollbackToLowerBound, 2)),
    row('pace mismatch %', (x) => fmt(x.paceMismatchPct, 3)),
    row(
      'skew p50 / p99 / max (ticks)',
      (x) => `${x.skewTicks.p50} / ${x.skewTicks.p99} / ${x.skewTicks.max}`,
    ),
    row(
      'converged (distinct final hashes)',
      (x) => `${x.converged ? 'yes' : 'NO'} (${x.distinctFinalHashes} at tick ${x.finalTick})`,
    ),
    row('events emitted / applied per peer', (x) => `${x.eventsGenerated} / ${x.eventsApplied}`),
    row('desync reports', (x) => fmt(x.desyncs)),
    row('messages (frames sent)', (x) => fmt(x.messages)),
    row('bytes sent', (x) => fmt(x.bytes)),
    row('ticks simulated (denominator)', (x) => fmt(x.ticksSimulated)),
    row('wall time', (x) => `${((x.wallMs ?? 0) / 1000).toFixed(1)} s`),
    ...(c.scenario.churn === undefined
      ? []
      : [
          row(
            "recovery, simulator's definition: count, mean / p95 (s)",
            (x) => `${x.recoveryS?.count ?? '–'}, ${fmt(x.recoveryS?.mean, 3)} / ${fmt(x.recoveryS?.p95, 3)}`,
          ),
          row(
            "recovery, paper's definition: count, mean / p50 / p95 (s), unrecovered",
            (x) =>
              `${x.recoveryPaperS?.count ?? '–'}, ${fmt(x.recoveryPaperS?.mean, 3)} / ${fmt(x.recoveryPaperS?.p50, 3)} / ${fmt(x.recoveryPaperS?.p95, 3)}, ${x.recoveryPaperS?.unrecovered ?? '–'}`,
          ),
          row(
            'recovered peers still rolling back within 5 s; ticks mean / max',
            (x) =>
              `${x.afterRecovery?.withRollback ?? '–'} of ${x.afterRecovery?.count ?? '–'}; ${fmt(x.afterRecovery?.meanTicks, 1)} / ${x.afterRecovery?.maxTicks ?? '–'}`,
          ),
        ]),
    '',
    'Real run only (measured window after warm-up, except latency which covers the whole run):',
    '',
    '| runtime figure | value |',
    '|---|---:|',
    `| process layout | ${rt.mode}, ${rt.peers} peers on one event loop |`,
    `| CPU (% of one core) | ${fmt(rt.cpuPct, 1)} |`,
    `| CPU per peer per frame, real sockets, everything in the process (µs) | ${fmt(rt.cpuUsPerPeerFrame, 1)} |`,
    `| event-loop delay beyond a 10 ms probe, mean / p50 / p99 / max (ms) | ${fmt(rt.eventLoopDelayMs.mean, 2)} / ${fmt(rt.eventLoopDelayMs.p50, 2)} / ${fmt(rt.eventLoopDelayMs.p99, 2)} / ${fmt(rt.eventLoopDelayMs.max, 1)} |`,
    `| ticks per second per peer, mean / slowest (target ${c.scenario.fps}) | ${fmt(rt.ticksPerSecond.mean, 2)} / ${fmt(rt.ticksPerSecond.min, 2)} |`,
    `| clock spread between peers, p50 / p99 / max (ms; 1 tick = ${1000 / c.scenario.fps} ms) | ${fmt(rt.clockSpreadMs.p50, 2)} / ${fmt(rt.clockSpreadMs.p99, 2)} / ${fmt(rt.clockSpreadMs.max, 1)} |`,
    `| arrivals measured / late by the clocks (after warm-up) | ${rt.lateness.deliveries} / ${rt.lateness.late} |`,
    `| late arrivals: lateness = travel + stamp lag + clock offset − Δ (ms, means) | ${fmt(rt.lateness.lateMeanMs, 1)} = ${fmt(rt.lateness.lateTravelMs, 1)} + ${fmt(rt.lateness.lateStampLagMs, 1)} + ${fmt(rt.lateness.lateClockOffsetMs, 1)} − ${fmt(rt.lateness.deltaMs, 0)} |`,
    `| all arrivals: receiver − sender clock offset, mean / mean absolute (ms) | ${fmt(rt.lateness.offsetMeanMs, 2)} / ${fmt(rt.lateness.offsetAbsMeanMs, 2)} |`,
    `| stamp lag: sender's clock past the tick it stamped from, mean (ms) | ${fmt(rt.lateness.stampLagMeanMs, 2)} |`,
    `| injected latency drawn, mean (ms) | ${fmt(rt.latency.sampledMeanMs, 2)} |`,
    `| latency frames really got, mean / s.d. (ms) | ${fmt(rt.latency.actualMeanMs, 2)} / ${fmt(rt.latency.actualSdMs, 2)} |`,
    `| timer lateness of deliveries, mean / max (ms) | ${fmt(rt.latency.latenessMeanMs, 2)} / ${fmt(rt.latency.latenessMaxMs, 1)} |`,
    `| frames delayed / dropped at close | ${rt.latency.framesDelivered} / ${rt.latency.framesDropped} |`,
    `| peer errors | ${
      Object.keys(rt.peerErrors).length === 0
        ? 'none'
        : Object.entries(rt.peerErrors)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')
    } |`,
    `| load average (1 min) at the end | ${fmt(rt.loadAverage1m, 2)} |`,
    ...(rt.notLiveAtEnd === undefined || rt.notLiveAtEnd.length === 0
      ? []
      : [
          `| not live at the end: peer, status, connection, tick, up for (s) | ${rt.notLiveAtEnd
            .map((x) => `p${x.peer} ${x.status}, ${x.connection}, tick ${x.tick}, ${fmt(x.upS, 1)}`)
            .join('; ')} |`,
        ]),
    '',
    '## Why the figures differ',
    '',
    c.explanation,
    '',
    'Reproduce: `npm run build -w @symmetric/bench && npm run bench:real -w @symmetric/bench` ' +
      '(`-- --duration <s>`; needs the workspace packages built).',
    '',
  ];
  return lines.join('\n');
}
