#!/usr/bin/env node
/**
 * `npm run bench:security`: what authentication costs. Ed25519 sign and verify per event
 * (`@noble/curves`, synchronous), batch verification per event for frames of 1 to 64 events
 * (one source, eight sources) against one by one, a verify the process has already done (memo
 * hit, as every simulated peer after the first), bytes added per event and per link on the wire,
 * and the paper cell (50 ms, 25 events/min, 2×) with signing on and off: in the simulator with a
 * fixed latency (same delays in both runs) and over seeds with the cell's normal latency (paired
 * by seed), and on real sockets (21 peers on ws://127.0.0.1).
 */
import { performance } from 'node:perf_hooks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createCodec, eventSignedBytes, rectangleKeyCodec, type WireEvent } from '@symmetric/codec';
import { BATCH_VERIFY_MIN, generateIdentity, type SignedMessage, verifyBatch } from '@symmetric/peer';
import { runScenario } from '@symmetric/sim';
import { Command } from 'commander';
import { positive } from './cli-args.js';
import { cellScenario, paperSetting } from './grid.js';
import { REAL_CELL } from './real/compare.js';
import { runRealScenario } from './real/run.js';

const opts = new Command()
  .name('bench-security')
  .description('Cost of signed events and authenticated links.')
  .option('--events <n>', 'events signed and verified in the micro-benchmark', positive, 2000)
  .option('--sim-duration <s>', 'seconds of each simulated paper-cell run', positive, 300)
  .option('--sim-seeds <n>', 'seeds of the simulated signed-vs-trusted comparison', positive, 10)
  .option('--real-duration <s>', 'wall seconds of each real-socket run (0: skip)', Number, 60)
  .option('--real-pairs <n>', 'trusted/signed pairs of real-socket runs (order alternates)', positive, 1)
  .parse()
  .opts<{ events: number; simDuration: number; simSeeds: number; realDuration: number; realPairs: number }>();

const room = 'bench';
const id = generateIdentity();
const source = `${id.peerId}~1`;
const events: WireEvent<number>[] = Array.from({ length: opts.events }, (_, i) => ({
  source,
  seq: i + 1,
  tick: 1000 + i * 3,
  payload: i % 5,
}));
const message = (ev: WireEvent<number>): Uint8Array =>
  eventSignedBytes(room, ev.source, ev.seq, ev.tick, rectangleKeyCodec.encode(ev.payload));

const us = (ms: number, n: number): string => `${((ms * 1000) / n).toFixed(1)} µs`;
let t = performance.now();
const signed = events.map((ev) => ({ ...ev, signature: ed25519.sign(message(ev), id.secretKey) }));
const signMs = performance.now() - t;
t = performance.now();
let ok = 0;
for (const ev of signed) if (ed25519.verify(ev.signature, message(ev), id.publicKey)) ok++;
const verifyMs = performance.now() - t;
// Batches: the events of one frame verified as one multi-scalar multiplication (the runtime's
// verifyBatch), per event, against one by one; frames of one source and of eight sources.
const others = Array.from({ length: 7 }, () => generateIdentity());
const mixed = signed.map((ev, i) => {
  const key = i % 8 === 0 ? id : others[(i % 8) - 1]!;
  const src = { ...ev, source: `${key.peerId}~1` };
  return { ...src, signature: ed25519.sign(message(src), key.secretKey), publicKey: key.publicKey };
});
const random = (bytes: Uint8Array): Uint8Array => crypto.getRandomValues(bytes);
const batchSizes = [1, 2, 4, 8, 16, 32, 64];
const batchRows: { size: number; oneSource: Ratio; eightSources: Ratio }[] = [];
/** Per event, µs: the same frames verified one by one and as batches, alternating (a shared machine's load hits both alike). */
interface Ratio {
  single: number;
  batch: number;
}
const perEvent = (items: readonly SignedMessage[], size: number): Ratio => {
  const rounds = Math.max(1, Math.floor(items.length / size));
  let single = 0;
  let batch = 0;
  for (let b = 0; b < rounds; b++) {
    const frame = items.slice(b * size, b * size + size);
    let start = performance.now();
    for (const it of frame)
      if (!ed25519.verify(it.signature, it.message, it.publicKey)) throw new Error('verify failed');
    single += performance.now() - start;
    start = performance.now();
    if (!verifyBatch(frame, random)) throw new Error('batch failed');
    batch += performance.now() - start;
  }
  const n = rounds * size;
  return { single: (single * 1000) / n, batch: (batch * 1000) / n };
};
const oneSourceItems = signed.map((ev) => ({
  publicKey: id.publicKey,
  message: message(ev),
  signature: ev.signature,
}));
const mixedItems = mixed.map((ev) => ({
  publicKey: ev.publicKey,
  message: message(ev),
  signature: ev.signature,
}));
for (const size of batchSizes)
  batchRows.push({
    size,
    oneSource: perEvent(oneSourceItems, size),
    eightSources: perEvent(mixedItems, size),
  });
// Memo hit: the peer runtime keys verified (key, signature) → message; a hit is a map lookup and
// a byte comparison of the message.
const memo = new Map<string, Uint8Array>();
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
for (const ev of signed) memo.set(latin1(id.publicKey) + latin1(ev.signature), message(ev));
t = performance.now();
let hits = 0;
for (const ev of signed) {
  const m = memo.get(latin1(id.publicKey) + latin1(ev.signature));
  const msg = message(ev);
  if (m !== undefined && m.length === msg.length && m.every((x, i) => x === msg[i])) hits++;
}
const memoMs = performance.now() - t;

// Wire: a run of 100 consecutive events of one source, as flooding sends them, with and without
// signatures; and the handshake frames.
const codec = createCodec<number>({ payload: rectangleKeyCodec });
const frameBytes = (list: readonly WireEvent<number>[]): number =>
  codec.encoder().encode({ type: 'events', events: list }).length;
const run = Math.min(100, signed.length);
const plain = frameBytes(events.slice(0, run));
const withSig = frameBytes(signed.slice(0, run));
const one = frameBytes(events.slice(0, 1));
const oneSigned = frameBytes(signed.slice(0, 1));
const enc = codec.encoder();
const challenge = enc.encode({ type: 'challenge', nonce: new Uint8Array(32) }).length;
const auth = enc.encode({ type: 'auth', signature: new Uint8Array(64), mac: new Uint8Array(0) }).length;
const authMac = enc.encode({ type: 'auth', signature: new Uint8Array(64), mac: new Uint8Array(32) }).length;

console.log(`Ed25519 (@noble/curves ${ok === signed.length ? 'ok' : 'FAILED'}), ${signed.length} events:`);
console.log(`  sign         ${us(signMs, signed.length)} per event`);
console.log(`  verify       ${us(verifyMs, signed.length)} per event`);
console.log(
  `Batch verification (one multi-scalar multiplication per frame; the runtime batches from ${BATCH_VERIFY_MIN} unverified events), per event, the same frames one by one and as a batch:`,
);
console.log(
  '  events   one source: single  batch  (batch/single)   eight sources: single  batch  (batch/single)',
);
const cell = (r: Ratio): string =>
  `${r.single.toFixed(0).padStart(6)} µs ${r.batch.toFixed(0).padStart(6)} µs (${(r.batch / r.single).toFixed(2)})`;
for (const r of batchRows)
  console.log(`  ${String(r.size).padStart(6)}   ${cell(r.oneSource)}        ${cell(r.eightSources)}`);
console.log(`  memo hit     ${us(memoMs, signed.length)} per event (${hits} hits)`);
console.log('Wire:');
console.log(`  one event    ${one} B unsigned, ${oneSigned} B signed (+${oneSigned - one} B)`);
console.log(
  `  run of ${run}   ${plain} B unsigned, ${withSig} B signed (+${((withSig - plain) / run).toFixed(1)} B per event)`,
);
console.log(
  `  handshake    +${challenge + auth} B per link direction (challenge ${challenge} B, auth ${auth} B; ${authMac} B with a room secret)`,
);

const setting = paperSetting();
const cellLine = `paper cell 50 ms / 25 per min / 2x, ${opts.simDuration} s`;
// Fixed latency: both runs see the same delays, so any difference would be signing's own.
const fixed = cellScenario(setting, REAL_CELL, 0, opts.simDuration);
const fixedLatency = { ...fixed, latency: { dist: 'normal' as const, meanMs: REAL_CELL.latencyMs, sdMs: 0 } };
const fixedRuns = await Promise.all(
  [true, false].map((trusted) => runScenario({ ...fixedLatency, trusted })),
);
for (const [i, m] of fixedRuns.entries())
  console.log(
    `Simulator, ${cellLine}, fixed 50 ms latency, ${i === 0 ? 'trusted' : 'signed '}: rollback ${m.rollbackPct.toFixed(4)} % (${m.rollbacks} rollbacks, ${m.ticksTravelledBack} ticks back), converged ${m.converged}`,
  );
// Normal latency (s.d. 10 ms): the network draws one delay per frame from one seeded stream in
// send order, and the handshake's challenge and auth frames draw too, so a signed run sees other
// delays than the trusted run of the same seed. Compare over seeds, paired by seed.
const pairs: { trusted: number; signed: number }[] = [];
for (let r = 0; r < opts.simSeeds; r++) {
  const scenario = cellScenario(setting, REAL_CELL, r, opts.simDuration);
  const [t, sgn] = await Promise.all([true, false].map((trusted) => runScenario({ ...scenario, trusted })));
  pairs.push({ trusted: t!.rollbackPct, signed: sgn!.rollbackPct });
  if (!t!.converged || !sgn!.converged) console.log(`  seed ${r + 1}: NOT converged`);
}
const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const se = (xs: readonly number[]): number => {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
};
const diffs = pairs.map((p) => p.signed - p.trusted);
console.log(
  `Simulator, ${cellLine}, seed 1: trusted ${pairs[0]!.trusted.toFixed(4)} %, signed ${pairs[0]!.signed.toFixed(4)} %`,
);
console.log(
  `Simulator, ${cellLine}, ${pairs.length} seeds: trusted ${mean(pairs.map((p) => p.trusted)).toFixed(4)} % ± ${se(pairs.map((p) => p.trusted)).toFixed(4)}, signed ${mean(pairs.map((p) => p.signed)).toFixed(4)} % ± ${se(pairs.map((p) => p.signed)).toFixed(4)}, signed − trusted ${mean(diffs).toFixed(4)} ± ${se(diffs).toFixed(4)} points (mean ± standard error)`,
);
if (opts.realDuration > 0) {
  const real = cellScenario(setting, REAL_CELL, 0, opts.realDuration);
  const warm = Math.min(real.warmupS, Math.max(1, opts.realDuration / 4));
  // Real runs share the machine with everything else on it: each pair alternates which mode runs
  // first, and each line says what the process went through (event-loop delay, CPU, clock spread).
  for (let rep = 0; rep < opts.realPairs; rep++) {
    const order = rep % 2 === 0 ? [true, false] : [false, true];
    for (const trusted of order) {
      const m = await runRealScenario({ ...real, warmupS: warm, trusted });
      const rt = m.runtime;
      console.log(
        `Real sockets (21 peers, ws://127.0.0.1), same cell, ${opts.realDuration} s, pair ${rep + 1}, ${trusted ? 'trusted' : 'signed '}: rollback ${m.rollbackPct.toFixed(4)} % (lower bound ${m.lowerBoundPct.toFixed(4)} %), converged ${m.converged}; event loop p99 ${rt.eventLoopDelayMs.p99.toFixed(1)} ms, CPU ${rt.cpuPct.toFixed(0)} %, clock spread p99 ${rt.clockSpreadMs.p99.toFixed(1)} ms, load ${rt.loadAverage1m.toFixed(1)}`,
      );
    }
  }
}
