import { describe, expect, it } from 'vitest';
import { formatProgress } from '../src/format.js';
import { convergenceHints } from '../src/hints.js';
import { parseScenario, runScenario } from '../src/index.js';
import { checkRunnable, MAX_RUN_PEERS } from '../src/scenario.js';
import { cli, file, small } from './cli-helpers.js';

describe('symmetric-sim validate refuses what run refuses', () => {
  it('an unknown app: validate and run give the same UNSUPPORTED error at events.app', async () => {
    const path = file('app.json', { ...small, events: { perMinute: 120, app: 'chess' } });
    const v = await cli('validate', path);
    expect(v.code).toBe(2);
    expect(v.out).toBe('');
    expect(v.err).toContain('(UNSUPPORTED) at events.app');
    expect(v.err).toContain('"rectangle"');
    const r = await cli('run', path, '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toBe(v.err);
  });

  it('more peers than the simulator runs: TOO_LARGE at peers, naming the maximum', async () => {
    const path = file('huge.json', { ...small, peers: 100_000 });
    const v = await cli('validate', path);
    expect(v.code).toBe(2);
    expect(v.err).toContain('(TOO_LARGE) at peers');
    expect(v.err).toContain(`at most ${MAX_RUN_PEERS}`);
    expect((await cli('run', path, '--quiet')).err).toBe(v.err);
    expect((await cli('validate', file('max.json', { ...small, peers: MAX_RUN_PEERS }))).code).toBe(0);
  });

  it('checkRunnable accepts another app when the caller brings it', () => {
    const sc = parseScenario({ ...small, events: { perMinute: 120, app: 'chess' } });
    expect(() => checkRunnable(sc)).toThrow(/unknown app "chess"/);
    expect(() => checkRunnable(sc, { customApp: true })).not.toThrow();
  });
});

describe('symmetric-sim run progress', () => {
  it('--progress writes setup, elapsed time and time left to stderr when stderr is not a terminal', async () => {
    const r = await cli('run', file('progress.json', small), '--progress', '--json');
    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe('symmetric-sim: setting up 5 peers, 20 s virtual');
    const ticks = lines.slice(1);
    expect(ticks.length).toBeGreaterThanOrEqual(10);
    for (const l of ticks) expect(l).toMatch(/^symmetric-sim: \d+% \(\d+ s elapsed(, about \d+ s left)?\)$/);
    expect(ticks.some((l) => l.includes('left'))).toBe(true);
    expect(ticks.at(-1)).toMatch(/^symmetric-sim: 100% /);
  });

  it('without a terminal or --progress, stderr stays empty', async () => {
    const r = await cli('run', file('noprogress.json', small), '--json');
    expect(r.err).toBe('');
  });

  it('the progress line estimates the time left from the pace so far', () => {
    expect(formatProgress(0.25, 30_000)).toBe('25% (30 s elapsed, about 1 min 30 s left)');
    expect(formatProgress(0, 500)).toBe('0% (1 s elapsed)');
    expect(formatProgress(1, 4_000_000)).toBe('100% (1 h 6 min elapsed)');
  });
});

describe('symmetric-sim run hints when a run does not converge', () => {
  it('a quiet tail shorter than a flood across the graph', async () => {
    // A line of 12 peers: 11 hops × 100 ms + Δ 200 ms = 1.3 s, and events until 0.1 s before the end.
    const line = {
      ...small,
      peers: 12,
      topology: { kind: 'line' },
      quietTailS: 0.1,
      latency: { dist: 'constant', ms: 100 },
      events: { perMinute: 600 },
    };
    const r = await cli('run', file('tail.json', line), '--quiet', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'symmetric-sim: hint: quiet tail 0.1 s is shorter than a flood needs to cross the graph (11 hops × 100 ms mean latency + Δ 200 ms = 1.3 s): raise quietTailS to at least 2',
    );
  });

  it('a partition that heals after the quiet tail begins', async () => {
    const split = { ...small, partitions: [{ atS: 3, healAtS: 1000, groups: [[0, 1]] }] };
    const r = await cli('run', file('split.json', split), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('hint: partitions[0] heals at 1000 s, after the quiet tail begins (15 s)');
    expect(r.err).not.toContain('quiet tail 5 s is shorter');
  });

  it('peers left offline with backForTail false, and a history horizon shorter than a partition', async () => {
    const sc = parseScenario({
      ...small,
      churn: { onlineMeanS: 5, offlineMeanS: 5, backForTail: false },
      partitions: [{ atS: 3, healAtS: 13, groups: [[0, 1]] }],
      history: { horizonTicks: 100 },
    });
    const base = await runScenario(small, { includeWall: false });
    const hints = convergenceHints(sc, { ...base, converged: false, peersOnline: 3 });
    expect(hints).toContain(
      '2 peers were offline at the end with churn.backForTail: false, so the online ones may be split: set backForTail to true to compare a connected graph',
    );
    expect(
      hints.some((h) => h.startsWith('history horizon 100 ticks (2 s) is shorter than partitions[0] (10 s)')),
    ).toBe(true);
    expect(convergenceHints(parseScenario(small), base)).toEqual([]);
  });
});
