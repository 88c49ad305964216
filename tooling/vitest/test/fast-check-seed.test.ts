import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FC_SEED } from '../fast-check-seed.ts';

describe('fast-check seed (vitest setup)', () => {
  it('properties run from the default seed unless FC_SEED says otherwise', () => {
    const chosen = process.env.FC_SEED;
    const seed = fc.readConfigureGlobal().seed;
    if (chosen === 'random') expect(seed).toBeUndefined();
    else expect(seed).toBe(chosen === undefined || chosen === '' ? DEFAULT_FC_SEED : Number(chosen));
  });

  it('so a property draws the same cases in every run (other cases each time with FC_SEED=random)', () => {
    const draw = () => fc.sample(fc.integer(), 5);
    if (process.env.FC_SEED === 'random') expect(draw()).not.toEqual(draw());
    else expect(draw()).toEqual(draw());
  });
});
