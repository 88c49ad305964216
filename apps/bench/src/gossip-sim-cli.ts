#!/usr/bin/env node
/**
 * `npm run bench:gossip-sim`: flooding against the broadcast mode over a simulated gossipsub
 * room, same scenario and seed, for each room size × degree; writes each room to
 * `results/gossip-sim/<peers>p-d<degree>.json` as soon as it is done (separate processes can
 * measure separate rooms) and the table of every room measured to `results/gossip-sim.md`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { intList, positive } from './cli-args.js';
import { compareRoom, type GossipRoomResult } from './gossip-sim.js';
import { type GossipSimSaved, gossipSimMarkdown } from './gossip-tables.js';
import { machine } from './real/run.js';

const list = intList(2, '200,1000');

const opts = new Command()
  .name('bench-gossip-sim')
  .description(
    'Flooding vs broadcast over simulated gossipsub, same scenario and seed, per room size and degree.',
  )
  .option('--peers <list>', 'room sizes', list, [200, 1000])
  .option('--degrees <list>', 'degrees of the random regular graphs', list, [4, 12])
  .option('--duration <s>', 'virtual seconds per run', positive, 60)
  .option('--warmup <s>', 'warm-up excluded from rollback and arrivals', positive, 20)
  .option('--rate <n>', 'events per peer per minute', positive, 1)
  .option('--delta <ms>', 'Δ in ms', positive, 500)
  .option('--skip <list>', 'peers×degree pairs to skip, e.g. 1000x12', (v) => v.split(','), [] as string[])
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
    skip: string[];
    out: string;
    write: boolean;
  }>();

const dir = join(opts.out, 'gossip-sim');
/** Every room measured so far (this run's and earlier runs' files), by size then degree. */
function savedRooms(): GossipSimSaved {
  const rooms = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as GossipRoomResult)
    : [];
  rooms.sort((a, b) => a.spec.peers - b.spec.peers || a.spec.degree - b.spec.degree);
  return { machine: machine(), date: new Date().toISOString(), rooms };
}

let failed = false;
for (const peers of opts.peers) {
  for (const degree of opts.degrees) {
    if (opts.skip.includes(`${peers}x${degree}`) || degree >= peers) continue;
    let last = -1;
    const result = await compareRoom(
      {
        peers,
        degree,
        perPeerPerMinute: opts.rate,
        deltaMs: opts.delta,
        durationS: opts.duration,
        warmupS: opts.warmup,
      },
      (mode, f) => {
        const pct = Math.floor(f * 10) * 10;
        if (pct === last) return;
        last = pct;
        process.stderr.write(`[${peers} peers, degree ${degree}, ${mode}] ${pct}%\n`);
        if (pct === 100) last = -1;
      },
    );
    if (!result.flood.converged || !result.broadcast.converged) failed = true;
    const r = (m: GossipRoomResult['flood']): string =>
      `${m.mode}: rollback ${m.rollbackPct.toFixed(4)} %, ${m.messagesPerEvent} msgs/event, ${m.bytesPerEvent} B/event, arrival p99 ${m.arrivalMs.p99} ms, cpu ${m.cpuS} s, converged ${m.converged}`;
    process.stderr.write(`  ${r(result.flood)}\n  ${r(result.broadcast)}\n`);
    if (opts.write) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${peers}p-d${degree}.json`),
        `${JSON.stringify({ ...result, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`,
      );
      writeFileSync(join(opts.out, 'gossip-sim.md'), gossipSimMarkdown(savedRooms()));
      process.stderr.write(
        `wrote ${join(dir, `${peers}p-d${degree}.json`)} and ${join(opts.out, 'gossip-sim.md')}\n`,
      );
    }
  }
}
process.stdout.write(`${gossipSimMarkdown(savedRooms())}\n`);
if (failed) process.exitCode = 1;
