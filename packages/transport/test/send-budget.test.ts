import { describe, expect, it } from 'vitest';
import { linksOverTotal } from '../src/index.js';

const link = (name: string, held: number) => ({ name, buffered: () => held });

describe('linksOverTotal', () => {
  const a = link('a', 40);
  const b = link('b', 10);
  const c = link('c', 30);

  it('closes nothing while the total with the new bytes fits', () => {
    expect(linksOverTotal([a, b, c], b, 20, 100)).toEqual([]);
  });

  it('closes the heaviest links first until the total fits, the sender counted with its new bytes', () => {
    expect(linksOverTotal([a, b, c], b, 25, 100).map((l) => l.name)).toEqual(['a']);
    expect(linksOverTotal([a, b, c], b, 45, 100).map((l) => l.name)).toEqual(['b']);
    expect(linksOverTotal([a, b, c], c, 50, 40).map((l) => l.name)).toEqual(['c', 'a']);
  });

  it('a sender within its share of the total is not summed over', () => {
    const heavy = link('heavy', 1_000);
    const light = link('light', 0);
    expect(linksOverTotal([heavy, light], light, 10, 100)).toEqual([]);
    expect(linksOverTotal([heavy, light], heavy, 10, 100).map((l) => l.name)).toEqual(['heavy']);
  });
});
