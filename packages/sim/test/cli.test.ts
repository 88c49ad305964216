import { describe, expect, it } from 'vitest';
import { cli, file, small, tempPath } from './cli-helpers.js';

describe('symmetric-sim CLI', () => {
  it('run --json --no-wall prints reproducible metrics JSON and exits 0 when converged', async () => {
    const path = file('small.json', small);
    const a = await cli('run', path, '--json', '--no-wall', '--seed', '3');
    expect(a.code).toBe(0);
    const m = JSON.parse(a.out);
    expect(m.converged).toBe(true);
    expect(m.seed).toBe(3);
    expect('wallMs' in m).toBe(false);
    expect(Object.keys(m).slice(0, 14)).toEqual([
      'rollbackPct',
      'resimPct',
      'rollbacks',
      'lowerBoundPct',
      'paceMismatchPct',
      'skewTicks',
      'recoveryS',
      'converged',
      'distinctFinalHashes',
      'eventsGenerated',
      'eventsApplied',
      'messages',
      'bytes',
      'rollbackToLowerBound',
    ]);
    const b = await cli('run', path, '--json', '--no-wall', '--seed', '3');
    expect(b.out).toBe(a.out);
    const withWall = JSON.parse((await cli('run', path, '--json', '--seed', '3')).out);
    expect(typeof withWall.wallMs).toBe('number');
  });

  it('prints a readable summary by default', async () => {
    const r = await cli('run', file('small2.json', small), '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^scenario\s+cli-small\s+seed 1, 5 peers, 20 s virtual, \d+ ms wall/);
    expect(r.out).toMatch(/rollback\s+[\d.]+ %\s+\(lower bound [\d.]+ %/);
    expect(r.out).toMatch(/pace mismatch/);
    expect(r.out).toMatch(/converged\s+yes/);
  });

  it('exits 1 and says NO when the run does not converge', async () => {
    // A partition that never heals while both sides keep producing events.
    const split = { ...small, partitions: [{ atS: 3, healAtS: 1000, groups: [[0, 1]] }] };
    const r = await cli('run', file('split.json', split), '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/converged\s+NO/);
  });

  it('--trace writes JSON lines to stderr', async () => {
    const r = await cli('run', file('trace.json', small), '--quiet', '--trace', '--json');
    const lines = r.err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === 'start')).toHaveLength(5);
    expect(lines.filter((l) => l.type === 'final')).toHaveLength(5);
  });

  it('reports a bad scenario with its field and exits 2', async () => {
    const r = await cli('run', file('bad.json', { ...small, latency: { dist: 'normal', meanMs: 30 } }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('MISSING_FIELD');
    expect(r.err).toContain('latency.sdMs');
    expect((await cli('run', file('notjson.json', '{'))).err).toContain('BAD_JSON');
    expect((await cli('run', tempPath('missing.json'))).code).toBe(2);
    expect((await cli('run', file('s.json', small), '--seed', 'x')).code).toBe(2);
  });

  it('validate checks without running', async () => {
    const ok = await cli('validate', file('v.json', small));
    expect(ok).toMatchObject({ code: 0, out: 'ok: 5 peers, 5 links, 20 s\n' });
    const bad = await cli('validate', file('v2.json', { ...small, peers: 2 }));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('peers');
  });
});
