import { describe, expect, it } from 'vitest';
import { checkConvergence, runCli, runLocalDemo, topologyEdges } from '../src/index.js';
import { Capture } from './helpers.js';

describe('start: the self-contained local demo', () => {
  it('5 peers in a ring over WebSockets press random keys, then converge to one state hash', async () => {
    const out = new Capture();
    const result = await runLocalDemo({
      peers: 5,
      duration: 3,
      rate: 240,
      seed: 11,
      quiet: 10,
      out,
      plainMs: 1000,
    });
    expect(result.emitted).toBeGreaterThan(10);
    expect(result.converged).toBe(true);
    expect(result.check.tick).toBeGreaterThan(result.lastEventTick);
    expect(new Set(result.peers.map((p) => p.finalHash)).size).toBe(1);
    expect(result.peers.every((p) => p.events === result.emitted)).toBe(true);
    // Ring: every peer has exactly two neighbours, and they are its ring neighbours.
    expect(result.peers.map((p) => p.neighbours.join(' '))).toEqual([
      'p1 p4',
      'p0 p2',
      'p1 p3',
      'p2 p4',
      'p0 p3',
    ]);
    // Keys moved the rectangle somewhere, identically everywhere.
    expect(result.errors).toEqual([]);
    // The plain (non-TTY) view printed periodic per-peer lines, then the verdict last.
    expect(out.text).toMatch(/p3 tick=\d+ (live with 2 peers|catching up \(2 peers\)) x,y=-?\d+,-?\d+/);
    expect(out.text.trimEnd().split('\n').at(-1)).toBe('converged: true');
  }, 45_000);

  it('the CLI runs 3 libp2p peers in a line and exits 0 after converging', async () => {
    const out = new Capture();
    const code = await runCli(
      [
        'start',
        '-n',
        '3',
        '-d',
        '2',
        '--topology',
        'line',
        '--transport',
        'libp2p',
        '--rate',
        '300',
        '--seed',
        '4',
      ],
      { out, err: out, onSignal: () => () => {} },
    );
    expect(out.text).toContain('3 peers, line, libp2p on 127.0.0.1');
    expect(out.text).toMatch(/all 3 peers live: p0 \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    expect(out.text.trimEnd().split('\n').at(-1)).toBe('converged: true');
    expect(code).toBe(0);
  }, 45_000);

  it('bad options are refused with exit code 2 and a message', async () => {
    for (const argv of [
      ['start', '-n', '0'],
      ['start', '--transport', 'carrier-pigeon'],
      ['start', '--topology', 'star'],
      ['start', '--delay', 'soon'],
      ['start', '--bogus'],
      ['peer'],
    ]) {
      const out = new Capture();
      const code = await runCli(argv, { out, err: out, onSignal: () => () => {} });
      expect(code, argv.join(' ')).toBe(2);
      expect(out.text, argv.join(' ')).toMatch(/error/);
    }
  });

  it('runLocalDemo refuses out-of-range options with a typed error', async () => {
    await expect(runLocalDemo({ peers: 100, out: new Capture() })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'peers',
    });
    await expect(runLocalDemo({ rate: 0, out: new Capture() })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'rate',
    });
  });
});

describe('topologies and the convergence check', () => {
  it('line and ring edges', () => {
    expect(topologyEdges('line', 4)).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    expect(topologyEdges('ring', 4)).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [3, 0],
    ]);
    expect(topologyEdges('ring', 2)).toEqual([[1, 0]]);
    expect(topologyEdges('ring', 1)).toEqual([]);
  });

  const source = (tick: number, events: number, hashes: Record<number, string>) => ({
    tick,
    stateHashAt: (t: number) => hashes[t],
    stats: () => ({ events }),
  });

  it('converged only with the same events and the same hash at a common tick after the last event', () => {
    const a = source(125, 3, { 100: 'aa', 110: 'bb', 120: 'cc' });
    const b = source(131, 3, { 110: 'bb', 120: 'cc', 130: 'dd' });
    const ok = checkConvergence([a, b], 105, { expectedEvents: 3 });
    expect(ok).toMatchObject({ converged: true, tick: 120, hashes: ['cc', 'cc'] });

    // The common tick must lie after the last event.
    expect(checkConvergence([a, b], 125).converged).toBe(false);
    // Missing events.
    expect(checkConvergence([a, source(131, 2, { 120: 'cc' })], 105, { expectedEvents: 3 })).toMatchObject({
      converged: false,
      reason: 'events held 3,2, expected 3',
    });
    // Different hashes at the newest common tick.
    const c = source(140, 3, { 120: 'xx' });
    expect(checkConvergence([a, c], 105)).toMatchObject({ converged: false, tick: 120 });
    // No tick known to both.
    expect(checkConvergence([a, source(140, 3, {})], 105).tick).toBeUndefined();
  });
});
