/**
 * Least-squares fits of heap samples over time, holding the room's shape fixed: the long churn
 * benchmark asks whether memory grows with the session at a fixed number of online peers and
 * open links (memory per peer and per link is bounded by design; what each holds beyond that
 * would show as a slope over minutes).
 */

/** One sample: virtual minute, online peers, open links (counted at both ends), bytes. */
export type HeapSample = readonly [minute: number, online: number, links: number, bytes: number];

/** A fit of bytes = a + b × online + c × links + d × minutes. */
export interface HeapFit {
  /** d: bytes per virtual minute at a fixed number of online peers and links. */
  readonly perMinuteBytes: number;
  /** One standard error of {@link perMinuteBytes}. */
  readonly perMinuteStdErrBytes: number;
  /** The residuals' standard deviation (minute-to-minute noise). */
  readonly residualBytes: number;
  /** b: bytes per online peer. */
  readonly perOnlinePeerBytes: number;
  /** c: bytes per open link end. */
  readonly perLinkBytes: number;
  /** Samples fitted. */
  readonly samples: number;
  /** Minute of the first sample. */
  readonly fromMinute: number;
}

/**
 * Ordinary least squares of `y` on the rows of `x` (each row the same length, a 1 for the
 * intercept included by the caller): coefficients and their standard errors, `undefined` when
 * the design is singular or has no degrees of freedom left.
 */
export function leastSquares(
  x: readonly (readonly number[])[],
  y: readonly number[],
): { beta: number[]; stdErr: number[]; residualSd: number } | undefined {
  const n = x.length;
  const k = x[0]?.length ?? 0;
  if (n <= k || k === 0) return undefined;
  // Normal equations (XᵀX) β = Xᵀy, solved with (XᵀX)⁻¹ by Gauss-Jordan with partial pivoting.
  const m: number[][] = Array.from({ length: k }, (_, i) =>
    Array.from({ length: 2 * k }, (_, j) => (j === k + i ? 1 : 0)),
  );
  const xty = new Array<number>(k).fill(0);
  for (let r = 0; r < n; r++) {
    const row = x[r]!;
    for (let i = 0; i < k; i++) {
      xty[i]! += row[i]! * y[r]!;
      for (let j = 0; j < k; j++) m[i]![j]! += row[i]! * row[j]!;
    }
  }
  const scale = Math.max(...m.map((row, i) => Math.abs(row[i]!)), 1);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12 * scale) return undefined;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const d = m[c]![c]!;
    for (let j = 0; j < 2 * k; j++) m[c]![j]! /= d;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * k; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  const inv = m.map((row) => row.slice(k));
  const beta = inv.map((row) => row.reduce((s, v, j) => s + v * xty[j]!, 0));
  let ssr = 0;
  for (let r = 0; r < n; r++) {
    const e = y[r]! - x[r]!.reduce((s, v, i) => s + v * beta[i]!, 0);
    ssr += e * e;
  }
  const variance = ssr / (n - k);
  return {
    beta,
    stdErr: inv.map((row, i) => Math.sqrt(Math.max(0, variance * row[i]!))),
    residualSd: Math.sqrt(variance),
  };
}

/**
 * Fit bytes = a + b × online + c × links + d × minutes over `samples` (at least 6); without
 * links when they do not vary (then {@link HeapFit.perLinkBytes} is 0).
 */
export function fitHeap(samples: readonly HeapSample[]): HeapFit | undefined {
  if (samples.length < 6) return undefined;
  const linksVary = samples.some((s) => s[2] !== samples[0]![2]);
  const x = samples.map(([t, online, links]) => (linksVary ? [1, online, links, t] : [1, online, t]));
  const f = leastSquares(
    x,
    samples.map((s) => s[3]),
  );
  if (f === undefined) return undefined;
  const tIndex = linksVary ? 3 : 2;
  return {
    perMinuteBytes: f.beta[tIndex]!,
    perMinuteStdErrBytes: f.stdErr[tIndex]!,
    residualBytes: f.residualSd,
    perOnlinePeerBytes: f.beta[1]!,
    perLinkBytes: linksVary ? f.beta[2]! : 0,
    samples: samples.length,
    fromMinute: samples[0]![0],
  };
}

/**
 * Flat: the slope is within two standard errors of 0 and what it adds over the fitted span is
 * within twice the minute-to-minute noise.
 */
export function isFlat(f: HeapFit): boolean {
  const t =
    f.perMinuteStdErrBytes > 0
      ? Math.abs(f.perMinuteBytes) / f.perMinuteStdErrBytes
      : Number.POSITIVE_INFINITY;
  return t <= 2 && Math.abs(f.perMinuteBytes) * (f.samples - 1) <= 2 * f.residualBytes;
}
