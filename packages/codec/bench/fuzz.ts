/**
 * Long fuzz run (default 2,000,000 cases) against the built package, with the same engine and
 * corpora as the CI fuzz test but more recorded sequences. Usage:
 * `npm run bench:fuzz -w @symmetric/codec [-- <cases> <seed>]`.
 */
import os from 'node:os';
import fc from 'fast-check';
import * as api from '../dist/index.js';
import { frameArb, type GeneratedLimits, jsonPayload } from '../test/arbitraries.ts';
import { runFuzz } from './fuzz-engine.ts';

const cases = Number(process.argv[2] ?? 2_000_000);
const seed = Number(process.argv[3] ?? 7);
const SEQUENCES = 2000;

// The frames keep to each corpus's limits: the encoder refuses what its decoder would.
const seqs = (payload: fc.Arbitrary<unknown>, s: number, limits: GeneratedLimits = {}) =>
  fc.sample(fc.array(frameArb(payload, limits), { minLength: 1, maxLength: 6 }), {
    numRuns: SEQUENCES,
    seed: s,
  });
const bytesLimits = { maxPayloadBytes: 64, maxBatchEvents: 40 };

const corpora = [
  { name: 'msgpack', options: {}, sequences: seqs(jsonPayload, seed), roundTrip: true },
  {
    name: 'rectangle',
    options: { payload: api.rectangleKeyCodec },
    sequences: seqs(fc.integer({ min: 0, max: 4 }), seed + 1),
    roundTrip: true,
  },
  {
    name: 'bytes',
    options: { payload: api.bytesPayloadCodec, limits: bytesLimits },
    sequences: seqs(fc.uint8Array({ maxLength: 40 }), seed + 2, bytesLimits),
    roundTrip: true,
  },
];

console.log('# @symmetric/codec long fuzz');
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), Node ${process.version}`,
);
const report = runFuzz(api, corpora, cases, seed);
console.log(
  `${report.cases} cases (seed ${seed}) in ${(report.ms / 1000).toFixed(1)} s ` +
    `(${Math.round(report.cases / (report.ms / 1000))} cases/s); accepted ${report.accepted}`,
);
console.log('rejected by code:', JSON.stringify(report.rejectedByCode));
console.log(`violations: ${report.violations.length}`);
for (const v of report.violations.slice(0, 20)) console.log(`  ${v}`);
if (report.violations.length > 0) process.exitCode = 1;
