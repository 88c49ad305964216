import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FuzzCorpus, runFuzz } from '../bench/fuzz-engine.js';
import * as api from '../src/index.js';
import { frameArb, jsonPayload } from './arbitraries.js';

declare const console: { log(...args: unknown[]): void };

const SEED = 20240603;

/** Recorded link sequences for three payload codecs (built with fast-check, fixed seed). */
function corpora(sequences: number): FuzzCorpus[] {
  const seqs = <E>(payload: fc.Arbitrary<E>, seed: number) =>
    fc.sample(fc.array(frameArb(payload), { minLength: 1, maxLength: 6 }), { numRuns: sequences, seed });
  return [
    { name: 'msgpack', options: {}, sequences: seqs(jsonPayload, SEED), roundTrip: false },
    {
      name: 'rectangle',
      options: { payload: api.rectangleKeyCodec },
      sequences: seqs(fc.integer({ min: 0, max: 4 }), SEED + 1),
      roundTrip: true,
    },
    {
      name: 'bytes',
      options: { payload: api.bytesPayloadCodec, limits: { maxPayloadBytes: 64, maxBatchEvents: 40 } },
      sequences: seqs(fc.uint8Array({ maxLength: 40 }), SEED + 2),
      roundTrip: true,
    },
  ];
}

describe('fuzz: decode only ever returns a frame or throws CodecError', () => {
  it('120,000 random and mutated inputs', () => {
    const report = runFuzz(api, corpora(150), 120_000, SEED);
    console.log(
      `fuzz: ${report.cases} cases in ${report.ms.toFixed(0)} ms, accepted ${report.accepted}, rejected`,
      report.rejectedByCode,
    );
    expect(report.violations.slice(0, 5)).toEqual([]);
    expect(report.cases).toBe(120_000);
    // The mutations reach deep into the format, not just the envelope checks.
    for (const code of [
      'TRUNCATED',
      'TRAILING_BYTES',
      'UNKNOWN_TYPE',
      'BAD_VARINT',
      'UNKNOWN_SOURCE',
      'BAD_FLAGS',
    ]) {
      expect(report.rejectedByCode[code] ?? 0, code).toBeGreaterThan(0);
    }
    expect(report.accepted).toBeGreaterThan(1000);
  });
});
