/**
 * The measured sections of docs/scale.md, generated from the results files (never typed by
 * hand): the simulated room at growing sizes (`results/scale-sim/`), real sockets before/after
 * (`results/scale-before/`, `results/scale-after/`), flooding vs broadcast in the simulator
 * (`results/gossip-sim.json`) and on real libp2p (`results/gossip-real.json`). Each section sits between `<!-- scale:<name>:start -->` and
 * `<!-- scale:<name>:end -->` markers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GossipRealSaved,
  type GossipSimSaved,
  gossipRealMarkdown,
  gossipSimMarkdown,
} from './gossip-tables.js';
import type { Comparison } from './real/compare.js';
import { fits, type ScaleReport } from './scale-report.js';

/** The generated sections by marker name. */
export type ScaleSections = Readonly<
  Record<'growth' | 'sim' | 'real' | 'gossip-sim' | 'gossip-real', string>
>;

const f = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined ? '–' : x.toFixed(d);

/** One row of the real-sockets table from a saved `bench:real` comparison. */
function realRow(label: string, c: Comparison): string {
  const r = c.real;
  const rt = r.runtime;
  return (
    `| ${label} | ${r.runtime.peers} | ${c.scenario.topology.kind === 'paper-21' ? 'paper-21' : `random ${c.scenario.topology.degree}-regular`} | ` +
    `${c.cell.perMinute} | ${f(r.rollbackPct, 4)} | ${f(r.lowerBoundPct, 4)} | ${f(rt.eventLoopDelayMs.p50)} / ${f(rt.eventLoopDelayMs.p99)} | ` +
    `${f(rt.clockSpreadMs.p50, 1)} / ${f(rt.clockSpreadMs.p99, 1)} | ${f(rt.cpuPct, 1)} | ${f(rt.ticksPerSecond.min)} | ` +
    `${r.converged ? 'yes' : 'NO'} | ${f(rt.loadAverage1m, 1)} | ${c.machine.node} |`
  );
}

/** The real-sockets section from the `scale-before` and `scale-after` folders under `results`. */
export function realSection(results: string): string {
  const lines = [
    '| run | peers | topology | events/min | rollback % | lower bound % | event-loop delay p50 / p99 (ms) | clock spread p50 / p99 (ms) | CPU % of a core | slowest ticks/s | converged | load (1 min) | Node |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  let rows = 0;
  for (const phase of ['before', 'after']) {
    const dir = join(results, `scale-${phase}`);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Comparison;
      lines.push(realRow(`${phase}: \`${file.replace(/\.json$/, '')}\``, c));
      rows++;
    }
  }
  if (rows === 0) return 'No results yet (run the commands above).';
  return lines.join('\n');
}

/**
 * Notes on figures of past runs, by run label and row field, from `results/scale-sim-notes.json`
 * (`{ "<label>": { "<field>": "<note>" } }`): how a figure was measured when that differs from
 * today's benchmark. The figures stay as measured; the table marks them and prints the notes.
 */
export type ScaleNotes = Readonly<Record<string, Readonly<Record<string, string>>>>;

const MARKS = ['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

function readNotes(results: string): ScaleNotes {
  const file = join(results, 'scale-sim-notes.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ScaleNotes) : {};
}

/**
 * The simulated-room section from the `bench:scale` reports in `results/scale-sim/` (one per
 * label, e.g. before and after a change): a row per label and size, sizes in order; figures
 * with a note (see {@link ScaleNotes}) are marked, the notes follow the table.
 */
export function simSection(results: string): string {
  const dir = join(results, 'scale-sim');
  if (!existsSync(dir)) return 'No results yet (run the commands above).';
  const reports = readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()
    .map((x) => JSON.parse(readFileSync(join(dir, x), 'utf8')) as ScaleReport)
    // A merged series repeats the rows of the runs it merges.
    .filter((r) => r.mergedFrom === undefined);
  const rows = reports
    .flatMap((r) => r.rows.filter((row) => row.ran).map((row) => ({ r, row })))
    .sort((a, b) => a.row.peers - b.row.peers);
  if (rows.length === 0) return 'No results yet (run the commands above).';
  const n = (x: number, d: number): string =>
    x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    '| run | N | virtual s | CPU-s | peak RSS MB | live heap / peer MB | array buffers / peer MB | messages | events per `events` frame | B / event / link | codec batched B / event | ratio | converged | Node |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  const notes = readNotes(results);
  const marks = new Map<string, string>();
  const marked = (label: string, field: string, text: string): string => {
    const note = notes[label]?.[field];
    if (note === undefined || text === '–') return text;
    let mark = marks.get(note);
    if (mark === undefined) {
      mark = MARKS[marks.size] ?? `(${marks.size + 1})`;
      marks.set(note, mark);
    }
    return `${text}${mark}`;
  };
  for (const { r, row } of rows) {
    const ratio =
      row.bytesPerEventPerLink !== null && row.codecBatchedBytesPerEvent !== null
        ? n(row.bytesPerEventPerLink / row.codecBatchedBytesPerEvent, 2)
        : '–';
    lines.push(
      `| \`${r.label}\` | ${row.peers.toLocaleString('en-US')} | ${row.durationS} | ${n(row.cpuS, 1)} | ${n(row.peakRssMb, 0)} | ` +
        `${marked(r.label, 'heapPerPeerMb', f(row.heapPerPeerMb, 3))} | ` +
        `${marked(r.label, 'buffersPerPeerMb', f(row.buffersPerPeerMb, 3))} | ${row.messages.toLocaleString('en-US')} | ` +
        `${row.eventFrames > 0 ? n(row.eventsSent / row.eventFrames, 3) : '–'} | ${f(row.bytesPerEventPerLink)} | ` +
        `${f(row.codecBatchedBytesPerEvent)} | ${ratio} | ${row.converged === true ? 'yes' : 'NO'} | ${r.machine.node} |`,
    );
  }
  if (marks.size > 0) {
    lines.push('');
    for (const [note, mark] of marks) {
      const runs = Object.entries(notes)
        .filter(([, byField]) => Object.values(byField).includes(note))
        .map(([label]) => `\`${label}\``);
      lines.push(`${mark} ${runs.join(', ')}: ${note}  `);
    }
  }
  return lines.join('\n');
}

/**
 * The growth section: of the reports in `results/scale-sim/`, the one with the most sizes run
 * to the end (the newest among equals), its sizes, its fitted exponents and its plot.
 */
export function growthSection(results: string): string {
  const dir = join(results, 'scale-sim');
  if (!existsSync(dir)) return 'No results yet (run the commands above).';
  const reports = readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .map((file) => ({ file, r: JSON.parse(readFileSync(join(dir, file), 'utf8')) as ScaleReport }))
    .map((x) => ({ ...x, ran: x.r.rows.filter((row) => row.ran) }))
    .filter((x) => x.ran.length >= 3)
    .sort((a, b) => b.ran.length - a.ran.length || b.r.startedAt.localeCompare(a.r.startedAt));
  const best = reports[0];
  if (best === undefined) return 'No run of three sizes or more yet.';
  const done = best.ran;
  const exp = (fit: { exponent: number } | null): string =>
    fit === null ? '–' : `N^${fit.exponent.toFixed(2)}`;
  const { cpuFit: cpu, rssFit: rss, heapFit: heap, liveFit: live } = fits(done);
  const sizes = done.map((row) => row.peers.toLocaleString('en-US')).join(', ');
  const svg = best.file.replace(/\.json$/, '.svg');
  return [
    `\`${best.r.label}\`${best.r.mergedFrom === undefined ? '' : ` (merged from ${best.r.mergedFrom.map((l) => `\`${l}\``).join(' and ')})`} ` +
      `(N = ${sizes}; ${best.r.durationS} virtual s, seed ${best.r.seed}): ` +
      `CPU-s ∝ ${exp(cpu)}, peak RSS ∝ ${exp(rss)}, live heap of the room ∝ ${exp(heap)}` +
      `${live === null || live === undefined ? '' : `, live heap and array buffers of the room ∝ ${exp(live)}`} ` +
      '(least squares on log-log over the sizes that ran to the end).',
    '',
    `![CPU seconds and peak RSS against N, log-log, with the fitted lines](../apps/bench/results/scale-sim/${svg})`,
  ].join('\n');
}

/** The body of a generated page: everything after its `# ` title and the reproduce line. */
function body(md: string): string {
  return md
    .split('\n')
    .filter((l) => !l.startsWith('# ') && !l.startsWith('Reproduce:'))
    .join('\n')
    .trim();
}

/** Every generated section, from the results folder. */
export function scaleSections(results: string): ScaleSections {
  const read = <T>(name: string): T | undefined =>
    existsSync(join(results, name))
      ? (JSON.parse(readFileSync(join(results, name), 'utf8')) as T)
      : undefined;
  const simDir = join(results, 'gossip-sim');
  const rooms = existsSync(simDir)
    ? readdirSync(simDir)
        .filter((x) => x.endsWith('.json'))
        .map(
          (x) =>
            JSON.parse(readFileSync(join(simDir, x), 'utf8')) as GossipSimSaved['rooms'][number] &
              Pick<GossipSimSaved, 'machine' | 'date'>,
        )
        .sort((a, b) => a.spec.peers - b.spec.peers || a.spec.degree - b.spec.degree)
    : [];
  const sim: GossipSimSaved | undefined =
    rooms[0] === undefined
      ? undefined
      : {
          machine: rooms[0].machine,
          date: rooms
            .map((r) => r.date)
            .sort()
            .at(-1)!,
          rooms,
        };
  const real = read<GossipRealSaved>('gossip-real.json');
  return {
    growth: growthSection(results),
    sim: simSection(results),
    real: realSection(results),
    'gossip-sim': sim === undefined ? 'No results yet.' : body(gossipSimMarkdown(sim)),
    'gossip-real': real === undefined ? 'No results yet.' : body(gossipRealMarkdown(real)),
  };
}

/** `doc` with each marked section replaced by its generated text. */
export function withScaleSections(doc: string, sections: ScaleSections): string {
  let out = doc;
  for (const [name, text] of Object.entries(sections)) {
    const start = `<!-- scale:${name}:start (generated by \`npm run scale-doc\` from apps/bench/results; do not edit) -->`;
    const end = `<!-- scale:${name}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/scale.md lacks the markers of section "${name}"`);
    out = `${out.slice(0, a + start.length)}\n\n${text}\n\n${out.slice(b)}`;
  }
  return out;
}
