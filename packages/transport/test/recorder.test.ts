import { type Link, TransportError } from '@symmetric/transport';
import { type ConformanceClock, ConformanceRecorder } from '@symmetric/transport/conformance';
import { describe, expect, it } from 'vitest';

function fakeLink(id: string): Link & { open: boolean } {
  return {
    id,
    direction: 'outbound',
    remoteAddress: 'x',
    remotePeerId: undefined,
    open: true,
    send: () => true,
    close() {
      this.open = false;
    },
  };
}

describe('ConformanceRecorder', () => {
  it('accepts the legal order onLink, onFrame*, onClose', () => {
    const rec = new ConformanceRecorder('r');
    const link = fakeLink('1');
    rec.onLink(link);
    rec.onFrame(link, new Uint8Array([1]));
    rec.onFrame(link, new Uint8Array([2]));
    link.open = false;
    rec.onClose(link, { local: true, reason: 'x' });
    expect(rec.violations).toEqual([]);
    expect(rec.framesOf(link).map((f) => f[0])).toEqual([1, 2]);
    expect(rec.closeCount(link)).toBe(1);
  });

  it('flags frames before onLink or after onClose, double closes, open links in onClose, foreign errors', () => {
    const rec = new ConformanceRecorder('r');
    const a = fakeLink('a');
    rec.onFrame(a, new Uint8Array(1)); // before onLink
    rec.onLink(a);
    rec.onClose(a, { local: false, reason: '' }); // still open
    a.open = false;
    rec.onClose(a, { local: false, reason: '' }); // twice
    rec.onFrame(a, new Uint8Array(1)); // after close
    rec.onError(new Error('plain') as TransportError);
    expect(rec.violations).toHaveLength(5);
    rec.onError(new TransportError('INTERNAL', 'typed'));
    expect(rec.violations).toHaveLength(5);
    expect(rec.errors).toHaveLength(2);
  });

  it('until() resolves when the predicate becomes true and rejects with the reason on timeout', async () => {
    const rec = new ConformanceRecorder('r');
    const link = fakeLink('1');
    const waiting = rec.until(() => rec.links.length === 1, 'a link', 1000);
    rec.onLink(link);
    await expect(waiting).resolves.toBeUndefined();
    await expect(rec.until(() => false, 'never', 30)).rejects.toThrow(
      /timed out after 30 ms waiting for never/,
    );
  });
});

describe('ConformanceRecorder on an injected clock', () => {
  /** A clock that only moves when the suite sleeps on it. */
  function manualClock(): ConformanceClock & { slept: number[] } {
    let now = 0;
    const slept: number[] = [];
    return {
      slept,
      now: () => now,
      async sleep(ms) {
        slept.push(ms);
        now += ms;
        await Promise.resolve();
      },
    };
  }

  it('until() times out after timeoutMs of that clock, however long that takes in real time', async () => {
    const clock = manualClock();
    const rec = new ConformanceRecorder('r', clock);
    await expect(rec.until(() => false, 'never', 60_000)).rejects.toThrow(
      /r: timed out after 60000 ms waiting for never/,
    );
    expect(clock.now()).toBeGreaterThanOrEqual(60_000);
    expect(clock.now()).toBeLessThan(60_020);
  });

  it('until() resolves when state changed by the clock holds, without a callback', async () => {
    const clock = manualClock();
    const rec = new ConformanceRecorder('r', clock);
    await rec.until(() => clock.now() >= 1_000, 'a second of clock time', 5_000);
    expect(clock.now()).toBeGreaterThanOrEqual(1_000);
    expect(clock.now()).toBeLessThan(1_100);
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(10);
  });
});
