/** Printing metrics: the stable JSON form and the readable summary of the CLI. */
import type { Metrics } from './metrics.js';

/** The metrics as JSON (2-space indent, fixed key order, trailing newline); `wall: false` drops `wallMs`. */
export function metricsJson(metrics: Metrics, options: { wall?: boolean } = {}): string {
  const { wallMs, ...rest } = metrics;
  const out = options.wall === false || wallMs === undefined ? rest : { ...rest, wallMs };
  // Keep the documented order: wallMs right after bytes.
  const ordered: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) {
    if (k === 'wallMs') continue;
    ordered[k] = v;
    if (k === 'bytes' && 'wallMs' in out) ordered['wallMs'] = out.wallMs;
  }
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function fmtPct(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(4)} %`;
}

function fmtBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(2)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(2)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${b} B`;
}

/** A readable multi-line summary of the metrics (what `symmetric-sim run` prints without `--json`). */
export function formatMetrics(m: Metrics, context: { peers?: number; durationS?: number } = {}): string {
  const lines: string[] = [];
  const head = [`scenario       ${m.name === '' ? '(unnamed)' : m.name}  seed ${m.seed}`];
  if (context.peers !== undefined) head.push(`${context.peers} peers`);
  if (context.durationS !== undefined) head.push(`${context.durationS} s virtual`);
  if (m.wallMs !== undefined) head.push(`${m.wallMs} ms wall`);
  lines.push(head.join(', '));
  const ratio = m.rollbackToLowerBound === null ? '' : `, ratio ${m.rollbackToLowerBound.toFixed(2)}`;
  const delta = m.deltaMs === null ? 'auto' : `${m.deltaMs} ms`;
  lines.push(
    `rollback       ${fmtPct(m.rollbackPct)}  (lower bound ${fmtPct(m.lowerBoundPct)}${ratio}; Δ ${delta}; mean-latency estimate ${fmtPct(m.meanLatencyEstimatePct)})`,
  );
  lines.push(
    `re-simulated   ${fmtPct(m.resimPct)}  (${m.rollbacks} rollbacks, ${m.ticksSimulated} ticks simulated)`,
  );
  lines.push(
    `pace mismatch  ${fmtPct(m.paceMismatchPct)}  (skew ticks p50 ${m.skewTicks.p50}, p99 ${m.skewTicks.p99}, max ${m.skewTicks.max}; ${m.paceReports} reports)`,
  );
  const r = m.recoveryS;
  lines.push(
    r.count === 0 && r.unrecovered === 0
      ? 'recovery       none (no comeback or heal after warm-up)'
      : `recovery       ${r.count} × mean ${r.mean.toFixed(3)} s, p95 ${r.p95.toFixed(3)} s${r.unrecovered > 0 ? `, ${r.unrecovered} unrecovered` : ''}${r.waited > 0 ? `  (${r.waited} waited for the network to be within reach: mean ${r.waitMean.toFixed(3)} s, p95 ${r.waitP95.toFixed(3)} s)` : ''}`,
  );
  const rp = m.recoveryPaperS;
  if (rp.count > 0 || rp.unrecovered > 0) {
    const a = m.afterRecovery;
    lines.push(
      `  paper's def.  ${rp.count} × mean ${rp.mean.toFixed(3)} s, p50 ${rp.p50.toFixed(3)} s, p95 ${rp.p95.toFixed(3)} s${rp.unrecovered > 0 ? `, ${rp.unrecovered} unrecovered` : ''} (back online to the network's largest tick, waiting included)`,
    );
    lines.push(
      `  afterwards    ${a.withRollback}/${a.count} recovered peers still rolled back within ${a.windowS} s: mean ${a.meanTicks.toFixed(1)}, p95 ${a.p95Ticks}, max ${a.maxTicks} ticks`,
    );
  }
  lines.push(
    `converged      ${m.converged ? 'yes' : 'NO'}  (${m.distinctFinalHashes} distinct hash${m.distinctFinalHashes === 1 ? '' : 'es'} at tick ${m.finalTick} over ${m.peersOnline} online peers${m.desyncs > 0 ? `; ${m.desyncs} desync reports` : ''})`,
  );
  const applied =
    m.eventsApplied === m.eventsAppliedMax
      ? `${m.eventsApplied}`
      : `${m.eventsApplied}..${m.eventsAppliedMax}`;
  lines.push(`events         ${m.eventsGenerated} generated, ${applied} applied per peer`);
  const o = m.offline;
  if (o !== undefined)
    lines.push(
      `offline        ${o.eventsEmittedOffline} emitted offline, ${o.eventsRestamped} re-stamped, ${o.eventsDropped} dropped, ${o.resumes} resumes from a store; ${o.noneLost ? `every user action held once (${o.witnesses} peers checked)` : `NOT every user action held once: ${o.missing} missing, ${o.heldTwice} held twice (${o.witnesses} peers checked)`}`,
    );
  lines.push(`network        ${m.messages} messages, ${fmtBytes(m.bytes)}`);
  return `${lines.join('\n')}\n`;
}

function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The CLI's progress line: how far the run is, the wall time it took so far and an estimate of
 * the time left (from the pace so far; none before the first 1 %).
 */
export function formatProgress(fraction: number, elapsedMs: number): string {
  const pct = Math.floor(fraction * 100);
  const left =
    fraction >= 0.01 && fraction < 1
      ? `, about ${fmtDuration((elapsedMs / fraction) * (1 - fraction))} left`
      : '';
  return `${pct}% (${fmtDuration(elapsedMs)} elapsed${left})`;
}
