#!/usr/bin/env node
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  type Cell,
  cellScenario,
  churnScenario,
  fullGrid,
  paperReference,
  paperSetting,
  quickGrid,
} from './grid.js';
import { type Job, runPool } from './pool.js';
import {
  type CellResult,
  evaluateGoals,
  type PaperReport,
  type RunMetrics,
  summariseCell,
  toMarkdown,
  toSvg,
} from './report.js';

const program = new Command()
  .name('bench-paper')
  .description(
    "Runs the paper's evaluation grid through @symmetric/sim and compares it with the published numbers.",
  )
  .option('--quick', 'a representative subset (12 cells, 1 repetition, one churn run) for CI', false)
  .option('--churn-only', "only the churn variant's cells (L 25, 50 and 100 ms, 25 events/min, 2x)", false)
  .option('--horizon <ticks>', "history horizon of every peer in ticks (default: the runtime's)", (v) =>
    Number.parseInt(v, 10),
  )
  .option('--workers <n>', 'worker threads', (v) => Number.parseInt(v, 10), availableParallelism())
  .option('--reps <n>', 'repetitions per cell (default: 3, quick: 1)', (v) => Number.parseInt(v, 10))
  .option('--duration <s>', 'virtual seconds per run (default: 300)', (v) => Number.parseInt(v, 10))
  .option('--out <dir>', 'output folder', new URL('../results/', import.meta.url).pathname)
  .option('--render <json>', 're-render the report files from a saved paper-grid.json (no runs)')
  .parse();

const opts = program.opts<{
  quick: boolean;
  churnOnly: boolean;
  horizon?: number;
  workers: number;
  reps?: number;
  duration?: number;
  out: string;
  render?: string;
}>();
const setting = paperSetting();
const ref = paperReference();

/** Write the report files (`paper-grid` or `paper-quick`). */
function write(report: PaperReport): void {
  mkdirSync(opts.out, { recursive: true });
  const base = report.mode === 'quick' ? 'paper-quick' : opts.churnOnly ? 'paper-churn' : 'paper-grid';
  writeFileSync(join(opts.out, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(opts.out, `${base}.md`), toMarkdown(report, ref));
  writeFileSync(join(opts.out, `${base}.svg`), toSvg(report));
  process.stdout.write(toMarkdown(report, ref));
  process.stderr.write(`wrote ${join(opts.out, base)}.{json,md,svg} in ${report.wallS.toFixed(1)} s\n`);
}

if (opts.render !== undefined) {
  // Summaries and goals are recomputed from the saved runs.
  const saved = JSON.parse(readFileSync(opts.render, 'utf8')) as PaperReport;
  const cells = saved.cells.map((c) => summariseCell(c.cell, c.runs, ref));
  const churn = saved.churn.map((c) => summariseCell(c.cell, c.runs, ref));
  write({ ...saved, cells, churn, goals: evaluateGoals(cells, churn) });
  process.exit(0);
}

const reps = opts.reps ?? (opts.quick ? 1 : setting.run.repetitions);
const cells = opts.churnOnly ? [] : opts.quick ? quickGrid() : fullGrid(setting);
const history = opts.horizon === undefined ? {} : { history: { horizonTicks: opts.horizon } };
const churnCells: Cell[] = opts.quick
  ? [{ latencyMs: 50, perMinute: 25, multiplier: 2 }]
  : [25, 50, 100].map((latencyMs) => ({ latencyMs, perMinute: 25, multiplier: 2 }));

type Tag = { kind: 'grid' | 'churn'; cell: Cell };
const jobs: Job<Tag>[] = [];
for (const cell of cells)
  for (let r = 0; r < reps; r++)
    jobs.push({
      scenario: { ...cellScenario(setting, cell, r, opts.duration), ...history },
      tag: { kind: 'grid', cell },
    });
for (const cell of churnCells)
  for (let r = 0; r < reps; r++)
    jobs.push({
      scenario: { ...churnScenario(setting, cell, r, opts.duration), ...history },
      tag: { kind: 'churn', cell },
    });

const started = Date.now();
const tty = process.stderr.isTTY;
process.stderr.write(
  `bench:paper: ${jobs.length} runs (${cells.length} cells × ${reps} reps + churn) on ${opts.workers} workers\n`,
);
const results = await runPool(jobs, opts.workers, (done, total, label) => {
  const elapsed = (Date.now() - started) / 1000;
  const eta = (elapsed / done) * (total - done);
  const line = `[${done}/${total}] ${((100 * done) / total).toFixed(0)}% ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left — ${label}`;
  if (tty) process.stderr.write(`\r${line.padEnd(100)}`);
  else if (done === total || done % Math.max(1, Math.floor(total / 20)) === 0)
    process.stderr.write(`${line}\n`);
});
if (tty) process.stderr.write('\n');

function group(kind: Tag['kind']): CellResult[] {
  const byCell = new Map<string, { cell: Cell; runs: RunMetrics[] }>();
  for (const r of results) {
    if (r.tag.kind !== kind) continue;
    const key = `${r.tag.cell.latencyMs}/${r.tag.cell.perMinute}/${r.tag.cell.multiplier}`;
    const entry = byCell.get(key) ?? { cell: r.tag.cell, runs: [] };
    entry.runs.push(r.metrics as RunMetrics);
    byCell.set(key, entry);
  }
  return [...byCell.values()].map((e) => summariseCell(e.cell, e.runs, ref));
}

const grid = group('grid');
const churn = group('churn');
const report: PaperReport = {
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${platform()} ${release()}`,
  },
  startedAt: new Date(started).toISOString(),
  wallS: (Date.now() - started) / 1000,
  mode: opts.quick ? 'quick' : 'full',
  repetitions: reps,
  durationS: opts.duration ?? setting.run.durationS,
  cells: grid,
  churn,
  goals: evaluateGoals(grid, churn),
};

write(report);
