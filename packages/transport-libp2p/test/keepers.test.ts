import { backoffDelay, type TransportError, type TransportHandler } from '@symmetric/transport';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransportContext } from '../src/context.js';
import { AddressKeepers, type KeeperDialer, redialPolicy } from '../src/keepers.js';
import { type Libp2pTransportOptions, resolveOptions } from '../src/options.js';

const REDIAL = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0, stableAfterMs: 5_000 };

/** A running context with the given addresses, collecting reported errors. */
function runningContext(options: Libp2pTransportOptions): {
  ctx: TransportContext;
  errors: TransportError[];
} {
  const ctx = new TransportContext('local', resolveOptions({ redial: REDIAL, ...options }));
  const errors: TransportError[] = [];
  ctx.handler = {
    onLink: () => {},
    onFrame: () => {},
    onClose: () => {},
    onError: (error) => errors.push(error),
  } satisfies TransportHandler;
  ctx.generation = 1;
  ctx.phase = 'running';
  return { ctx, errors };
}

/** A dialer whose answers the test scripts; records when each address was dialled. */
function scriptedDialer(answers: (kind: 'link' | 'connect', address: string) => string | Error) {
  const dials: { readonly kind: 'link' | 'connect'; readonly address: string; readonly at: number }[] = [];
  const linked = new Set<string>();
  const answer = (kind: 'link' | 'connect', address: string): Promise<string> => {
    dials.push({ kind, address, at: Date.now() });
    const result = answers(kind, address);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  };
  const dialer: KeeperDialer = {
    peerOf: (address) => {
      if (address === 'bad') throw new Error('not a multiaddr');
      return undefined;
    },
    isLinked: (peer) => linked.has(peer),
    link: async (address) => ({ remotePeerId: await answer('link', address) }),
    connect: (address) => answer('connect', address),
  };
  return { dialer, dials, linked };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('bootstrap keepers', () => {
  it('re-dial a failing address with doubling delays, and stop once linked', async () => {
    const { ctx, errors } = runningContext({ bootstrap: ['/boot'] });
    let failures = 3;
    const { dialer, dials } = scriptedDialer(() => (failures-- > 0 ? new Error('refused') : 'B'));
    const keepers = new AddressKeepers(ctx, dialer);
    keepers.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials.map((d) => d.at)).toEqual([0, 100, 300, 700]);
    expect(errors.map((e) => e.code)).toEqual(['DIAL_FAILED', 'DIAL_FAILED', 'DIAL_FAILED']);
    expect(errors[0]?.message).toContain('bootstrap dial to /boot failed');
    expect(ctx.counters.redials).toBe(3);
    expect(ctx.counters.dialFailures).toBe(0); // link dials count their own failures
    keepers.stop();
  });

  it('re-dial when the link drops: the backoff goes on after a short link, restarts after a stable one', async () => {
    const { ctx } = runningContext({ bootstrap: ['/boot'] });
    let failures = 1;
    const { dialer, dials } = scriptedDialer(() => (failures-- > 0 ? new Error('refused') : 'B'));
    const keepers = new AddressKeepers(ctx, dialer);
    keepers.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.map((d) => d.at)).toEqual([0, 100]);

    keepers.closed('B', 50); // short-lived: the backoff goes on from one failure, 200 ms
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.at(-1)?.at).toBe(1_000 + 200);

    keepers.closed('B', 50); // and on: 400 ms
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.at(-1)?.at).toBe(2_000 + 400);

    keepers.closed('B', 5_000); // stable: back to 100 ms
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.at(-1)?.at).toBe(3_000 + 100);

    keepers.closed('someone else', 0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(dials).toHaveLength(5);
    keepers.stop();
  });

  it('a link opened meanwhile cancels the pending re-dial; one already linked is not dialled', async () => {
    const { ctx } = runningContext({ bootstrap: ['/boot'] });
    const { dialer, dials, linked } = scriptedDialer(() => 'B');
    const keepers = new AddressKeepers(ctx, dialer);
    keepers.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dials).toHaveLength(1);

    keepers.closed('B', 0);
    keepers.opened('B');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toHaveLength(1);

    linked.add('B');
    keepers.closed('B', 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials).toHaveLength(1);
    expect(ctx.counters.redials).toBe(1);
    keepers.stop();
  });

  it('stop cancels pending re-dials, and a dial failing after stop is neither reported nor retried', async () => {
    const { ctx, errors } = runningContext({ bootstrap: ['/a', '/b'] });
    let release: (() => void) | undefined;
    const { dialer, dials } = scriptedDialer((_, address) => (address === '/a' ? new Error('down') : 'B'));
    const slow: KeeperDialer = {
      ...dialer,
      link: (address) =>
        address === '/b'
          ? new Promise((_, reject) => {
              release = () => reject(new Error('late'));
            })
          : dialer.link(address),
    };
    const keepers = new AddressKeepers(ctx, slow);
    keepers.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    keepers.stop();
    ctx.phase = 'idle';
    release?.();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dials.map((d) => d.address)).toEqual(['/a']);
    expect(errors).toHaveLength(1);
  });

  it('a bad address is reported as BAD_ADDRESS and never dialled', async () => {
    const { ctx, errors } = runningContext({ bootstrap: ['bad'] });
    const { dialer, dials } = scriptedDialer(() => 'B');
    new AddressKeepers(ctx, dialer).start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['BAD_ADDRESS']);
    expect(errors[0]?.message).toContain('bad bootstrap address bad');
  });
});

describe('relay keepers', () => {
  it('re-dial with backoff, count failures, restart the backoff once connected and re-dial on disconnect', async () => {
    const { ctx, errors } = runningContext({ relays: ['/relay'] });
    let failures = 2;
    const { dialer, dials } = scriptedDialer(() => (failures-- > 0 ? new Error('refused') : 'R'));
    const keepers = new AddressKeepers(ctx, dialer);
    keepers.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.map((d) => [d.kind, d.at])).toEqual([
      ['connect', 0],
      ['connect', 100],
      ['connect', 300],
    ]);
    expect(ctx.counters.dialFailures).toBe(2);
    expect(errors[0]?.message).toContain('relay dial to /relay failed');

    keepers.disconnected('R');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials.at(-1)?.at).toBe(1_000 + 100);
    keepers.closed('R', 0); // a link closing is not the relay connection
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dials).toHaveLength(4);
    keepers.stop();
  });
});

describe('redialPolicy', () => {
  it('spreads delays ± jitter around the exponential base, capped at maxMs', () => {
    const policy = redialPolicy({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2, stableAfterMs: 10 });
    const at = (attempt: number, u: number) => backoffDelay(attempt, policy, () => u);
    expect(at(0, 0)).toBeCloseTo(120);
    expect(at(0, 0.5)).toBeCloseTo(100);
    expect(at(0, 1)).toBeCloseTo(80);
    expect(at(2, 0.5)).toBeCloseTo(400);
    expect(at(10, 0)).toBeCloseTo(1_200);
    expect(at(10, 1)).toBeCloseTo(800);
    expect(policy.stableMs).toBe(10);
  });
});
