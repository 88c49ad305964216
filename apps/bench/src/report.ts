import { type Cell, type PaperReference, paperRollback } from './grid.js';

/** The subset of `@symmetric/sim` metrics the paper report reads. */
export interface RunMetrics {
  rollbackPct: number;
  resimPct: number;
  lowerBoundPct: number;
  paceMismatchPct: number;
  skewTicks: { p50: number; p99: number; max: number };
  recoveryS?: { count: number; mean: number; p95: number; unrecovered?: number };
  /** Recovery by the paper's definition (absent in results of older runs). */
  recoveryPaperS?: { count: number; mean: number; p50: number; p95: number; unrecovered: number };
  /** Ticks recovered peers still travelled back right after recovering. */
  afterRecovery?: {
    windowS: number;
    count: number;
    withRollback: number;
    meanTicks: number;
    p95Ticks: number;
    maxTicks: number;
  };
  /** The late ticks with every link at its mean latency, % (an estimate, not a bound). */
  meanLatencyEstimatePct?: number;
  rollbacks?: number;
  ticksTravelledBack?: number;
  lowerBoundTicks?: number | null;
  name?: string;
  converged: boolean;
  distinctFinalHashes: number;
  eventsGenerated: number;
  messages: number;
  bytes: number;
  wallMs: number;
}

/** Every repetition of one cell, and their means. */
export interface CellResult {
  cell: Cell;
  runs: RunMetrics[];
  rollbackPct: number;
  lowerBoundPct: number;
  /** rollback % ÷ lower bound (undefined when the bound is 0). */
  ratio: number | undefined;
  /** Mean of the runs' mean-latency estimates, % (undefined in results of older runs). */
  meanLatencyEstimatePct?: number | undefined;
  paperPct: number | undefined;
  converged: boolean;
}

/** The outcome of a whole `bench:paper` run. */
export interface PaperReport {
  machine: { cpu: string; cores: number; node: string; platform: string };
  startedAt: string;
  wallS: number;
  mode: 'full' | 'quick';
  repetitions: number;
  durationS: number;
  cells: CellResult[];
  churn: CellResult[];
  goals: Goals;
}

/** One goal of the benchmark (the paper's figures to reach or beat), met or not, with the figure behind it. */
export interface Goal {
  name: string;
  target: string;
  value: string;
  met: boolean;
}

/** All goals and whether each is met. */
export interface Goals {
  list: Goal[];
  allMet: boolean;
}

const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Aggregates the repetitions of one cell. */
export function summariseCell(cell: Cell, runs: RunMetrics[], ref: PaperReference): CellResult {
  const rollbackPct = mean(runs.map((r) => r.rollbackPct));
  const lowerBoundPct = mean(runs.map((r) => r.lowerBoundPct));
  return {
    cell,
    runs,
    rollbackPct,
    lowerBoundPct,
    ratio: lowerBoundPct > 0 ? rollbackPct / lowerBoundPct : undefined,
    meanLatencyEstimatePct: runs.every((r) => r.meanLatencyEstimatePct !== undefined)
      ? mean(runs.map((r) => r.meanLatencyEstimatePct as number))
      : undefined,
    paperPct: paperRollback(ref, cell),
    converged: runs.every((r) => r.converged),
  };
}

/** Geometric mean of rollback/bound over the cells of one multiplier whose bound is at least `minBound` %. */
export function geometricMeanRatio(
  cells: CellResult[],
  multiplier: number,
  minBound = 0.1,
): number | undefined {
  const ratios = cells
    .filter((c) => c.cell.multiplier === multiplier && c.lowerBoundPct >= minBound && c.ratio !== undefined)
    .map((c) => Math.max(c.ratio as number, 1e-9));
  if (ratios.length === 0) return undefined;
  return Math.exp(mean(ratios.map(Math.log)));
}

/** Cells of one multiplier in a geometric mean, and the mean. */
export interface GeoMean {
  readonly multiplier: number;
  /** Smallest lower bound % a cell needs to be counted. */
  readonly minBound: number;
  readonly cells: number;
  readonly value: number | undefined;
}

/** The geometric means of rollback ÷ bound per multiplier, with the 0.1 % filter and without (every cell with a bound > 0). */
export function geoMeans(cells: CellResult[]): GeoMean[] {
  const out: GeoMean[] = [];
  for (const multiplier of [...new Set(cells.map((c) => c.cell.multiplier))].sort((a, b) => b - a)) {
    for (const minBound of [0.1, Number.MIN_VALUE]) {
      const counted = cells.filter(
        (c) => c.cell.multiplier === multiplier && c.lowerBoundPct >= minBound && c.ratio !== undefined,
      );
      out.push({
        multiplier,
        minBound: minBound === Number.MIN_VALUE ? 0 : minBound,
        cells: counted.length,
        value: geometricMeanRatio(cells, multiplier, minBound),
      });
    }
  }
  return out;
}

/** A run whose rollback is under its lower bound, and whether clock skew accounts for it. */
export interface UnderBound {
  readonly name: string;
  readonly rollbackTicks: number;
  readonly boundTicks: number;
  readonly ratio: number;
  readonly rollbacks: number;
  readonly skewMaxTicks: number;
  /**
   * `true` when the shortfall is at most `rollbacks × max(1, skew max)` ticks: every late
   * delivery can land that many ticks less late when the receiver's clock is behind the
   * sender's, and the bound assumes perfect clocks.
   */
  readonly withinSkew: boolean;
}

/** Every run under its lower bound (by more than 0), worst first. */
export function runsUnderBound(cells: CellResult[]): UnderBound[] {
  const out: UnderBound[] = [];
  for (const c of cells) {
    for (const r of c.runs) {
      const bound = r.lowerBoundTicks;
      const back = r.ticksTravelledBack;
      if (bound === undefined || bound === null || back === undefined || !(back < bound)) continue;
      const rollbacks = r.rollbacks ?? 0;
      const skew = Math.max(1, r.skewTicks.max);
      out.push({
        name: r.name ?? cellName(c),
        rollbackTicks: back,
        boundTicks: bound,
        ratio: back / bound,
        rollbacks,
        skewMaxTicks: r.skewTicks.max,
        withinSkew: bound - back <= rollbacks * skew,
      });
    }
  }
  return out.sort((a, b) => a.ratio - b.ratio);
}

/** A percentage with enough digits to show a small non-zero value (never `0.000` for 0.0001). */
export function pctFigure(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 0.01) return x.toFixed(3);
  return x.toPrecision(2);
}

/** A cell is worse than the paper when its rollback %, rounded as the paper rounds (0.1), is larger. */
export function worseThanPaper(c: CellResult): boolean {
  return c.paperPct !== undefined && Math.round(c.rollbackPct * 10) / 10 > c.paperPct;
}

/** Evaluates the benchmark's goals on a set of results. */
export function evaluateGoals(cells: CellResult[], churn: CellResult[]): Goals {
  const list: Goal[] = [];
  for (const m of [2, 1]) {
    const g = geometricMeanRatio(cells, m);
    list.push({
      name: `geomean(rollback / bound), ${m}x, bound >= 0.1 %`,
      target: '<= 1.5',
      value: g === undefined ? 'no cell with bound >= 0.1 %' : g.toFixed(2),
      met: g === undefined || g <= 1.5,
    });
  }
  const under = runsUnderBound([...cells, ...churn]);
  const unexplained = under.filter((u) => !u.withinSkew);
  list.push({
    name: 'runs under the realized lower bound by more than clock skew allows',
    target: '0',
    value:
      unexplained.length === 0
        ? `0 (${under.length} under it, each within rollbacks × skew)`
        : `${unexplained.length}: ${unexplained.map((u) => u.name).join(', ')}`,
    met: unexplained.length === 0,
  });
  const worse = cells.filter(worseThanPaper);
  list.push({
    name: 'cells worse than the paper',
    target: '0',
    value: worse.length === 0 ? '0' : `${worse.length}: ${worse.map(cellName).join(', ')}`,
    met: worse.length === 0,
  });
  const allRuns = [...cells, ...churn].flatMap((c) => c.runs);
  // The pace-mismatch setting is the grid itself (every run starts its peers up to 10 s apart).
  // Churn runs are reported beside it: a peer restarting from nothing is behind by definition
  // until it has recovered, which is what the recovery goal measures.
  const paceRuns = cells.flatMap((c) => c.runs).map((r) => r.paceMismatchPct);
  const pace = mean(paceRuns);
  const nonZero = paceRuns.filter((x) => x > 0);
  list.push({
    name: 'pace mismatch (mean over the grid runs, start jitter up to 10 s)',
    target: '< 0.05 % (paper: under 0.2 %)',
    value:
      `${pctFigure(pace)} %` +
      (nonZero.length > 0
        ? ` (${nonZero.length} of ${paceRuns.length} runs above 0, up to ${pctFigure(Math.max(...nonZero))} %)`
        : ` (every run 0)`),
    met: pace < 0.05,
  });
  const recoveries = churn
    .flatMap((c) => c.runs)
    .filter((r) => r.recoveryS !== undefined && r.recoveryS.count > 0);
  const totalCount = recoveries.reduce((a, r) => a + (r.recoveryS?.count ?? 0), 0);
  const recovery =
    totalCount === 0
      ? undefined
      : recoveries.reduce((a, r) => a + (r.recoveryS?.mean ?? 0) * (r.recoveryS?.count ?? 0), 0) / totalCount;
  list.push({
    name: 'mean churn recovery',
    target: "< 0.5 s, simulator's definition (paper: 1.3 s, its own; see the churn table)",
    value:
      recovery === undefined
        ? 'no recoveries measured'
        : `${recovery.toFixed(3)} s over ${totalCount} rejoins`,
    met: recovery !== undefined && recovery < 0.5,
  });
  const unconverged = [...cells, ...churn].flatMap((c) => c.runs).filter((r) => !r.converged).length;
  list.push({
    name: 'runs converged',
    target: 'all',
    value: `${allRuns.length - unconverged} / ${allRuns.length}`,
    met: unconverged === 0,
  });
  return { list, allMet: list.every((g) => g.met) };
}

/** `50ms/25pm/2x`. */
export function cellName(c: CellResult | Cell): string {
  const cell = 'cell' in c ? c.cell : c;
  return `${cell.latencyMs}ms/${cell.perMinute}pm/${cell.multiplier}x`;
}

const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? '–' : x.toFixed(digits));

/** The markdown report: header, goals, one table per multiplier, churn and pace. */
export function toMarkdown(report: PaperReport, ref: PaperReference): string {
  const out: string[] = [];
  out.push(`# Symmetric vs the paper (Sant'Anna, RITA 2024), 21 peers, paper topology`);
  out.push('');
  out.push(
    `Machine: ${report.machine.cpu} (${report.machine.cores} cores), Node ${report.machine.node}, ${report.machine.platform}. ` +
      `Mode: ${report.mode}, ${report.repetitions} repetition(s) × ${report.durationS} virtual s per cell. ` +
      `Wall time: ${report.wallS.toFixed(1)} s to simulate every run in virtual time (${report.durationS} virtual s each, ` +
      `all peers in one process per run); the paper's ~${ref.wallTimeForGridHours} h is real time, one process per peer over NetEm. ` +
      `Started ${report.startedAt}.`,
  );
  out.push('');
  out.push('## Goals');
  out.push('');
  out.push('| goal | target | Symmetric | met |');
  out.push('|---|---|---|---|');
  for (const g of report.goals.list)
    out.push(`| ${g.name} | ${g.target} | ${g.value} | ${g.met ? 'yes' : '**NO**'} |`);
  out.push('');
  out.push('## Rollback ÷ lower bound, geometric mean over cells');
  out.push('');
  out.push(
    'The lower bound is computed over the latencies each run actually drew (perfect clocks, no overhead). ' +
      'Filtered: cells whose bound is at least 0.1 % (below it a handful of late deliveries decide the ratio); all: every cell with a bound above 0.',
  );
  out.push('');
  out.push('| multiplier | filter | cells | geomean |');
  out.push('|---|---|---|---|');
  for (const g of geoMeans(report.cells))
    out.push(
      `| ${g.multiplier}x | ${g.minBound > 0 ? `bound ≥ ${g.minBound} %` : 'bound > 0'} | ${g.cells} | ${fmt(g.value)} |`,
    );
  out.push('');
  const under = runsUnderBound([...report.cells, ...report.churn]);
  out.push('## Runs under the lower bound');
  out.push('');
  out.push(
    under.length === 0
      ? 'None.'
      : `${under.length} of ${[...report.cells, ...report.churn].flatMap((c) => c.runs).length} runs are under their bound, the worst at ×${under[0]!.ratio.toFixed(3)}. ` +
          "The bound assumes perfect clocks: a receiver whose clock is behind the sender's sees an event up to the skew less late, so a run can be under the bound by at most (late rollbacks × max skew) ticks; " +
          `${under.filter((u) => u.withinSkew).length} of them are within that.`,
  );
  if (under.length > 0) {
    out.push('');
    out.push('| run | rollback ticks | bound ticks | ratio | rollbacks | skew max (ticks) | within skew |');
    out.push('|---|---|---|---|---|---|---|');
    for (const u of under)
      out.push(
        `| ${u.name} | ${u.rollbackTicks} | ${u.boundTicks} | ${u.ratio.toFixed(3)} | ${u.rollbacks} | ${u.skewMaxTicks} | ${u.withinSkew ? 'yes' : '**NO**'} |`,
      );
  }
  out.push('');
  const small = report.cells.filter(
    (c) => c.cell.latencyMs === Math.min(...report.cells.map((x) => x.cell.latencyMs)),
  );
  if (small.length > 0 && small.every((c) => c.meanLatencyEstimatePct !== undefined)) {
    out.push(`## The ${small[0]!.cell.latencyMs} ms row`);
    out.push('');
    out.push(
      'Rollback against the realized bound and against the mean-latency estimate (every link at its mean latency: not a bound).',
    );
    out.push('');
    out.push('| cell | rollback % | realized bound % | ÷ realized | mean-latency estimate % | ÷ estimate |');
    out.push('|---|---|---|---|---|---|');
    for (const c of small.filter((x) => x.cell.multiplier < 5)) {
      const est = c.meanLatencyEstimatePct as number;
      out.push(
        `| ${cellName(c)} | ${fmt(c.rollbackPct, 4)} | ${fmt(c.lowerBoundPct, 4)} | ${fmt(c.ratio)} | ${fmt(est, 4)} | ${est > 0 ? fmt(c.rollbackPct / est) : '–'} |`,
      );
    }
    out.push('');
  }
  out.push(
    'Each cell: **Symmetric rollback %** / paper % / perfect-clock lower bound % / ratio to the bound. ' +
      'Rollback % = Σ ticks travelled back ÷ Σ ticks simulated, warm-up excluded (docs/simulator.md). ⚠ marks a cell worse than the paper; ✗ a run that did not converge.',
  );
  const rates = [...new Set(report.cells.map((c) => c.cell.perMinute))].sort((a, b) => a - b);
  const lats = [...new Set(report.cells.map((c) => c.cell.latencyMs))].sort((a, b) => a - b);
  for (const m of [...new Set(report.cells.map((c) => c.cell.multiplier))].sort((a, b) => b - a)) {
    out.push('');
    out.push(`## Δ = L × 5 hops × ${m}`);
    out.push('');
    out.push(`| L \\ events/min | ${rates.join(' | ')} |`);
    out.push(`|---|${rates.map(() => '---').join('|')}|`);
    for (const l of lats) {
      const row = rates.map((r) => {
        const c = report.cells.find(
          (x) => x.cell.multiplier === m && x.cell.latencyMs === l && x.cell.perMinute === r,
        );
        if (c === undefined) return '';
        const flags = `${worseThanPaper(c) ? ' ⚠' : ''}${c.converged ? '' : ' ✗'}`;
        return `**${fmt(c.rollbackPct)}** / ${fmt(c.paperPct, 1)} / ${fmt(c.lowerBoundPct)} / ${c.ratio === undefined ? '–' : `×${c.ratio.toFixed(2)}`}${flags}`;
      });
      out.push(`| ${l} ms | ${row.join(' | ')} |`);
    }
  }
  const gridRuns = report.cells.flatMap((c) => c.runs);
  const churnRuns = report.churn.flatMap((c) => c.runs);
  out.push('');
  out.push('## Pace mismatch and churn');
  out.push('');
  const skewP99 = Math.max(0, ...gridRuns.map((r) => r.skewTicks.p99));
  const skewMax = Math.max(0, ...gridRuns.map((r) => r.skewTicks.max));
  out.push(
    `Pace mismatch over the ${gridRuns.length} grid runs (start jitter up to 10 s): mean ${pctFigure(mean(gridRuns.map((r) => r.paceMismatchPct)))} % ` +
      `(${gridRuns.filter((r) => r.paceMismatchPct > 0).length} runs above 0, the largest ${pctFigure(Math.max(0, ...gridRuns.map((r) => r.paceMismatchPct)))} %) ` +
      `(paper: under ${ref.paceMismatchPercent.value} %); worst run p99 skew ${skewP99} ticks, max ${skewMax} ticks.`,
  );
  if (churnRuns.length > 0) {
    out.push('');
    out.push(
      `Churn runs (reported apart: a peer restarting from nothing counts as behind until it has recovered): pace mismatch mean ` +
        `${pctFigure(mean(churnRuns.map((r) => r.paceMismatchPct)))} %, worst p99 skew ${Math.max(0, ...churnRuns.map((r) => r.skewTicks.p99))} ticks.`,
    );
  }
  out.push('');
  if (report.churn.length > 0) {
    out.push(
      "| churn setting | rollback % | bound % | recoveries | simulator's definition: mean / p95 (s) | paper's definition: mean / p50 / p95 (s), unrecovered | still rolling back within 5 s after recovering (ticks mean / max) | converged |",
    );
    out.push('|---|---|---|---|---|---|---|---|');
    for (const c of report.churn) {
      const rec = c.runs.map((r) => r.recoveryS).filter((r) => r !== undefined);
      const count = rec.reduce((a, r) => a + r.count, 0);
      const recMean = count === 0 ? 0 : rec.reduce((a, r) => a + r.mean * r.count, 0) / count;
      const paper = c.runs.map((r) => r.recoveryPaperS).filter((r) => r !== undefined);
      const pCount = paper.reduce((a, r) => a + r.count, 0);
      const pMean = pCount === 0 ? 0 : paper.reduce((a, r) => a + r.mean * r.count, 0) / pCount;
      const after = c.runs.map((r) => r.afterRecovery).filter((r) => r !== undefined);
      const aCount = after.reduce((a, r) => a + r.count, 0);
      out.push(
        `| ${cellName(c)} | ${fmt(c.rollbackPct)} | ${fmt(c.lowerBoundPct)} | ${count} | ${fmt(recMean, 3)} / ${fmt(Math.max(0, ...rec.map((r) => r.p95)), 3)} | ` +
          (paper.length === 0
            ? '– | '
            : `${fmt(pMean, 3)} / ${fmt(mean(paper.map((r) => r.p50)), 3)} / ${fmt(Math.max(...paper.map((r) => r.p95)), 3)}, ${paper.reduce((a, r) => a + r.unrecovered, 0)} | `) +
          (after.length === 0
            ? '– | '
            : `${after.reduce((a, r) => a + r.withRollback, 0)} of ${aCount} (${fmt(aCount === 0 ? 0 : after.reduce((a, r) => a + r.meanTicks * r.count, 0) / aCount, 1)} / ${Math.max(...after.map((r) => r.maxTicks))}) | `) +
          `${c.converged ? 'yes' : 'NO'} |`,
      );
    }
    out.push('');
    out.push(
      "Simulator's definition: from a comeback (or a heal) to within 2 ticks of an up-to-date peer in reach, time without one in reach reported apart. " +
        "Paper's definition: from coming back online, waiting included, until the peer's tick reaches the largest tick of all online peers. " +
        "p50 and p95 are over the runs (mean of the runs' p50, largest p95).",
    );
    out.push('');
    out.push(`Paper: recovery ${ref.recoveryTimeS.value} s on average.`);
  }
  out.push('');
  return out.join('\n');
}

function colour(pct: number): string {
  // log scale from 0.01 % (pale) to 100 % and above (dark red)
  const t = Math.min(1, Math.max(0, (Math.log10(Math.max(pct, 0.01)) + 2) / 4));
  const r = 255;
  const g = Math.round(245 - 200 * t);
  const b = Math.round(230 - 210 * t);
  return `rgb(${r},${g},${b})`;
}

/** An SVG heat map like the paper's figure: one panel per multiplier, Symmetric's value and the paper's under it. */
export function toSvg(report: PaperReport): string {
  const rates = [...new Set(report.cells.map((c) => c.cell.perMinute))].sort((a, b) => a - b);
  const lats = [...new Set(report.cells.map((c) => c.cell.latencyMs))].sort((a, b) => a - b);
  const mults = [...new Set(report.cells.map((c) => c.cell.multiplier))].sort((a, b) => b - a);
  const cw = 64;
  const ch = 34;
  const left = 60;
  const top = 60;
  const panelW = left + rates.length * cw + 30;
  const width = panelW * mults.length;
  const height = top + lats.length * ch + 50;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  mults.forEach((m, pi) => {
    const x0 = pi * panelW;
    parts.push(
      `<text x="${x0 + left}" y="20" font-size="14" font-weight="bold">Δ = L×5×${m}: rollback % (paper below)</text>`,
    );
    rates.forEach((r, ci) => {
      parts.push(
        `<text x="${x0 + left + ci * cw + cw / 2}" y="${top - 8}" text-anchor="middle">${r}/min</text>`,
      );
    });
    lats.forEach((l, ri) => {
      parts.push(
        `<text x="${x0 + left - 6}" y="${top + ri * ch + ch / 2 + 4}" text-anchor="end">${l} ms</text>`,
      );
      rates.forEach((r, ci) => {
        const c = report.cells.find(
          (x) => x.cell.multiplier === m && x.cell.latencyMs === l && x.cell.perMinute === r,
        );
        if (c === undefined) return;
        const x = x0 + left + ci * cw;
        const y = top + ri * ch;
        parts.push(
          `<rect x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${colour(c.rollbackPct)}"/>`,
        );
        parts.push(
          `<text x="${x + cw / 2}" y="${y + 14}" text-anchor="middle" font-weight="bold">${c.rollbackPct.toFixed(2)}</text>`,
        );
        parts.push(
          `<text x="${x + cw / 2}" y="${y + 27}" text-anchor="middle" fill="#555">${c.paperPct === undefined ? '' : c.paperPct.toFixed(1)}</text>`,
        );
      });
    });
  });
  parts.push(
    `<text x="10" y="${height - 14}" fill="#333">Symmetric (bold) vs the paper (grey), ${report.machine.cpu}, Node ${report.machine.node}, ${report.wallS.toFixed(0)} s wall</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
