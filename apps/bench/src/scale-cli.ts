#!/usr/bin/env node
/**
 * The scale benchmark: the same scenario (random 4-regular graph, 50 ms links, one event per peer
 * per minute) at growing room sizes, each size in a child process of its own, and a table, a
 * plot and a JSON of CPU, memory, traffic, rollback against its bound and convergence against N.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { fitPowerLaw, type ScaleRow, type ScaleRunSpec, scaleDeltaMs } from './scale.js';
import {
  fits,
  mergeReports,
  ScaleMergeError,
  type ScaleReport,
  scaleMarkdown,
  scaleSvg,
} from './scale-report.js';

const program = new Command()
  .name('scale')
  .description('CPU, memory, traffic, rollback and convergence of one scenario at growing room sizes.')
  .option('--sizes <list>', 'room sizes, comma-separated', '200,1000,2000,5000')
  .option('--duration <s>', 'virtual seconds per run', (v) => Number.parseFloat(v), 120)
  .option('--seed <n>', 'scenario and topology seed', (v) => Number.parseInt(v, 10), 1)
  .option(
    '--max-cpu <s>',
    'CPU seconds a size may use: a size the fit over the smaller ones puts above it is not started, one that reaches it is stopped',
    (v) => Number.parseFloat(v),
    900,
  )
  .option('--authenticated', 'sign every event (default: a trusted room, as the paper evaluates)', false)
  .option('--label <text>', 'name of this run in the report and the output files', 'scale')
  .option('--out <dir>', 'where results go', new URL('../results/', import.meta.url).pathname)
  .option('--cpu-prof <dir>', 'write a V8 CPU profile of each size into this directory')
  .option('--max-old-space <mb>', 'heap limit of each size, MB', (v) => Number.parseInt(v, 10), 8192)
  .option(
    '--merge <files>',
    'run nothing: merge saved reports (comma-separated .json) of one scenario into one, named --label, with fits over all their sizes',
  )
  .parse();
const opts = program.opts<{
  sizes: string;
  duration: number;
  seed: number;
  maxCpu: number;
  authenticated: boolean;
  label: string;
  out: string;
  cpuProf?: string;
  maxOldSpace: number;
  merge?: string;
}>();

const sizes = opts.sizes
  .split(',')
  .map((s) => Number.parseInt(s.trim(), 10))
  .filter((n) => Number.isFinite(n) && n > 0);
const childPath = new URL('./scale-child.js', import.meta.url).pathname;

/** Run one size in a child process; its progress goes to our stderr. */
function runSize(spec: ScaleRunSpec): Promise<ScaleRow> {
  const args = ['--expose-gc', `--max-old-space-size=${opts.maxOldSpace}`];
  if (opts.cpuProf !== undefined)
    args.push(
      '--cpu-prof',
      `--cpu-prof-dir=${opts.cpuProf}`,
      `--cpu-prof-name=scale-${spec.peers}.cpuprofile`,
    );
  const child = spawn(process.execPath, [...args, childPath, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ScaleRow);
      else
        resolve(
          notRun(
            spec.peers,
            `child exited with ${signal ?? code} (out of memory or crashed; see stderr above)`,
          ),
        );
    });
  });
}

function notRun(peers: number, reason: string): ScaleRow {
  return {
    peers,
    durationS: opts.duration,
    ran: false,
    reason,
    fractionDone: 0,
    cpuS: 0,
    wallS: 0,
    peakRssMb: 0,
    heapPerPeerMb: null,
    buffersPerPeerMb: null,
    messages: 0,
    bytes: 0,
    eventsGenerated: 0,
    eventsSent: 0,
    eventFrameBytes: 0,
    eventFrames: 0,
    bytesPerEventPerLink: null,
    codecBatchedBytesPerEvent: null,
    rollbackPct: null,
    lowerBoundPct: null,
    rollbackToLowerBound: null,
    converged: null,
    deltaMs: scaleDeltaMs(peers),
  };
}

/** Writes a report's JSON, markdown and plot under --out, named by its label. */
function save(report: ScaleReport, final: boolean): void {
  mkdirSync(opts.out, { recursive: true });
  const base = join(opts.out, report.label);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, scaleMarkdown(report));
  writeFileSync(`${base}.svg`, scaleSvg(report));
  if (final) {
    process.stdout.write(scaleMarkdown(report));
    process.stderr.write(`wrote ${base}.{json,md,svg}\n`);
  }
}

/** Write the report of the sizes done so far (after each size, so an interrupted run keeps them). */
function write(final: boolean): void {
  save(
    {
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      startedAt,
      label: opts.label,
      durationS: opts.duration,
      seed: opts.seed,
      trusted: !opts.authenticated,
      rows,
      ...fits(rows),
    },
    final,
  );
}

if (opts.merge !== undefined) {
  const files = opts.merge
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ScaleReport);
  try {
    save(mergeReports(reports, opts.label), true);
  } catch (error) {
    if (!(error instanceof ScaleMergeError)) throw error;
    process.stderr.write(`scale: ${error.message}\n`);
    process.exit(2);
  }
  process.exit(0);
}

const startedAt = new Date().toISOString();
const rows: ScaleRow[] = [];
process.stderr.write(
  `scale: sizes ${sizes.join(', ')}, ${opts.duration} virtual s, seed ${opts.seed}, --max-cpu ${opts.maxCpu} CPU-s per size\n`,
);
if (opts.cpuProf !== undefined) mkdirSync(opts.cpuProf, { recursive: true });
for (const peers of sizes) {
  const fit = fitPowerLaw(rows.filter((r) => r.ran).map((r) => [r.peers, r.cpuS]));
  const projected = fit === null ? undefined : fit.coefficient * peers ** fit.exponent;
  if (projected !== undefined && projected > opts.maxCpu) {
    const reason = `skipped: the fit over the smaller sizes projects ${projected.toFixed(0)} CPU-s, above --max-cpu ${opts.maxCpu}`;
    process.stderr.write(`N=${peers}: ${reason}\n`);
    rows.push(notRun(peers, reason));
    continue;
  }
  process.stderr.write(
    `N=${peers}: running${projected === undefined ? '' : ` (projected ${projected.toFixed(0)} CPU-s)`}\n`,
  );
  const row = await runSize({
    peers,
    durationS: opts.duration,
    seed: opts.seed,
    trusted: !opts.authenticated,
    maxCpuS: opts.maxCpu,
  });
  process.stderr.write(
    `N=${peers}: ${row.ran ? 'done' : (row.reason ?? 'not run')}, ${row.cpuS.toFixed(1)} CPU-s${row.endCpuS == null ? '' : ` (${row.endCpuS.toFixed(1)} of them after the last virtual second)`}, peak RSS ${row.peakRssMb.toFixed(0)} MB\n`,
  );
  rows.push(row);
  write(false);
}
write(true);
