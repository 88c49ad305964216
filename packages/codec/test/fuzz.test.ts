import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FuzzCorpus, runFuzz } from '../bench/fuzz-engine.js';
import * as api from '../src/index.js';
import { DEFAULT_LIMITS } from '../src/index.js';
import { bytesUpTo, frameArb, type GeneratedLimits, jsonPayload } from './arbitraries.js';

declare const console: { log(...args: unknown[]): void };

const SEED = 20240603;

/** Recorded link sequences for three payload codecs (built with fast-check, fixed seed). */
function corpora(sequences: number): FuzzCorpus[] {
  // The frames keep to each corpus's limits: the encoder refuses what its decoder would.
  const seqs = <E>(payload: fc.Arbitrary<E>, seed: number, limits: GeneratedLimits = {}) =>
    fc.sample(fc.array(frameArb(payload, limits), { minLength: 1, maxLength: 6 }), {
      numRuns: sequences,
      seed,
    });
  // Every corpus is checked by re-encoding: each codec here, MessagePack included, accepts only
  // the one encoding of a value, so a frame it decodes encodes again to the same bytes.
  const rawPresence = { presenceData: bytesUpTo(DEFAULT_LIMITS.maxPresenceBytes) };
  const bytesLimits = { maxPayloadBytes: 64, maxBatchEvents: 40 };
  return [
    { name: 'msgpack', options: {}, sequences: seqs(jsonPayload, SEED), roundTrip: true },
    {
      name: 'rectangle',
      options: { payload: api.rectangleKeyCodec, presence: api.bytesPayloadCodec },
      sequences: seqs(fc.integer({ min: 0, max: 4 }), SEED + 1, rawPresence),
      roundTrip: true,
    },
    {
      name: 'bytes',
      options: { payload: api.bytesPayloadCodec, presence: api.bytesPayloadCodec, limits: bytesLimits },
      sequences: seqs(fc.uint8Array({ maxLength: 40 }), SEED + 2, { ...bytesLimits, ...rawPresence }),
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
