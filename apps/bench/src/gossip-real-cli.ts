#!/usr/bin/env node
/**
 * `npm run bench:gossip-real`: flooding against the broadcast mode (gossipsub) on real libp2p
 * peers in this process over 127.0.0.1, per room size × degree; prints a table and writes
 * `results/gossip-real.json` and `.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { intList, positive } from './cli-args.js';
import { type RealGossipFigures, runRealGossip } from './gossip-real.js';
import { gossipRealMarkdown } from './gossip-tables.js';
import { machine } from './real/run.js';

const list = intList(2, '50,100');

const opts = new Command()
  .name('bench-gossip-real')
  .description('Flooding vs broadcast (gossipsub) on real libp2p peers in one process over 127.0.0.1.')
  .option('--peers <list>', 'room sizes', list, [50])
  .option('--degrees <list>', 'degrees of the random regular graphs', list, [4, 12])
  .option('--duration <s>', 'wall seconds per run', positive, 60)
  .option('--warmup <s>', 'warm-up excluded from the figures', positive, 20)
  .option('--rate <n>', 'events per peer per minute', positive, 1)
  .option('--delta <ms>', 'Δ in ms', positive, 300)
  .option('--out <dir>', 'output folder', new URL('../results/', import.meta.url).pathname)
  .option('--no-write', 'print only')
  .parse()
  .opts<{
    peers: number[];
    degrees: number[];
    duration: number;
    warmup: number;
    rate: number;
    delta: number;
    out: string;
    write: boolean;
  }>();

const runs: RealGossipFigures[] = [];
const saved = () => ({ machine: machine(), date: new Date().toISOString(), runs });

/** Writes the results files with the runs so far (a long series keeps what it measured). */
function write(): void {
  if (!opts.write) return;
  const md = gossipRealMarkdown(saved());
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'gossip-real.json'), `${JSON.stringify(saved(), null, 2)}\n`);
  writeFileSync(join(opts.out, 'gossip-real.md'), md);
  process.stderr.write(`wrote ${join(opts.out, 'gossip-real.md')} and .json (${runs.length} runs)\n`);
}
for (const peers of opts.peers) {
  for (const degree of opts.degrees) {
    for (const mode of ['flood', 'broadcast'] as const) {
      process.stderr.write(`[${peers} peers, degree ${degree}, ${mode}] starting\n`);
      const f = await runRealGossip(
        {
          peers,
          degree,
          mode,
          durationS: opts.duration,
          warmupS: opts.warmup,
          perPeerPerMinute: opts.rate,
          deltaMs: opts.delta,
        },
        (text) => process.stderr.write(`[${peers} peers, degree ${degree}, ${mode}] ${text}\n`),
      );
      runs.push(f);
      write();
      process.stderr.write(
        `  rollback ${f.rollbackPct.toFixed(4)} %, links ${f.linkMessages} msgs / ${f.linkBytes} B, gossip ${f.gossipDataMessages} data + ${f.gossipControlEntries} control / ${f.gossipBytes} B, cpu ${f.cpuPct} %, loop p99 ${f.eventLoopDelayMs.p99} ms, converged ${f.converged}\n`,
      );
    }
  }
}
process.stdout.write(`${gossipRealMarkdown(saved())}\n`);
if (runs.some((r) => !r.converged)) process.exitCode = 1;
