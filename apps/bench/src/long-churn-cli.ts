#!/usr/bin/env node
import { writeHeapSnapshot } from 'node:v8';
import { type SizeTable, sizeLines } from '@symmetric/peer';
import { Command } from 'commander';
import { type HeapFit, isFlat } from './heap-fit.js';
import { type LongChurnResult, runLongChurn } from './long-churn.js';

const int = (v: string): number => Number.parseInt(v, 10);
const program = new Command()
  .name('bench-long-churn')
  .description(
    "Runs the paper's churn variant for many virtual minutes with the default options and prints " +
      'convergence, base tick, heap after GC and what joiners simulate (run with node --expose-gc).',
  )
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3,4,5')
  .option('--minutes <n>', 'virtual minutes per run', int, 30)
  .option('--per-minute <n>', 'network-wide events per minute', int, 25)
  .option('--latency <ms>', 'mean link latency (ms)', int, 50)
  .option('--horizon <ticks>', "history horizon in ticks (default: the runtime's)", int)
  .option(
    '--sizes <seconds>',
    'every <seconds> virtual s, print the sizes of the maps inside online peers',
    int,
  )
  .option(
    '--heap-snapshots <seconds>',
    'comma-separated virtual seconds at which to write a V8 heap snapshot (long-churn-<seed>-<s>.heapsnapshot)',
  )
  .option(
    '--peers-retained',
    'also measure the bytes the peers retain (heap snapshot dominator tree, without the simulator records): slow',
  )
  .option(
    '--warmup <minutes>',
    "virtual minutes of an unmeasured run (seed 1000) first, so V8 has compiled the run's code before the first measured seed (0: none)",
    int,
    10,
  )
  .parse();
const opts = program.opts<{
  seeds: string;
  minutes: number;
  perMinute: number;
  latency: number;
  horizon?: number;
  sizes?: number;
  heapSnapshots?: string;
  peersRetained?: boolean;
  warmup: number;
}>();

const gcFn = (globalThis as { gc?: () => void }).gc;
if (gcFn === undefined) process.stderr.write('note: run with node --expose-gc for heap figures\n');
const mb = (b: number | undefined): string => (b === undefined ? 'n/a' : `${(b / 1048576).toFixed(1)} MB`);
const kb = (b: number | undefined, n: number): string =>
  b === undefined || n === 0 ? 'n/a' : `${(b / n / 1024).toFixed(0)} KB`;

function joinsLine(r: LongChurnResult, third: number): string {
  const j = r.joins[third];
  if (j === undefined || j.count === 0) return 'none';
  return `${j.count} joins, ticks simulated until live: mean ${(j.ticksSum / j.count).toFixed(0)}, max ${j.ticksMax}`;
}

/**
 * The fit's lines: the slope with its standard error and the residual noise, then a verdict
 * ({@link isFlat}: the slope within two standard errors of 0 and its drift over the span within
 * twice the minute-to-minute noise).
 */
function fitLines(measure: string, f: HeapFit): string {
  const k = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
  const spanMin = f.samples - 1;
  const t =
    f.perMinuteStdErrBytes > 0
      ? Math.abs(f.perMinuteBytes) / f.perMinuteStdErrBytes
      : Number.POSITIVE_INFINITY;
  const drift = Math.abs(f.perMinuteBytes) * spanMin;
  const verdict = isFlat(f)
    ? 'flat within noise (slope within 2 standard errors of 0, and its drift over the span within 2 residual SDs)'
    : `${f.perMinuteBytes > 0 ? 'RISING' : 'falling'}: ${t.toFixed(1)} standard errors from 0, drift over ` +
      `${spanMin} min ${k(drift)} against a residual SD of ${k(f.residualBytes)}`;
  return (
    `  ${measure}, fitted over ${f.samples} one-minute samples from minute ${f.fromMinute}: ` +
    `${k(f.perMinuteBytes)} ± ${k(f.perMinuteStdErrBytes)} (1 SE) per virtual minute at a fixed number of ` +
    `online peers and links (${(f.perOnlinePeerBytes / 1024).toFixed(0)} KB per online peer, ` +
    `${(f.perLinkBytes / 1024).toFixed(1)} KB per link end), residual SD ${k(f.residualBytes)}\n` +
    `  verdict: ${verdict}\n`
  );
}

process.stdout.write(
  `# long churn: paper churn variant, ${opts.minutes} virtual min, ${opts.perMinute} events/min, ` +
    `L=${opts.latency} ms, horizon ${opts.horizon ?? 'default'}\n\n`,
);
let failed = false;
let lastSizes: SizeTable | undefined;
if (opts.warmup > 0) {
  // Compiled code grows while V8 optimizes the run's paths for the first time: without this, the
  // first seed's heap carries that growth and the later seeds' does not.
  const wall = performance.now();
  const w = await runLongChurn({
    seed: 1000,
    minutes: opts.warmup,
    perMinute: opts.perMinute,
    latencyMs: opts.latency,
    horizonTicks: opts.horizon,
  });
  process.stdout.write(
    `warm-up (seed 1000, ${opts.warmup} virtual min, not measured): ` +
      `${w.metrics.converged ? 'converged' : 'not converged'}, wall ${((performance.now() - wall) / 1000).toFixed(1)} s\n\n`,
  );
}
for (const seed of opts.seeds.split(',').map(int)) {
  const wall = performance.now();
  const r = await runLongChurn({
    seed,
    minutes: opts.minutes,
    perMinute: opts.perMinute,
    latencyMs: opts.latency,
    horizonTicks: opts.horizon,
    gc: gcFn,
    sizesEveryS: opts.sizes,
    heapSnapshotsAtS: opts.heapSnapshots?.split(',').map(int),
    peersRetained: opts.peersRetained === true,
    onHeapSnapshotAt: (atS) => {
      gcFn?.();
      const file = writeHeapSnapshot(`long-churn-${seed}-${atS}.heapsnapshot`);
      process.stdout.write(`  heap snapshot at t=${atS} s: ${file}\n`);
    },
    onSizes: (atS, sizes, heap) => {
      process.stdout.write(`  sizes at t=${atS} s, heap after GC ${mb(heap)}:\n`);
      for (const line of sizeLines(sizes, lastSizes)) process.stdout.write(`  ${line}\n`);
      lastSizes = sizes;
    },
  });
  const m = r.metrics;
  const ok = m.converged && m.desyncs === 0;
  if (!ok) failed = true;
  process.stdout.write(
    `## seed ${seed}: ${ok ? 'converged' : 'NOT CONVERGED'} (distinct final hashes ${m.distinctFinalHashes}, ` +
      `desyncs ${m.desyncs}, tooOld ${m.tooOld}, events ${m.eventsApplied}/${m.eventsAppliedMax} of ` +
      `${m.eventsGenerated}, final tick ${m.finalTick}, wall ${((performance.now() - wall) / 1000).toFixed(1)} s)\n`,
  );
  for (const c of r.checkpoints) {
    process.stdout.write(
      `  t=${String(c.atS).padStart(5)} s  online ${String(c.online).padStart(2)}  tick ${c.tick}  ` +
        `base tick ${c.baseTickMin}..${c.baseTickMax}  events held/peer ${c.eventsHeldMean.toFixed(1)}  ` +
        `snapshots/peer ${c.snapshotsHeldMean.toFixed(0)}  heap after GC ${mb(c.heapBytes)} ` +
        `(${kb(c.heapBytes, c.online)}/online peer)` +
        (c.peersBytes === undefined
          ? ''
          : `, peers retain ${mb(c.peersBytes)} (${c.peerRuntimes} runtimes, ${kb(c.peersBytes, c.online)}/online peer)`) +
        '\n',
    );
  }
  const [first, middle, last] = r.checkpoints;
  if (first?.heapBytes !== undefined && middle !== undefined && last !== undefined)
    process.stdout.write(
      `  heap after GC start / middle / end: ${mb(first.heapBytes)} / ${mb(middle.heapBytes)} / ` +
        `${mb(last.heapBytes)} (t = ${first.atS} / ${middle.atS} / ${last.atS} s; ` +
        `${first.online} / ${middle.online} / ${last.online} online); without compiled code ` +
        `${mb(first.dataBytes)} / ${mb(middle.dataBytes)} / ${mb(last.dataBytes)}\n`,
    );
  if (first?.peersBytes !== undefined && middle?.peersBytes !== undefined && last?.peersBytes !== undefined)
    process.stdout.write(
      `  retained by the peers start / middle / end: ${mb(first.peersBytes)} / ${mb(middle.peersBytes)} / ` +
        `${mb(last.peersBytes)}\n`,
    );
  if (r.heapFit !== undefined) process.stdout.write(fitLines('heap after GC', r.heapFit));
  if (r.dataFit !== undefined)
    process.stdout.write(fitLines("heap after GC without V8's compiled code", r.dataFit));
  if (r.peersFit !== undefined) process.stdout.write(fitLines('retained by the peers only', r.peersFit));
  process.stdout.write(`  joiners, first third:  ${joinsLine(r, 0)}\n`);
  process.stdout.write(`  joiners, middle third: ${joinsLine(r, 1)}\n`);
  process.stdout.write(`  joiners, last third:   ${joinsLine(r, 2)}\n\n`);
}
process.exitCode = failed ? 1 : 0;
