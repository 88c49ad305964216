#!/usr/bin/env node
/**
 * `npm run bench:real`: one paper cell (50 ms, 25 events/min, 2×) through the simulator and then
 * in real time with 21 peers on WebSockets over 127.0.0.1; prints the side-by-side table and
 * writes `results/real-vs-sim.md` and `.json` (with `--churn`: the paper's churn variant,
 * `results/real-vs-sim-churn.md` and `.json`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { positive } from '../cli-args.js';
import { type Comparison, compareRealVsSim, comparisonMarkdown, explain } from './compare.js';

function cellOption(v: string): { latencyMs: number; perMinute: number; multiplier: number } {
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(v);
  if (m === null) throw new InvalidArgumentError('expected L/perMinute/multiplier, e.g. 100/50/1');
  return { latencyMs: Number(m[1]), perMinute: Number(m[2]), multiplier: Number(m[3]) };
}

function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError('expected a positive integer');
  return x;
}

function nonNegativeInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return x;
}

const program = new Command()
  .name('bench-real')
  .description(
    'Runs one paper cell (default 50 ms, 25 events/min, Δ 500 ms, 21 peers) in virtual time and in real time on WebSockets, side by side.',
  )
  .option('--duration <s>', 'seconds of each run (real: wall seconds)', positive, 120)
  .option('--warmup <s>', "warm-up excluded from the metrics (default: the paper's 30 s)", positive)
  .option('--repetition <n>', 'seeding of the grid (seed = n + 1)', nonNegativeInt, 0)
  .option('--cell <L/perMinute/multiplier>', 'the cell to run (default 50/25/2)', cellOption)
  .option(
    '--peers <n>',
    'a room of n peers on a random regular graph instead of the paper topology',
    positiveInt,
  )
  .option('--degree <d>', 'degree of that graph (with --peers)', positiveInt, 4)
  .option('--churn', "the paper's churn variant of the cell (peers restarting from nothing)", false)
  .option('--out <dir>', 'output folder', new URL('../../results/', import.meta.url).pathname)
  .option('--no-write', 'print only, write no result files')
  .option('--render <json>', 're-render the page from a saved real-vs-sim.json (no runs)')
  .parse();

const opts = program.opts<{
  duration: number;
  warmup?: number;
  repetition: number;
  churn: boolean;
  peers?: number;
  degree: number;
  cell?: { latencyMs: number; perMinute: number; multiplier: number };
  out: string;
  write: boolean;
  render?: string;
}>();
const tty = process.stderr.isTTY;
const line = (text: string, final = false): void => {
  if (tty) process.stderr.write(`\r${text.padEnd(110)}${final ? '\n' : ''}`);
  else process.stderr.write(`${text}\n`);
};

/** Runs both (or loads a saved comparison with `--render`). */
async function comparison(): Promise<Comparison> {
  if (opts.render !== undefined) {
    const saved = JSON.parse(readFileSync(opts.render, 'utf8')) as Comparison;
    return { ...saved, explanation: explain(saved) };
  }
  process.stderr.write(
    `bench:real: ${opts.duration} s simulated, then ${opts.duration} s in real time (${opts.peers ?? 21} peers on ws://127.0.0.1)\n`,
  );
  let lastSim = -1;
  return compareRealVsSim({
    durationS: opts.duration,
    repetition: opts.repetition,
    churn: opts.churn,
    ...(opts.peers !== undefined ? { room: { peers: opts.peers, degree: opts.degree } } : {}),
    ...(opts.cell !== undefined ? { cell: opts.cell } : {}),
    ...(opts.warmup !== undefined ? { warmupS: opts.warmup } : {}),
    onSimProgress: (f) => {
      const pct = Math.floor(f * 100);
      if (pct === lastSim || (!tty && pct % 10 !== 0)) return;
      lastSim = pct;
      line(`[sim] ${pct}%`, pct === 100);
    },
    onRealProgress: (p) =>
      line(
        `[real] ${p.elapsedS.toFixed(0)}/${p.durationS} s · ${p.live}/${p.started} live · ${p.events} events · ` +
          `ticks ${p.minTick}..${p.maxTick} · ${p.messages} frames`,
        p.elapsedS >= p.durationS,
      ),
  });
}

try {
  const c = await comparison();
  const md = comparisonMarkdown(c);
  process.stdout.write(`${md}\n`);
  if (opts.write) {
    mkdirSync(opts.out, { recursive: true });
    const cellTag =
      opts.cell === undefined
        ? ''
        : `-${opts.cell.latencyMs}ms-${opts.cell.perMinute}pm-${opts.cell.multiplier}x`;
    const roomTag = opts.peers === undefined ? '' : `-${opts.peers}p-d${opts.degree}`;
    const base = `real-vs-sim${c.scenario.churn === undefined ? '' : '-churn'}${cellTag}${roomTag}`;
    writeFileSync(join(opts.out, `${base}.md`), md);
    writeFileSync(join(opts.out, `${base}.json`), `${JSON.stringify(c, null, 2)}\n`);
    process.stderr.write(`wrote ${join(opts.out, `${base}.md`)} and .json\n`);
  }
  if (!c.real.converged || !c.sim.converged) {
    process.stderr.write('bench:real: a run did NOT converge\n');
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`bench:real: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
