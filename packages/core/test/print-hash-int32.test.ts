import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTerm, sourceHash } from '../src/history-print.js';

describe("a source's print hashes kept as signed 32-bit integers", () => {
  it('give every event the same digest term as the unsigned hashes', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 24 }),
        fc.maxSafeNat(),
        fc.nat(2 ** 40),
        (source, seq, tick) => {
          const a = sourceHash(source, 0);
          const b = sourceHash(source, 0x5bd1e995);
          expect(eventTerm(a | 0, b | 0, seq, tick)).toBe(eventTerm(a, b, seq, tick));
        },
      ),
    );
  });
});
