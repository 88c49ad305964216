import { describe, expect, it } from 'vitest';
import { printOrder } from '../src/history-rank.js';

const p = (tick: number, count: number, digest = count * 7) => ({ tick, count, digest });

describe('printOrder: two histories compared on their prints', () => {
  const mine = [p(100, 5), p(110, 6), p(120, 8), p(130, 9)];

  it('equal prints at the newest common mark: equal (the frontiers decide)', () => {
    expect(printOrder(mine, [p(120, 8), p(130, 9)])).toBe('equal');
    // No common mark: nothing to tell.
    expect(printOrder(mine, [p(140, 1), p(150, 2)])).toBe('equal');
  });

  it('reads the order at the newest mark both sent: more events, then the larger digest', () => {
    expect(printOrder(mine, [p(120, 8), p(130, 10)])).toBe('greater');
    expect(printOrder(mine, [p(120, 8), p(130, 8)])).toBe('less');
    expect(printOrder(mine, [p(130, 9, 1)])).toBe('less');
    expect(printOrder(mine, [p(130, 9, 2 ** 48 - 1)])).toBe('greater');
    // This peer sent marks up to 120 only: the neighbour's 130 is not read, both read 120.
    expect(printOrder(mine, [p(120, 9), p(130, 8)], 120)).toBe('greater');
  });

  it('differing only at marks from before the link opened: pending, decided by a later mark', () => {
    const theirs = [p(110, 6), p(120, 7)];
    expect(printOrder(mine, theirs, Number.POSITIVE_INFINITY, 120)).toBe('pending');
    expect(printOrder(mine, [...theirs, p(130, 12)], Number.POSITIVE_INFINITY, 120)).toBe('greater');
    // Equal at the newest common mark: the histories settled the same (the older ones agree too).
    expect(printOrder(mine, [p(120, 8)], Number.POSITIVE_INFINITY, 125)).toBe('equal');
  });
});
