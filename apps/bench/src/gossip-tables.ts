/**
 * Markdown tables of the flooding-vs-broadcast comparisons (simulated and real), shared by the
 * CLIs and by the docs/scale.md generator.
 */
import type { RealGossipFigures } from './gossip-real.js';
import type { GossipRoomResult, ModeFigures } from './gossip-sim.js';

/** A saved simulated comparison (`results/gossip-sim.json`). */
export interface GossipSimSaved {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly date: string;
  readonly rooms: readonly GossipRoomResult[];
}

const n = (x: number, digits = 0): string =>
  digits === 0 ? Math.round(x).toLocaleString('en-US').replace(/,/g, ' ') : x.toFixed(digits);

/** The simulated comparison's tables: one row per room and mode, then gossipsub by message type. */
export function gossipSimMarkdown(saved: GossipSimSaved): string {
  const spec = saved.rooms[0]?.spec;
  const lines = [
    '# Flooding vs broadcast (simulated gossipsub)',
    '',
    spec === undefined
      ? 'No rooms.'
      : `Random regular graphs, 50 ms links (s.d. 10 ms), ${spec.perPeerPerMinute} event per peer per minute, ` +
        `Δ = ${spec.deltaMs} ms, ${spec.durationS} virtual s (warm-up ${spec.warmupS} s excluded from rollback and ` +
        `arrivals), seed ${spec.seed}; both modes on the same scenario and seed. gossipsub: D = 6, D_lo = 4, ` +
        'D_hi = 12, D_lazy = 6, heartbeat 1 s, IHAVE over the last 3 heartbeats, floodPublish (the libp2p defaults of ' +
        "`@symmetric/transport-libp2p`'s `gossip` option). Per event: what carrying the events cost, link frames that carried events (flooded, repaired, pulled) + every gossipsub RPC (data and control), per event emitted. " +
        'Background: every other link frame (SYNC, hashes, frontier announcements), per peer per second. ' +
        'Arrival: first copy of each event at each other peer. CPU: this process, simulation and wire tap (it decodes every frame once more).',
    '',
    `Machine: ${saved.machine.cpu} × ${saved.machine.cores}, Node ${saved.machine.node}; ${saved.date}.`,
    '',
    '| peers | degree | mode | converged | rollback % | events | messages / event | bytes / event | background msgs / B per peer·s | arrival p50 / p95 / p99 (ms) | hops p50 / p95 / p99 | CPU s |',
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of saved.rooms) {
    for (const m of [r.flood, r.broadcast]) lines.push(row(r, m));
  }
  lines.push(
    '',
    'gossipsub by message type (broadcast runs), per event emitted: messages / bytes. Duplicates: data copies that reached a peer holding the message, per first delivery. Lazy: first deliveries that came by IWANT.',
    '',
    '| peers | degree | data (eager) | IWANT replies | IHAVE (ids) | IWANT (ids) | GRAFT | PRUNE | duplicates / delivery | lazy deliveries | mesh mean (min–max) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of saved.rooms) {
    const g = r.broadcast.gossip;
    if (g === undefined) continue;
    const e = Math.max(1, r.broadcast.eventsGenerated);
    const c = (x: { messages: number; bytes: number }): string =>
      `${n(x.messages / e, 1)} / ${n(x.bytes / e)}`;
    lines.push(
      `| ${r.spec.peers} | ${r.spec.degree} | ${c(g.data)} | ${c(g.iwantReplies)} | ${c(g.ihave)} (${n(g.ihave.ids / e, 1)}) | ` +
        `${c(g.iwant)} (${n(g.iwant.ids / e, 2)}) | ${c(g.graft)} | ${c(g.prune)} | ` +
        `${n(g.duplicates / Math.max(1, g.deliveries), 2)} | ${g.lazyDeliveries} | ${n(g.mesh.mean, 1)} (${g.mesh.min}–${g.mesh.max}) |`,
    );
  }
  lines.push(
    '',
    'Reproduce: `npx turbo run build --filter=@symmetric/bench...` then `npm run bench:gossip-sim -w @symmetric/bench` ' +
      '(`-- --peers 200,1000 --degrees 4,12 --duration 60`).',
    '',
  );
  return lines.join('\n');
}

function row(r: GossipRoomResult, m: ModeFigures): string {
  const s = (x: ModeFigures['arrivalMs'], d = 0): string =>
    `${n(x.p50, d)} / ${n(x.p95, d)} / ${n(x.p99, d)}`;
  return (
    `| ${r.spec.peers} | ${r.spec.degree} | ${m.mode} | ${m.converged ? 'yes' : 'NO'} | ${m.rollbackPct.toFixed(4)} | ` +
    `${m.eventsGenerated} | ${n(m.messagesPerEvent)} | ${n(m.bytesPerEvent)} | ${n(m.backgroundMessagesPerPeerS, 1)} / ${n(m.backgroundBytesPerPeerS)} | ${s(m.arrivalMs)} | ${s(m.arrivalHops)} | ${n(m.cpuS, 1)} |`
  );
}

/** A saved real comparison (`results/gossip-real.json`). */
export interface GossipRealSaved {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly date: string;
  readonly runs: readonly RealGossipFigures[];
}

/** The real libp2p comparison's table: one row per room and mode. */
export function gossipRealMarkdown(saved: GossipRealSaved): string {
  const spec = saved.runs[0]?.spec;
  const lines = [
    '# Flooding vs broadcast on real libp2p (gossipsub)',
    '',
    spec === undefined
      ? 'No runs.'
      : `One process, one \`@symmetric/transport-libp2p\` node per peer (TCP on 127.0.0.1, Noise, yamux; gossipsub ` +
        `with the \`gossip\` option's defaults in the broadcast mode), random regular graphs, no injected latency, ` +
        `${spec.perPeerPerMinute} event per peer per minute, Δ = ${spec.deltaMs} ms, ${spec.durationS} s of wall time ` +
        `(warm-up ${spec.warmupS} s excluded from rollback, CPU and event-loop delay), signed events. Messages and ` +
        'bytes: whole run, all peers; links = Symmetric frames (payload bytes, before Noise/yamux); gossip = ' +
        "gossipsub's own counters (data messages sent, control entries sent, RPC bytes). Wall s above the run's " +
        'seconds (plus start-up) means the process did not get the CPU to keep the schedule (see the load).',
    '',
    `Machine: ${saved.machine.cpu} × ${saved.machine.cores}, Node ${saved.machine.node}; ${saved.date}.`,
    '',
    '| peers | degree | mode | converged | rollback % | events | link msgs | link bytes | gossip data msgs | gossip control | gossip bytes | events via channel | mesh | CPU % | loop delay p50 / p99 / max (ms) | slowest ticks/s | load | wall s |',
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of saved.runs) {
    lines.push(
      `| ${r.spec.peers} | ${r.spec.degree} | ${r.spec.mode} | ${r.converged ? 'yes' : `NO (${r.distinctFinalHashes} hashes)`} | ` +
        `${r.rollbackPct.toFixed(4)} | ${r.eventsGenerated} | ${n(r.linkMessages)} | ${n(r.linkBytes)} | ` +
        `${n(r.gossipDataMessages)} | ${n(r.gossipControlEntries)} | ${n(r.gossipBytes)} | ${n(r.eventsViaChannel)} | ` +
        `${n(r.meshMean, 1)} | ${n(r.cpuPct, 1)} | ${n(r.eventLoopDelayMs.p50, 2)} / ${n(r.eventLoopDelayMs.p99, 1)} / ` +
        `${n(r.eventLoopDelayMs.max, 0)} | ${n(r.slowestTicksPerS, 2)} | ${n(r.loadAverage1m, 1)} | ${n(r.wallS)} |`,
    );
  }
  lines.push(
    '',
    'Reproduce: `npx turbo run build --filter=@symmetric/bench...` then `npm run bench:gossip-real -w @symmetric/bench` ' +
      '(`-- --peers 50 --degrees 4,12 --duration 60`).',
    '',
  );
  return lines.join('\n');
}
