/**
 * Cost of a clock's per-step and per-SYNC calls in a large room, the way a peer makes them:
 * `CLOCKS` clocks on a ring, each linked to its `LINKS` nearest neighbours; every clock steps
 * `STEPS_PER_S` times a virtual second (`advance`, `clockTick`, `networkTick`) and, once a second
 * per link, sends a SYNC (`syncDue`, `syncFor`) that the neighbour takes 20 ms later (`onSync`).
 * Prints CPU ns per step (the three calls) and per SYNC (the three calls) from process.cpuUsage
 * (user + system; the machine may be shared, so compare runs made side by side), and a checksum
 * of every tick read, which must not change with the implementation.
 *
 * `node bench/steps.ts [path of the built package's index.js]` (default ../dist/index.js), after
 * `npm run build`.
 */
import { pathToFileURL } from 'node:url';
import type { Clock as ClockClass, SyncMessage } from '../src/index.ts';

const CLOCKS = 2000;
const LINKS = 6;
const STEPS_PER_S = 50;
const WARM_UP_S = 20;
const MEASURE_S = 40;
const LATENCY_MS = 20;

const target = process.argv[2] ?? new URL('../dist/index.js', import.meta.url).pathname;
const { Clock } = (await import(pathToFileURL(target).href)) as { Clock: typeof ClockClass };

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

const clocks = Array.from({ length: CLOCKS }, () => new Clock({ fps: 60 }));
/** Neighbours of clock i: i ± 1 … i ± LINKS / 2 on the ring. */
const neighbours = clocks.map((_, i) => {
  const out: number[] = [];
  for (let d = 1; d <= LINKS / 2; d++) out.push((i + d) % CLOCKS, (i - d + CLOCKS) % CLOCKS);
  return out;
});
/** Each clock starts at its own time within the first second (a room that joined over time). */
const startAt = clocks.map((_, i) => (i * 997) % 1000);

interface InFlight {
  readonly at: number;
  readonly to: number;
  readonly from: number;
  readonly msg: SyncMessage;
}
let inFlight: InFlight[] = [];
let checksum = 0;
let stepNs = 0;
let steps = 0;
let syncNs = 0;
let syncs = 0;

const frameMs = 1000 / STEPS_PER_S;
const frames = (WARM_UP_S + MEASURE_S) * STEPS_PER_S;
for (let f = 0; f <= frames; f++) {
  const now = f * frameMs;
  const measuring = f > WARM_UP_S * STEPS_PER_S;
  const due = inFlight.filter((m) => m.at <= now);
  inFlight = inFlight.filter((m) => m.at > now);
  let t0 = cpuNs();
  let sent = 0;
  for (const m of due) clocks[m.to]!.onSync(String(m.from), m.msg, now);
  for (let i = 0; i < CLOCKS; i++) {
    if (now < startAt[i]!) continue;
    const c = clocks[i]!;
    for (const j of neighbours[i]!) {
      const link = String(j);
      if (!c.syncDue(link, now)) continue;
      inFlight.push({ at: now + LATENCY_MS, to: j, from: i, msg: c.syncFor(link, now) });
      sent++;
    }
  }
  if (measuring) {
    syncNs += cpuNs() - t0;
    syncs += due.length + sent;
  }
  t0 = cpuNs();
  let sum = 0;
  for (let i = 0; i < CLOCKS; i++) {
    if (now < startAt[i]!) continue;
    const c = clocks[i]!;
    sum += c.advance(now) + c.clockTick(now) + c.networkTick(now);
  }
  if (measuring) {
    stepNs += cpuNs() - t0;
    steps += CLOCKS;
  }
  checksum = (checksum * 31 + sum) % 1e9;
}

console.log(
  JSON.stringify({
    target,
    nsPerStep: Math.round(stepNs / steps),
    nsPerSync: Math.round(syncNs / syncs),
    steps,
    syncs,
    checksum,
  }),
);
