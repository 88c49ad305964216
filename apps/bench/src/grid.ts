import { readFileSync } from 'node:fs';

/** The paper's evaluation setting (the grid of the paper, Sant'Anna RITA 2024). */
export interface PaperSetting {
  peers: number;
  edges: [number, number][];
  fps: number;
  link: { latencyMeanMs: number[]; latencySdFraction: number };
  delta: { avgHops: number; multipliers: number[] };
  events: { perMinuteNetworkWide: number[]; quietTailS: number };
  run: { durationS: number; warmupS: number; repetitions: number; startJitterS: number };
  churn: { onlineMeanS: number; offlineMeanS: number };
}

/** The paper's published numbers (its Figure "baks", by cell). */
export interface PaperReference {
  rollbackPercent: {
    eventsPerMinute: number[];
    multiplier1: Record<string, number[]>;
    multiplier2: Record<string, number[]>;
    multiplier5: Record<string, number[]>;
  };
  paceMismatchPercent: { value: number };
  recoveryTimeS: { value: number };
  middlewareOverheadUs: { value: number };
  wallTimeForGridHours: number;
}

function readData<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8')) as T;
}

/** Loads the paper's setting. */
export function paperSetting(): PaperSetting {
  return readData<PaperSetting>('paper-21.json');
}

/** Loads the paper's published results. */
export function paperReference(): PaperReference {
  return readData<PaperReference>('paper-rita24.json');
}

/** One cell of the grid: a latency, an event rate and a Δ multiplier. */
export interface Cell {
  latencyMs: number;
  perMinute: number;
  multiplier: number;
}

/** A scenario in the format of docs/simulator.md. */
export interface ScenarioJson {
  name: string;
  seed: number;
  peers: number;
  topology: { kind: 'paper-21' } | { kind: 'random-regular'; degree: number; seed?: number };
  fps: number;
  durationS: number;
  warmupS: number;
  quietTailS: number;
  startJitterS: number;
  latency: { dist: 'normal'; meanMs: number; sdMs: number };
  delay: { ms: number };
  events: { perMinute: number; app: 'rectangle' };
  churn?: { onlineMeanS: number; offlineMeanS: number; restart: boolean };
}

/** Δ in ms for a cell: L × average hops × multiplier (the paper's formula). */
export function deltaMs(setting: PaperSetting, cell: Cell): number {
  return cell.latencyMs * setting.delta.avgHops * cell.multiplier;
}

/** Every cell of the paper's grid (6 latencies × 6 rates × 3 multipliers). */
export function fullGrid(setting: PaperSetting): Cell[] {
  const cells: Cell[] = [];
  for (const multiplier of [...setting.delta.multipliers].sort((a, b) => b - a))
    for (const latencyMs of setting.link.latencyMeanMs)
      for (const perMinute of setting.events.perMinuteNetworkWide)
        cells.push({ latencyMs, perMinute, multiplier });
  return cells;
}

/** A representative subset for CI: low/high latency × low/high load × every multiplier. */
export function quickGrid(): Cell[] {
  const cells: Cell[] = [];
  for (const multiplier of [5, 2, 1])
    for (const latencyMs of [50, 250])
      for (const perMinute of [25, 200]) cells.push({ latencyMs, perMinute, multiplier });
  return cells;
}

/** The scenario for one cell and repetition (repetition r uses seed r + 1). */
export function cellScenario(
  setting: PaperSetting,
  cell: Cell,
  repetition: number,
  durationS?: number,
): ScenarioJson {
  return {
    name: `paper-${cell.latencyMs}ms-${cell.perMinute}pm-${cell.multiplier}x-r${repetition}`,
    seed: repetition + 1,
    peers: setting.peers,
    topology: { kind: 'paper-21' },
    fps: setting.fps,
    durationS: durationS ?? setting.run.durationS,
    warmupS: setting.run.warmupS,
    quietTailS: setting.events.quietTailS,
    startJitterS: setting.run.startJitterS,
    latency: {
      dist: 'normal',
      meanMs: cell.latencyMs,
      sdMs: cell.latencyMs * setting.link.latencySdFraction,
    },
    delay: { ms: deltaMs(setting, cell) },
    events: { perMinute: cell.perMinute, app: 'rectangle' },
  };
}

/** The churn setting: every peer online ~40 s, offline ~20 s (exponential), restarting from nothing. */
export function churnScenario(
  setting: PaperSetting,
  cell: Cell,
  repetition: number,
  durationS?: number,
): ScenarioJson {
  return {
    ...cellScenario(setting, cell, repetition, durationS),
    name: `churn-${cell.latencyMs}ms-${cell.perMinute}pm-${cell.multiplier}x-r${repetition}`,
    churn: {
      onlineMeanS: setting.churn.onlineMeanS,
      offlineMeanS: setting.churn.offlineMeanS,
      restart: true,
    },
  };
}

/** The paper's published rollback % for a cell, if the grid has it. */
export function paperRollback(ref: PaperReference, cell: Cell): number | undefined {
  const table =
    ref.rollbackPercent[`multiplier${cell.multiplier}` as 'multiplier1' | 'multiplier2' | 'multiplier5'];
  const row = table?.[String(cell.latencyMs)];
  const col = ref.rollbackPercent.eventsPerMinute.indexOf(cell.perMinute);
  return row === undefined || col < 0 ? undefined : row[col];
}
