import { describe, expect, it } from 'vitest';
import {
  batchedCodecBytesPerEvent,
  fitPowerLaw,
  type ScaleRow,
  scaleDeltaMs,
  scaleScenario,
} from '../src/scale.js';
import { fits, livePerPeerMb, scaleMarkdown, scaleSvg } from '../src/scale-report.js';

const row = (peers: number, cpuS: number, ran = true): ScaleRow => ({
  peers,
  durationS: 120,
  ran,
  ...(ran ? {} : { reason: 'skipped: projected 2000 CPU-s' }),
  fractionDone: ran ? 1 : 0,
  cpuS,
  wallS: cpuS,
  peakRssMb: peers / 2,
  heapPerPeerMb: 0.2,
  messages: peers * 100,
  bytes: peers * 1000,
  eventsGenerated: peers * 2,
  eventsSent: peers * 8,
  eventFrameBytes: peers * 80,
  eventFrames: peers * 6,
  bytesPerEventPerLink: 10,
  codecBatchedBytesPerEvent: 6,
  rollbackPct: 0.1,
  lowerBoundPct: 0.05,
  rollbackToLowerBound: 2,
  converged: true,
  deltaMs: scaleDeltaMs(peers),
});

describe('scale benchmark arithmetic', () => {
  it('fits a power law exactly on points of one', () => {
    const fit = fitPowerLaw([
      [100, 3 * 100 ** 1.5],
      [1000, 3 * 1000 ** 1.5],
      [5000, 3 * 5000 ** 1.5],
    ]);
    expect(fit?.exponent).toBeCloseTo(1.5, 9);
    expect(fit?.coefficient).toBeCloseTo(3, 6);
    expect(fitPowerLaw([[100, 1]])).toBeNull();
  });

  it('Δ grows with the log of the room: twice the latency of ln N ÷ ln 3 hops', () => {
    expect(scaleDeltaMs(200)).toBe(480);
    expect(scaleDeltaMs(2000)).toBe(690);
    const sc = scaleScenario({ peers: 1000, durationS: 120, seed: 3, trusted: true, maxCpuS: 10 });
    expect(sc).toMatchObject({
      peers: 1000,
      topology: { kind: 'random-regular', degree: 4, seed: 3 },
      latency: { dist: 'constant', ms: 50 },
      events: { perMinute: 1000 },
      trusted: true,
    });
  });

  it('encodes events in batches: ids once per source, a few bytes per event after', () => {
    const events = Array.from({ length: 640 }, (_, i) => ({
      tick: 100 + i,
      source: `peer-${i % 4}`,
      seq: 1 + Math.floor(i / 4),
      payload: i % 5,
    }));
    const perEvent = batchedCodecBytesPerEvent(events)!;
    expect(perEvent).toBeGreaterThan(2);
    expect(perEvent).toBeLessThan(8);
    expect(batchedCodecBytesPerEvent([])).toBeNull();
  });

  it('reports every size, a skipped one with its reason, and fits over the ones that ran', () => {
    const rows = [row(200, 10), row(1000, 250), row(5000, 0, false)];
    const report = {
      machine: { cpu: 'test', cores: 2, node: 'v24' },
      startedAt: 'now',
      label: 'before',
      durationS: 120,
      seed: 1,
      trusted: true,
      rows,
      ...fits(rows),
    };
    expect(report.cpuFit?.points).toBe(2);
    expect(report.cpuFit?.exponent).toBeCloseTo(Math.log(25) / Math.log(5), 9);
    const md = scaleMarkdown(report);
    expect(md).toContain('| 5000 |');
    expect(md).toContain('not run: skipped: projected 2000 CPU-s');
    expect(md).toContain(`CPU-s ∝ N^${report.cpuFit!.exponent.toFixed(2)} (2 sizes)`);
    const svg = scaleSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain('not run to the end: N = 5000');
  });

  it('counts array buffers with the live heap only where every size measured them', () => {
    // Rows from before array buffers were measured: no live fit, a dash in the table.
    const old = [row(200, 10), row(1000, 250)];
    expect(livePerPeerMb(old[0]!)).toBeNull();
    expect(fits(old).liveFit).toBeNull();
    // Heap 0.2 MB per peer plus buffers growing with N: the room's live memory grows faster.
    const measured = [
      { ...row(200, 10), buffersPerPeerMb: 0.1 },
      { ...row(1000, 250), buffersPerPeerMb: 0.5 },
    ];
    expect(livePerPeerMb(measured[1]!)).toBeCloseTo(0.7, 12);
    const f = fits(measured);
    const expected = Math.log((0.7 * 1000) / (0.3 * 200)) / Math.log(5);
    expect(f.liveFit?.exponent).toBeCloseTo(expected, 9);
    expect(f.heapFit?.exponent).toBeCloseTo(1, 9);
    // One size without the figure (a stopped run has none): no fit over a partial set.
    expect(fits([...measured, { ...row(2000, 900), buffersPerPeerMb: null }]).liveFit).toBeNull();
    const md = scaleMarkdown({
      machine: { cpu: 'test', cores: 2, node: 'v24' },
      startedAt: 'now',
      label: 'live',
      durationS: 120,
      seed: 1,
      trusted: true,
      rows: [...measured, ...old.slice(0, 1)],
      ...fits(measured),
    });
    expect(md).toContain('| 0.200 | 0.500 |');
    expect(md).toContain('| 0.200 | – |');
    expect(md).toContain(`live heap + array buffers ∝ N^${expected.toFixed(2)} (2 sizes)`);
  });
});
