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
    const report = (label: string) => ({
      machine: { cpu: 'x', cores: 2, node: 'v24' },
      startedAt: '',
      label,
      durationS: 120,
      seed: 1,
      trusted: true,
      rows: [row(1000, true), row(200, true), row(5000, false)],
    });
    writeFileSync(join(dir, 'scale-sim', 'after.json'), JSON.stringify(report('after')));
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
  });
});
