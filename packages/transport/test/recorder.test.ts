import { type Link, TransportError } from '@symmetric/transport';
import { ConformanceRecorder } from '@symmetric/transport/conformance';
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
