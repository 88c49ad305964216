#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRandom, rectangleApp } from '@symmetric/core';
import { runScenario } from '@symmetric/sim';
import { Command } from 'commander';
import { cellScenario, paperReference, paperSetting } from './grid.js';

const program = new Command()
  .name('bench')
  .description("Symmetric's performance benchmarks: core, codec, runtime cost per frame, memory per peer.")
  .option(
    '--runs <n>',
    'repetitions of the runtime benchmark (median reported)',
    (v) => Number.parseInt(v, 10),
    5,
  )
  .option('--skip-packages', 'skip the core and codec package benchmarks', false)
  .parse();
const opts = program.opts<{ runs: number; skipPackages: boolean }>();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const repoRoot = new URL('../../../', import.meta.url).pathname;
process.stdout.write(
  `# Symmetric benchmarks\n\nMachine: ${cpus()[0]?.model} (${cpus().length} cores), Node ${process.version}\n\n`,
);

if (!opts.skipPackages) {
  for (const pkg of ['core', 'codec']) {
    const manifest = JSON.parse(readFileSync(`${repoRoot}packages/${pkg}/package.json`, 'utf8')) as {
      scripts?: Record<string, string>;
    };
    if (manifest.scripts?.bench === undefined) {
      process.stdout.write(`## @symmetric/${pkg}: no bench script\n\n`);
      continue;
    }
    process.stdout.write(`## @symmetric/${pkg}\n\n`);
    const res = spawnSync('npm', ['run', '--silent', 'bench', '-w', `@symmetric/${pkg}`], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (res.status !== 0) process.stdout.write(`(bench of @symmetric/${pkg} exited with ${res.status})\n`);
    process.stdout.write('\n');
  }
}

// Runtime cost per frame per peer on the paper cell (50 ms, 25 events/min, 2x, 300 s).
const setting = paperSetting();
const ref = paperReference();
const scenario = cellScenario(setting, { latencyMs: 50, perMinute: 25, multiplier: 2 }, 0);
const peerFrames = setting.peers * scenario.durationS * scenario.fps;
const walls: number[] = [];
let ticksRun = 0;
for (let i = 0; i < opts.runs; i++) {
  const m = await runScenario(scenario);
  walls.push(m.wallMs ?? 0);
  ticksRun = setting.peers * scenario.durationS * scenario.fps * (1 + m.resimPct / 100);
}
// The app's own share: the same number of rectangle ticks, run alone.
const state = rectangleApp.init(1);
const ctx = { tick: 0, random: createRandom(1) };
const t0 = performance.now();
for (let i = 0; i < ticksRun; i++) rectangleApp.tick(state, ctx);
const appMs = performance.now() - t0;
const wall = median(walls);
const perFrameUs = (wall * 1000) / peerFrames;
const perFrameNoAppUs = ((wall - appMs) * 1000) / peerFrames;
process.stdout.write(
  '## Runtime cost per frame per peer (paper cell 50 ms / 25 per min / 2x, 21 peers, 300 virtual s)\n\n',
);
process.stdout.write('| figure | value |\n|---|---|\n');
process.stdout.write(`| runs | ${opts.runs} (wall ms: ${walls.map((w) => w.toFixed(0)).join(', ')}) |\n`);
process.stdout.write(`| median wall per run | ${wall.toFixed(0)} ms for ${peerFrames} peer-frames |\n`);
process.stdout.write(
  `| cost per frame per peer, all included (runtime + codec + simulated network + app) | ${perFrameUs.toFixed(2)} µs |\n`,
);
process.stdout.write(
  `| same, app callbacks excluded | ${perFrameNoAppUs.toFixed(2)} µs (paper, C: ${ref.middlewareOverheadUs.value} µs) |\n\n`,
);

// Memory per peer after 300 s, with and without history compaction.
const gc = (globalThis as { gc?: () => void }).gc;
async function heapPerPeer(history: 'full' | { horizonTicks: number }): Promise<number | undefined> {
  if (gc === undefined) return undefined;
  gc();
  const before = process.memoryUsage().heapUsed;
  let at: number | undefined;
  await runScenario(
    { ...scenario, history, events: { perMinute: 200, app: 'rectangle' } },
    {
      onProgress: (f) => {
        if (f >= 0.99 && at === undefined) {
          gc();
          at = process.memoryUsage().heapUsed;
        }
      },
    },
  );
  return at === undefined ? undefined : (at - before) / setting.peers;
}
const full = await heapPerPeer('full');
const compacted = await heapPerPeer({ horizonTicks: 500 });
process.stdout.write(
  '## Memory per peer after 300 virtual s (21 peers, 200 events/min, heap growth ÷ peers)\n\n',
);
if (full === undefined || compacted === undefined)
  process.stdout.write('(run with node --expose-gc to measure memory)\n');
else {
  process.stdout.write('| history | heap per peer |\n|---|---|\n');
  process.stdout.write(`| full (the paper's mode) | ${(full / 1024).toFixed(0)} KiB |\n`);
  process.stdout.write(`| compacted (horizon 500 ticks) | ${(compacted / 1024).toFixed(0)} KiB |\n`);
  process.stdout.write(`| ratio full ÷ compacted | ${(full / Math.max(1, compacted)).toFixed(2)} |\n`);
}
