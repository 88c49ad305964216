import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scaleSections, withScaleSections } from '../src/scale-doc.js';

const doc = readFileSync(new URL('../../../docs/scale.md', import.meta.url), 'utf8');
const results = new URL('../results/', import.meta.url).pathname;

describe('docs/scale.md', () => {
  it('its measured sections are exactly what the results files generate (npm run scale-doc)', () => {
    expect(withScaleSections(doc, scaleSections(results))).toBe(doc);
  });

  it('refuses a page without the markers', () => {
    expect(() => withScaleSections('# no markers', scaleSections(results))).toThrow(/markers/);
  });
});

describe('the simulated-room section', () => {
  it('lists every size that ran of every report in results/scale-sim, smallest first', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { simSection } = await import('../src/scale-doc.js');
    const dir = mkdtempSync(join(tmpdir(), 'scale-doc-'));
    mkdirSync(join(dir, 'scale-sim'));
    const row = (peers: number, ran: boolean) => ({
      peers,
      durationS: 120,
      ran,
      fractionDone: ran ? 1 : 0,
      cpuS: peers / 10,
      wallS: 1,
      peakRssMb: peers,
      heapPerPeerMb: 0.5,
      messages: peers * 100,
      bytes: 0,
      eventsGenerated: 0,
      eventsSent: 400,
      eventFrameBytes: 0,
      eventFrames: 200,
      bytesPerEventPerLink: 12,
      codecBatchedBytesPerEvent: 8,
      rollbackPct: 0,
      lowerBoundPct: 0,
      rollbackToLowerBound: null,
      converged: true,
      deltaMs: 500,
    });
    const report = (label: string, buffers?: number) => ({
      machine: { cpu: 'x', cores: 2, node: 'v24' },
      startedAt: '',
      label,
      durationS: 120,
      seed: 1,
      trusted: true,
      rows: [row(1000, true), row(200, true), row(5000, false)].map((r) =>
        buffers === undefined ? r : { ...r, buffersPerPeerMb: buffers },
      ),
    });
    writeFileSync(join(dir, 'scale-sim', 'after.json'), JSON.stringify(report('after', 0.25)));
    // A report from before array buffers were measured: its rows have no such field.
    writeFileSync(join(dir, 'scale-sim', 'before.json'), JSON.stringify(report('before')));
    const lines = simSection(dir).split('\n').slice(2);
    expect(lines.map((l) => l.split(' | ').slice(0, 2).join(' | '))).toEqual([
      '| `after` | 200',
      '| `before` | 200',
      '| `after` | 1,000',
      '| `before` | 1,000',
    ]);
    // Two events per frame, 12 B against 8 B batched.
    expect(lines[0]).toContain('| 2.000 | 12.00 | 8.00 | 1.50 |');
    // Live heap, then array buffers (a dash where the report did not measure them).
    expect(lines[0]).toContain('| 0.500 | 0.250 | 20,000 |');
    expect(lines[1]).toContain('| 0.500 | – | 20,000 |');
    expect(simSection(dir)).not.toContain('¹');
    // A note on one run's array buffers: its figures marked, the note under the table; a note on
    // a figure the run does not have marks nothing.
    writeFileSync(
      join(dir, 'scale-sim-notes.json'),
      JSON.stringify({
        after: { buffersPerPeerMb: 'read after one collection' },
        before: { buffersPerPeerMb: 'read after one collection' },
      }),
    );
    const noted = simSection(dir).split('\n');
    expect(noted[2]).toContain('| 0.500 | 0.250¹ | 20,000 |');
    expect(noted[3]).toContain('| 0.500 | – | 20,000 |');
    expect(noted.at(-1)).toBe('¹ `after`, `before`: read after one collection  ');
  });
});

describe('merged series and the growth section', () => {
  const row = (peers: number, cpuS: number) => ({
    peers,
    durationS: 120,
    ran: true,
    fractionDone: 1,
    cpuS,
    wallS: 1,
    peakRssMb: peers / 2,
    heapPerPeerMb: 0.5,
    messages: peers * 100,
    bytes: 0,
    eventsGenerated: 0,
    eventsSent: 0,
    eventFrameBytes: 0,
    eventFrames: 0,
    bytesPerEventPerLink: null,
    codecBatchedBytesPerEvent: null,
    rollbackPct: 0,
    lowerBoundPct: 0,
    rollbackToLowerBound: null,
    converged: true,
    deltaMs: 500,
  });
  const report = (label: string, startedAt: string, rows: ReturnType<typeof row>[], seed = 1) => ({
    machine: { cpu: 'x', cores: 2, node: 'v24' },
    startedAt,
    label,
    durationS: 120,
    seed,
    trusted: true,
    rows,
    cpuFit: null,
    rssFit: null,
    heapFit: null,
  });

  it('merges the sizes of several reports, smallest first, and fits over all of them', async () => {
    const { mergeReports } = await import('../src/scale-report.js');
    // CPU-s = N² / 1000 exactly: the fitted exponent is 2.
    const small = report('small', '2026-01-02', [row(1000, 1000), row(200, 40)]);
    const large = report('large', '2026-01-01', [row(5000, 25_000)]);
    const merged = mergeReports([small, large], 'all');
    expect(merged.rows.map((r) => r.peers)).toEqual([200, 1000, 5000]);
    expect(merged.label).toBe('all');
    expect(merged.startedAt).toBe('2026-01-01');
    expect(merged.cpuFit?.exponent).toBeCloseTo(2, 9);
    expect(merged.rssFit?.exponent).toBeCloseTo(1, 9);
    expect(merged.cpuFit?.points).toBe(3);
    expect(merged.mergedFrom).toEqual(['small', 'large']);
  });

  it('refuses reports of another scenario (seed, duration or trust) with a typed error', async () => {
    const { mergeReports, ScaleMergeError } = await import('../src/scale-report.js');
    const a = report('a', '', [row(200, 40)]);
    const b = report('b', '', [row(1000, 1000)], 2);
    expect(() => mergeReports([a, b], 'x')).toThrow(ScaleMergeError);
    expect(() => mergeReports([], 'x')).toThrow(ScaleMergeError);
  });

  it('the growth section shows the run with the most sizes: its fitted exponents and its plot', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { growthSection } = await import('../src/scale-doc.js');
    const dir = mkdtempSync(join(tmpdir(), 'scale-growth-'));
    mkdirSync(join(dir, 'scale-sim'));
    expect(growthSection(dir)).toMatch(/No run of three sizes/);
    const write = (file: string, r: unknown) =>
      writeFileSync(join(dir, 'scale-sim', file), JSON.stringify(r));
    write('1-two.json', report('two', '2026-03-01', [row(200, 40), row(1000, 1000)]));
    write('2-three.json', report('three', '2026-01-01', [row(200, 40), row(1000, 1000), row(2000, 4000)]));
    const text = growthSection(dir);
    expect(text).toContain('`three` (N = 200, 1,000, 2,000;');
    expect(text).toContain('CPU-s ∝ N^2.00');
    expect(text).toContain('(../apps/bench/results/scale-sim/2-three.svg)');
    // A merged series is shown here, named with its parts, and left out of the table of runs.
    const { mergeReports } = await import('../src/scale-report.js');
    const two = report('two', '2026-03-01', [row(200, 40), row(1000, 1000)]);
    write('3-all.json', mergeReports([two, report('big', '2026-03-02', [row(5000, 25_000)])], 'all'));
    write('1-two.json', two);
    expect(growthSection(dir)).toContain('`all` (merged from `two` and `big`) (N = 200, 1,000, 5,000;');
    const { simSection } = await import('../src/scale-doc.js');
    expect(simSection(dir)).not.toContain('`all`');
  });
});
