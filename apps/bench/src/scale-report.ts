/**
 * The scale benchmark's output: the markdown table of every size, the fitted exponents, and an
 * SVG plot of CPU seconds and peak RSS against N on log-log axes.
 */
import { fitPowerLaw, type PowerFit, type ScaleRow } from './scale.js';

/** A whole scale run: its setting, every size's row and the fits. */
export interface ScaleReport {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly startedAt: string;
  readonly label: string;
  readonly durationS: number;
  readonly seed: number;
  readonly trusted: boolean;
  readonly rows: readonly ScaleRow[];
  readonly cpuFit: PowerFit | null;
  readonly rssFit: PowerFit | null;
  readonly heapFit: PowerFit | null;
  /**
   * Live heap plus array buffers of the room against N: `null` unless every size that ran
   * measured its array buffers (absent in reports made before they were measured).
   */
  readonly liveFit?: PowerFit | null;
  /** The labels of the reports this one merges (see {@link mergeReports}); absent for a run. */
  readonly mergedFrom?: readonly string[];
}

/** Fits over the sizes that ran to the end. */
export function fits(
  rows: readonly ScaleRow[],
): Pick<ScaleReport, 'cpuFit' | 'rssFit' | 'heapFit' | 'liveFit'> {
  const done = rows.filter((r) => r.ran);
  const live = done.map((r) => livePerPeerMb(r));
  return {
    cpuFit: fitPowerLaw(done.map((r) => [r.peers, r.cpuS])),
    rssFit: fitPowerLaw(done.map((r) => [r.peers, r.peakRssMb])),
    heapFit: fitPowerLaw(done.map((r) => [r.peers, (r.heapPerPeerMb ?? 0) * r.peers])),
    liveFit: live.every((x) => x !== null)
      ? fitPowerLaw(done.map((r, i) => [r.peers, live[i]! * r.peers]))
      : null,
  };
}

/**
 * What a peer holds, MB: its live heap plus its array buffers; `null` when the row lacks either
 * (a run stopped early, or a report made before array buffers were measured).
 */
export function livePerPeerMb(row: ScaleRow): number | null {
  const heap = row.heapPerPeerMb;
  const buffers = row.buffersPerPeerMb ?? null;
  return heap === null || buffers === null ? null : heap + buffers;
}

const num = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined
    ? '–'
    : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const fitText = (f: PowerFit | null): string =>
  f === null ? 'not enough sizes' : `N^${f.exponent.toFixed(2)} (${f.points} sizes)`;

/** The markdown report. */
export function scaleMarkdown(r: ScaleReport): string {
  const lines = [
    `# Scale: ${r.label}`,
    '',
    `${r.machine.cpu} (${r.machine.cores} cores, shared), Node ${r.machine.node}, ${r.startedAt}. ` +
      `Random 4-regular graph, 50 ms links, 1 event per peer per minute, ${r.durationS} virtual s, seed ${r.seed}, ` +
      `${r.trusted ? 'trusted room (unsigned events)' : 'authenticated room (signed events)'}. Each size in its own process.`,
    '',
    '| N | Δ ms | CPU-s | wall s | peak RSS MB | live heap / peer MB | array buffers / peer MB | messages | B / event / link | codec batched B / event | rollback % | bound % | ÷ bound | converged |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of r.rows) {
    if (!row.ran) {
      lines.push(
        `| ${row.peers} | ${row.deltaMs} | ${num(row.cpuS, 0)} | ${num(row.wallS, 0)} | ${num(row.peakRssMb, 0)} | – | – | – | – | – | – | – | – | not run: ${row.reason ?? ''} |`,
      );
      continue;
    }
    lines.push(
      `| ${row.peers} | ${row.deltaMs} | ${num(row.cpuS)} | ${num(row.wallS, 0)} | ${num(row.peakRssMb, 0)} | ${num(row.heapPerPeerMb, 3)} | ${num(row.buffersPerPeerMb, 3)} | ${row.messages.toLocaleString('en-US')} | ${num(row.bytesPerEventPerLink, 2)} | ${num(row.codecBatchedBytesPerEvent, 2)} | ${num(row.rollbackPct, 3)} | ${num(row.lowerBoundPct, 3)} | ${num(row.rollbackToLowerBound, 2)} | ${row.converged === true ? 'yes' : '**no**'} |`,
    );
  }
  lines.push(
    '',
    `Fitted (least squares on log-log, sizes that ran): CPU-s ∝ ${fitText(r.cpuFit)}; peak RSS ∝ ${fitText(r.rssFit)}; live heap ∝ ${fitText(r.heapFit)}; live heap + array buffers ∝ ${fitText(r.liveFit ?? null)}.`,
    '',
    "CPU-s: user + system of the size's process (less noisy than wall time on a shared machine). " +
      'B / event / link: bytes of `events` frames ÷ event copies sent over links (a copy per link it crossed). ' +
      "Codec batched: the run's events encoded in log order in frames of 64, ids and length prefix included. " +
      'Live heap and array buffers: after full GCs near the end of the run (repeated until the array buffers stop shrinking), minus before it, ÷ N (typed arrays live outside the JS heap).',
    '',
  );
  return lines.join('\n');
}

/** The plot: CPU-s and peak RSS (MB) against N, log-log, with the fitted lines. */
export function scaleSvg(r: ScaleReport): string {
  const width = 640;
  const height = 400;
  const left = 70;
  const right = 70;
  const top = 40;
  const bottom = 50;
  const done = r.rows.filter((row) => row.ran);
  const xs = r.rows.map((row) => row.peers);
  const xMin = Math.log10(Math.min(...xs, 100));
  const xMax = Math.log10(Math.max(...xs, 1000));
  const cpu = done.map((row) => row.cpuS);
  const rss = done.map((row) => row.peakRssMb);
  const range = (vals: number[]): [number, number] => {
    const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...vals, 1))));
    const hi = Math.ceil(Math.log10(Math.max(...vals, 10)));
    return [lo, hi === lo ? lo + 1 : hi];
  };
  const [cLo, cHi] = range(cpu);
  const [mLo, mHi] = range(rss);
  const px = (n: number): number => left + ((Math.log10(n) - xMin) / (xMax - xMin)) * (width - left - right);
  const py = (v: number, lo: number, hi: number): number =>
    height - bottom - ((Math.log10(v) - lo) / (hi - lo)) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(r.label)}: CPU and memory against N (log-log)</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#1f77b4"/>`,
    `<line x1="${width - right}" y1="${top}" x2="${width - right}" y2="${height - bottom}" stroke="#d62728"/>`,
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle">peers N</text>`,
    `<text x="16" y="${height / 2}" transform="rotate(-90 16 ${height / 2})" text-anchor="middle" fill="#1f77b4">CPU seconds</text>`,
    `<text x="${width - 14}" y="${height / 2}" transform="rotate(90 ${width - 14} ${height / 2})" text-anchor="middle" fill="#d62728">peak RSS, MB</text>`,
  ];
  for (const n of xs) {
    parts.push(
      `<line x1="${px(n)}" y1="${height - bottom}" x2="${px(n)}" y2="${height - bottom + 4}" stroke="#333"/>`,
      `<text x="${px(n)}" y="${height - bottom + 16}" text-anchor="middle">${n}</text>`,
    );
  }
  for (let e = cLo; e <= cHi; e++)
    parts.push(
      `<text x="${left - 6}" y="${py(10 ** e, cLo, cHi) + 4}" text-anchor="end" fill="#1f77b4">${10 ** e}</text>`,
    );
  for (let e = mLo; e <= mHi; e++)
    parts.push(
      `<text x="${width - right + 6}" y="${py(10 ** e, mLo, mHi) + 4}" fill="#d62728">${10 ** e}</text>`,
    );
  const series = (
    vals: number[],
    fit: { exponent: number; coefficient: number } | null,
    lo: number,
    hi: number,
    color: string,
    name: string,
    labelY: number,
  ): void => {
    done.forEach((row, i) => {
      parts.push(`<circle cx="${px(row.peers)}" cy="${py(vals[i]!, lo, hi)}" r="4" fill="${color}"/>`);
    });
    if (fit !== null) {
      const a = 10 ** xMin;
      const b = 10 ** xMax;
      const ya = fit.coefficient * a ** fit.exponent;
      const yb = fit.coefficient * b ** fit.exponent;
      parts.push(
        `<line x1="${px(a)}" y1="${py(ya, lo, hi)}" x2="${px(b)}" y2="${py(yb, lo, hi)}" stroke="${color}" stroke-dasharray="4 3"/>`,
      );
    }
    parts.push(
      `<text x="${left + 10}" y="${labelY}" fill="${color}">${name}${fit === null ? '' : ` ∝ N^${fit.exponent.toFixed(2)}`}</text>`,
    );
  };
  series(cpu, r.cpuFit, cLo, cHi, '#1f77b4', 'CPU-s', top + 14);
  series(rss, r.rssFit, mLo, mHi, '#d62728', 'peak RSS', top + 30);
  const skipped = r.rows.filter((row) => !row.ran).map((row) => row.peers);
  if (skipped.length > 0)
    parts.push(
      `<text x="${left + 10}" y="${top + 46}" fill="#555">not run to the end: N = ${skipped.join(', ')}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Why reports cannot be merged into one series. */
export class ScaleMergeError extends Error {
  override readonly name = 'ScaleMergeError';
}

/**
 * One report from the runs of one runtime at different sizes (each size run on its own, e.g. the
 * largest in a run of its own): the rows of every report, smallest N first, the later report's
 * row kept where two ran the same N; the fits over all of them.
 *
 * @throws {ScaleMergeError} when the reports differ in virtual duration, seed or trust (their
 * rows would not be one scenario at growing sizes), or when there is none.
 */
export function mergeReports(reports: readonly ScaleReport[], label: string): ScaleReport {
  const first = reports[0];
  if (first === undefined) throw new ScaleMergeError('no report to merge');
  for (const r of reports) {
    if (r.durationS !== first.durationS || r.seed !== first.seed || r.trusted !== first.trusted) {
      throw new ScaleMergeError(
        `report "${r.label}" (${r.durationS} virtual s, seed ${r.seed}, ${r.trusted ? 'trusted' : 'authenticated'}) ` +
          `is not the scenario of "${first.label}" (${first.durationS} virtual s, seed ${first.seed}, ${first.trusted ? 'trusted' : 'authenticated'})`,
      );
    }
  }
  const byPeers = new Map<number, ScaleRow>();
  for (const r of reports) for (const row of r.rows) byPeers.set(row.peers, row);
  const rows = [...byPeers.values()].sort((a, b) => a.peers - b.peers);
  return {
    machine: first.machine,
    startedAt: reports.map((r) => r.startedAt).sort()[0] ?? first.startedAt,
    label,
    durationS: first.durationS,
    seed: first.seed,
    trusted: first.trusted,
    rows,
    ...fits(rows),
    mergedFrom: reports.map((r) => r.label),
  };
}
