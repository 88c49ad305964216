#!/usr/bin/env node
/**
 * `npm run bench:security`: what authentication costs. Ed25519 sign and verify per event
 * (`@noble/curves`, synchronous), verify per batch of 64 events, a verify the process has
 * already done (memo hit, as every simulated peer after the first), bytes added per event and
 * per link on the wire, and the paper cell (50 ms, 25 events/min, 2×) with signing on and off,
 * in the simulator and on real sockets (21 peers on ws://127.0.0.1).
 */
import { performance } from 'node:perf_hooks';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createCodec, eventSignedBytes, rectangleKeyCodec, type WireEvent } from '@symmetric/codec';
import { generateIdentity } from '@symmetric/peer';
import { runScenario } from '@symmetric/sim';
import { Command, InvalidArgumentError } from 'commander';
import { cellScenario, paperSetting } from './grid.js';
import { REAL_CELL } from './real/compare.js';
import { runRealScenario } from './real/run.js';

function positive(v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError('expected a positive number');
  return x;
}

const opts = new Command()
  .name('bench-security')
  .description('Cost of signed events and authenticated links.')
  .option('--events <n>', 'events signed and verified in the micro-benchmark', positive, 2000)
  .option('--sim-duration <s>', 'seconds of each simulated paper-cell run', positive, 300)
  .option('--real-duration <s>', 'wall seconds of each real-socket run (0: skip)', Number, 60)
  .parse()
  .opts<{ events: number; simDuration: number; realDuration: number }>();

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
// A batch: one frame of 64 events, verified one by one (noble has no batch verification).
const batches = Math.floor(signed.length / 64);
t = performance.now();
for (let b = 0; b < batches; b++)
  for (const ev of signed.slice(b * 64, b * 64 + 64)) ed25519.verify(ev.signature, message(ev), id.publicKey);
const batchMs = (performance.now() - t) / Math.max(1, batches);
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
const run = 100;
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
  `  verify batch ${(batchMs).toFixed(2)} ms per frame of 64 events (${us(batchMs, 64)} per event)`,
);
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
const scenario = cellScenario(setting, REAL_CELL, 0, opts.simDuration);
for (const trusted of [true, false]) {
  const start = performance.now();
  const m = await runScenario({ ...scenario, trusted });
  console.log(
    `Simulator, paper cell 50 ms / 25 per min / 2x, ${opts.simDuration} s, ${trusted ? 'trusted (unsigned)' : 'signed        '}: rollback ${m.rollbackPct.toFixed(4)} %, converged ${m.converged}, wall ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}
if (opts.realDuration > 0) {
  const real = cellScenario(setting, REAL_CELL, 0, opts.realDuration);
  const warm = Math.min(real.warmupS, Math.max(1, opts.realDuration / 4));
  for (const trusted of [true, false]) {
    const m = await runRealScenario({ ...real, warmupS: warm, trusted });
    console.log(
      `Real sockets (21 peers, ws://127.0.0.1), same cell, ${opts.realDuration} s, ${trusted ? 'trusted (unsigned)' : 'signed        '}: rollback ${m.rollbackPct.toFixed(4)} %, converged ${m.converged}`,
    );
  }
}
