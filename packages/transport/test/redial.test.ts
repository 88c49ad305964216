import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, duplicateLinkLoser, type LinkDirection, RedialSchedule } from '../src/index.js';

const policy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0, stableMs: 5_000 };

describe('backoffDelay', () => {
  it('grows by the factor up to maxMs, deterministic without jitter', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitter takes at most that fraction off', () => {
    const p = { ...policy, jitter: 0.5 };
    expect(backoffDelay(2, p, () => 0)).toBe(400);
    expect(backoffDelay(2, p, () => 1)).toBe(200);
    expect(backoffDelay(2, p, () => 7)).toBe(200); // a random source out of range is clamped
  });
});

describe('RedialSchedule', () => {
  it('counts failures, resets after a stable link, not after a short one', () => {
    const s = new RedialSchedule(policy);
    expect([s.failed(), s.failed(), s.failed()]).toEqual([100, 200, 400]);
    expect(s.attempts).toBe(3);
    expect(s.closed(10)).toBe(800); // short-lived link: keeps growing
    expect(s.closed(5_000)).toBe(100); // stable link: starts again
    expect(s.peek()).toBe(200);
    s.reset();
    expect(s.attempts).toBe(0);
    expect(s.failed()).toBe(100);
  });
});

describe('duplicateLinkLoser', () => {
  const dirs: LinkDirection[] = ['inbound', 'outbound'];
  it('both ends close the same link', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.constantFrom(...dirs),
        fc.constantFrom(...dirs),
        (a, b, ex, inc) => {
          fc.pre(a !== b);
          // The same two links seen from the other side: directions flip.
          const flip = (d: LinkDirection): LinkDirection => (d === 'inbound' ? 'outbound' : 'inbound');
          expect(duplicateLinkLoser(a, b, ex, inc)).toBe(duplicateLinkLoser(b, a, flip(ex), flip(inc)));
        },
      ),
    );
  });

  it('keeps the link dialled by the smaller id, else the newer one', () => {
    expect(duplicateLinkLoser('a', 'b', 'outbound', 'inbound')).toBe('incoming');
    expect(duplicateLinkLoser('a', 'b', 'inbound', 'outbound')).toBe('existing');
    expect(duplicateLinkLoser('b', 'a', 'outbound', 'inbound')).toBe('existing');
    expect(duplicateLinkLoser('a', 'b', 'outbound', 'outbound')).toBe('existing');
    expect(duplicateLinkLoser('a', 'b', 'inbound', 'inbound')).toBe('existing');
  });
});
