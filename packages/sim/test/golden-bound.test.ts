/**
 * The golden scenarios against their realized lower bound: the bound is the least rollback any
 * protocol can have on the network each run drew, so no golden run sits under it by more than
 * its measured clock skew explains (a peer whose clock trails the room's by k ticks finds each
 * late event k ticks less late: at most `skew max × rollbacks` ticks in all).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Metrics } from '../src/index.js';

const file = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'metrics.json');
const golden = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Metrics>;

describe('golden scenarios and their realized lower bound', () => {
  for (const [name, m] of Object.entries(golden)) {
    it(`${name}: rolls back at least its bound, less only what its clock skew explains`, () => {
      expect(m.converged).toBe(true);
      const bound = m.lowerBoundTicks ?? 0;
      const skewAllowance = m.skewTicks.max * m.rollbacks;
      expect(m.ticksTravelledBack).toBeGreaterThanOrEqual(bound - skewAllowance);
    });
  }
});
