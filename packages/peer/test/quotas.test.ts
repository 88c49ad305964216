import { isPeerError, QUOTA_DEFAULTS } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import { RateLimit, resolveQuotas } from '../src/quotas.js';
import { snapshotVerdict } from '../src/snapshot-verify.js';

describe('quotas', () => {
  it('defaults fill in missing fields; bad or unknown fields are INVALID_OPTION', () => {
    expect(resolveQuotas(undefined)).toEqual(QUOTA_DEFAULTS);
    expect(resolveQuotas({ maxSnapshotChunks: 8 }).maxSnapshotChunks).toBe(8);
    for (const bad of [{ maxSnapshotChunks: 0 }, { maxSnapshotBytes: 1.5 }, { nope: 1 }]) {
      let caught: unknown;
      try {
        resolveQuotas(bad as never);
      } catch (error) {
        caught = error;
      }
      expect(isPeerError(caught, 'INVALID_OPTION')).toBe(true);
    }
  });

  it('a rate limit allows its rate over the window and refuses a burst beyond it', () => {
    const r = new RateLimit(10, 1000);
    for (let t = 0; t < 5000; t += 100) expect(r.take(1, t)).toBe(true);
    expect(r.take(50, 5000)).toBe(false);
  });
});

describe('snapshot frontier verdict', () => {
  const others = [new Map([['s', 10]])];
  const own = (source: string) => (source === 's' ? 8 : 0);

  it('nothing to compare with: unchecked, taken', () => {
    expect(snapshotVerdict([['s', 2 ** 40]], { own, others: [] }, 64, 4)).toEqual({
      problem: undefined,
      checked: false,
    });
  });

  it('within what others vouch for (plus the slack) passes; far beyond is refused', () => {
    expect(snapshotVerdict([['s', 70]], { own, others }, 64, 4).problem).toBeUndefined();
    expect(snapshotVerdict([['s', 2 ** 40]], { own, others }, 64, 4).problem).toMatch(/vouch for #10/);
  });

  it('too many sources nobody knows is refused', () => {
    const frontier = ['a', 'b', 'c', 'd', 'e'].map((x) => [x, 1] as const);
    expect(snapshotVerdict(frontier, { own, others }, 64, 4).problem).toMatch(/more than 4 sources/);
  });
});
