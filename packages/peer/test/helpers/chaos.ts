import { createRandom, RectangleKeys } from '@symmetric/core';
import { type SizeTable, sizeLines, tableSizes } from '@symmetric/peer';
import { type Transport, withLinkOverrides } from '@symmetric/transport';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { Attacker } from './attacker.js';
import { cluster, distinct } from './harness.js';
import { type Cluster, honestHeld, type Peer } from './honest-room.js';

// Node-free package: vitest (Node) provides `process`.
declare const process: { memoryUsage(): { heapUsed: number } };

/** Settings of one chaos soak. */
export interface ChaosOptions {
  /** Virtual minutes of chaos (a quiet minute follows, then the checks). */
  readonly minutes: number;
  readonly seed: number;
  /** Progress lines (one a virtual minute) go here. */
  readonly log?: (line: string) => void;
  /** Attack kinds the byzantine members use (default: all of {@link ATTACKS}). */
  readonly attacks?: readonly Attack[];
  /** Also log the sizes of the tables inside the honest peers each virtual minute. */
  readonly sizes?: boolean;
}

/** What the byzantine members do. */
export const ATTACKS = [
  'forge',
  'equivocate',
  'clock-lie',
  'state-lie',
  'spam',
  'replay',
  'malformed',
  'seq-gap',
] as const;

/** One kind of attack. */
export type Attack = (typeof ATTACKS)[number];

/** What a chaos soak measured: the invariants and the counts behind them. */
export interface ChaosResult {
  readonly virtualSeconds: number;
  /** Distinct state hashes among the honest peers at the end (1: converged). */
  readonly honestHashes: number;
  /** Events of the stable honest peers, and how many of them some honest peer lacks at the end. */
  readonly honestEvents: number;
  readonly honestEventsMissing: number;
  /** Heap used (MB) after the first chaos minute, half-way and at the end (after GC with `--expose-gc`). */
  readonly heapStartMb: number;
  readonly heapMiddleMb: number;
  readonly heapEndMb: number;
  /**
   * Largest `stats().events` of an honest peer at the end: event ids known, counted as ranges (a
   * seq-10^9 event compacted behind the horizon counts its whole range; no memory is behind it).
   */
  readonly maxEventIds: number;
  /** Errors reported by honest peers, by code (`INTERNAL` must stay 0). */
  readonly errors: Record<string, number>;
  /** Exceptions thrown out of honest peers' `step`/`emit` (must stay 0). */
  readonly thrown: number;
  /** Attack actions performed, by kind. */
  readonly attacks: Record<string, number>;
  readonly restarts: number;
  readonly partitions: number;
  readonly framesDuplicated: number;
  /**
   * How far the honest peers' ticks are from nominal time at the end (ticks; the loopback's
   * clocks have no drift, so the room's time is the virtual time at `fps`, started with the
   * first step): the largest lead and the largest lag over honest peers.
   */
  readonly clockAheadTicks: number;
  readonly clockBehindTicks: number;
}

/**
 * A transport that sends some frames twice (a duplicating network). Links are wrapped so the
 * peer sees one object per link.
 */
function duplicating(inner: Transport, chance: number, rng: () => number, counter: { n: number }): Transport {
  return withLinkOverrides(inner, (link) => ({
    send(frame: Uint8Array): boolean {
      const ok = link.send(frame);
      if (ok && rng() < chance) {
        counter.n++;
        link.send(frame);
      }
      return ok;
    },
  }));
}

const STABLE = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5'];
const CHURNERS = ['c0', 'c1'];
/** Each stable peer dials the next two around the ring. */
const RING: readonly [string, string][] = STABLE.flatMap((a, i) => [
  [a, STABLE[(i + 1) % STABLE.length]!] as [string, string],
  [a, STABLE[(i + 2) % STABLE.length]!] as [string, string],
]);

/**
 * Run the chaos soak: six stable honest peers in a ring with chords, two honest peers that
 * restart every minute, links that duplicate 1 % of frames over a jittery latency, a partition
 * every 90 s, and two byzantine members (real keys) that forge, equivocate, lie about time and
 * state, spam, replay and send malformed frames. Then a quiet minute, and the invariants.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const random = createRandom(o.seed);
  const rng = (): number => random.next();
  const net = new LoopbackNetwork({
    time: 'virtual',
    seed: o.seed,
    latency: { dist: 'normal', meanMs: 30, sdMs: 10 },
  });
  const dup = { n: 0 };
  const c: Cluster = await cluster(net, { trusted: false, delay: 300, redial: false });
  const add = (address: string, dial: string[] = []): Promise<Peer> =>
    c.add(address, { transports: [duplicating(net.transport(address), 0.01, rng, dup)] }, dial);
  const stable: Peer[] = [];
  for (const a of STABLE) stable.push(await add(a));
  for (const [a, b] of RING) c.peers.get(a)!.dial(b);
  for (const a of CHURNERS) await add(a, [STABLE[Math.floor(rng() * STABLE.length)]!]);
  const attackers = [
    // The replay attack sends the newest 20 frames received; older ones are not kept.
    await new Attacker(net.transport('m0') as never, 'm0', { keepReceived: 100 }).start(),
    await new Attacker(net.transport('m1') as never, 'm1', { keepReceived: 100 }).start(),
  ];
  const targets = [
    ['h0', 'h3'],
    ['h1', 'h4'],
  ];
  const attacks: Record<string, number> = {};
  const count = (k: string) => {
    attacks[k] = (attacks[k] ?? 0) + 1;
  };
  let thrown = 0;
  let restarts = 0;
  let partitions = 0;
  const honest = (): Peer[] => [...c.peers.values()];
  const chaosEnd = o.minutes * 60_000;
  let nextEmit = 500;
  // Byzantine members start once the honest clocks are established (a clock takes its first
  // neighbour's time during its first `establishAfterMs`, 20 s: see SECURITY.md).
  let nextAttack = 25_000;
  let nextChurn = 60_000;
  let nextPartition = 90_000;
  let healAt = Number.POSITIVE_INFINITY;
  let cut: [string, string] | undefined;
  let heapStartMb = Number.NaN;
  let heapMiddleMb = Number.NaN;
  let lastSizes: SizeTable | undefined;
  const errors: Record<string, number> = {};
  const keys = [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down];
  /** Heap used in MB, after a full GC when the process runs with `--expose-gc`. */
  const heapMb = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
  };

  const spamEvent: ReturnType<Attacker['sign']>[] = [];
  const gapEvent: ReturnType<Attacker['sign']>[] = [];
  const attack = (m: Attacker, i: number, now: number): void => {
    const to = targets[i]!.filter((t) => c.peers.has(t));
    for (const t of to) if (!m.linked(t)) m.dial(t);
    const t = to[Math.floor(rng() * to.length)];
    if (t === undefined || !m.linked(t)) return;
    const victim = c.peers.get(t)!;
    const tick = victim.tick;
    const kind = Math.floor(rng() * 8);
    if (!(o.attacks ?? ATTACKS).includes(ATTACKS[kind]!)) return;
    switch (kind) {
      case 0: {
        const owner = stable[Math.floor(rng() * stable.length)]!;
        m.send(t, {
          type: 'events',
          events: [
            m.sign({ source: owner.source, seq: 1e6 + Math.floor(rng() * 1e6), tick: tick + 10, payload: 1 }),
          ],
        });
        count('forge');
        return;
      }
      case 1: {
        const seq = 1000 + (attacks.equivocate ?? 0);
        const other = to.find((x) => x !== t && m.linked(x));
        m.send(t, {
          type: 'events',
          events: [m.sign({ source: m.source, seq, tick: tick + 10, payload: 1 })],
        });
        if (other !== undefined)
          m.send(other, {
            type: 'events',
            events: [m.sign({ source: m.source, seq, tick: tick + 10, payload: 2 })],
          });
        count('equivocate');
        return;
      }
      case 2:
        m.send(t, { type: 'sync', time: now, tick: tick + (rng() < 0.5 ? 90_000 : 250) });
        count('clock-lie');
        return;
      case 3:
        m.send(t, {
          type: 'frontier',
          entries: stable.map((p) => ({ source: p.source, seq: 2 ** 40 })),
        });
        count('state-lie');
        return;
      case 4: {
        // The same signed event over and over (duplicates: no equivocation unless asked for).
        const ev = (spamEvent[i] ??= m.sign({ source: m.source, seq: 1, tick: tick + 10, payload: 3 }));
        const batch = Array.from({ length: 250 }, () => ev);
        for (let k = 0; k < 100; k++) m.send(t, { type: 'events', events: batch });
        count('spam');
        return;
      }
      case 5: {
        const recorded = m.received.slice(-20);
        for (const r of recorded) m.sendBytes(t, r.bytes);
        count('replay');
        return;
      }
      case 6: {
        const junk = new Uint8Array(1 + Math.floor(rng() * 64));
        for (let k = 0; k < junk.length; k++) junk[k] = Math.floor(rng() * 256);
        m.sendBytes(t, junk);
        count('malformed');
        return;
      }
      default: {
        const ev = (gapEvent[i] ??= m.sign({ source: m.source, seq: 1e9, tick: tick + 10, payload: 4 }));
        m.send(t, { type: 'events', events: [ev] });
        count('seq-gap');
      }
    }
  };
  // A made-up snapshot for whoever asks: a huge frontier and a false state.
  for (const m of attackers) {
    m.onFrame = (frame, from) => {
      if (frame.type === 'snapshot-request')
        m.send(from, { type: 'snapshot', tick: 1, index: 0, count: 1, data: new Uint8Array([0x80]) });
    };
  }

  const total = chaosEnd + 60_000;
  let nextLog = 60_000;
  const step = 1000 / 50;
  for (let t = step; t <= total + 1e-9; t += step) {
    try {
      c.run(t);
    } catch {
      thrown++;
    }
    if (t === 60_000) heapStartMb = heapMb();
    if (t === Math.round(total / 2 / step) * step) heapMiddleMb = heapMb();
    if (t < chaosEnd) {
      if (t >= nextEmit) {
        nextEmit += 200 + rng() * 400;
        const all = honest();
        const p = all[Math.floor(rng() * all.length)]!;
        try {
          p.emit(keys[Math.floor(rng() * 4)]!);
        } catch {
          thrown++;
        }
      }
      if (t >= nextAttack) {
        nextAttack += 2000 + rng() * 4000;
        for (const [i, m] of attackers.entries()) attack(m, i, t);
      }
      if (t >= nextChurn) {
        nextChurn += 60_000;
        for (const a of CHURNERS) {
          await c.remove(a);
          await add(a, [STABLE[Math.floor(rng() * STABLE.length)]!]);
          restarts++;
        }
      }
      if (t >= nextPartition) {
        nextPartition += 90_000;
        cut = RING[Math.floor(rng() * RING.length)];
        net.cut(cut![0], cut![1]);
        healAt = t + 20_000;
        partitions++;
      }
      if (t >= healAt && cut !== undefined) {
        net.heal(cut[0], cut[1]);
        c.peers.get(cut[0])?.dial(cut[1]);
        healAt = Number.POSITIVE_INFINITY;
        cut = undefined;
      }
    } else if (attackers.length > 0 && t >= chaosEnd) {
      // The quiet minute: attackers gone, every cut healed, the ring re-dialled.
      for (const m of attackers) await m.transport.stop();
      attackers.length = 0;
      net.healAll();
      for (const [a, b] of RING) c.peers.get(a)!.dial(b);
      for (const a of CHURNERS) c.peers.get(a)!.dial(STABLE[0]!);
    }
    if (t >= nextLog) {
      nextLog += 60_000;
      // Errors are counted by code, not kept: the soak measures the peers' memory, not its own.
      for (const e of c.errors.splice(0)) errors[e.code] = (errors[e.code] ?? 0) + 1;
      o.log?.(
        `t=${Math.round(t / 1000)} s: heap ${heapMb()} MB, events ${Math.max(...honest().map((p) => p.stats().events))}, ` +
          `errors ${JSON.stringify(errors)}, attacks ${JSON.stringify(attacks)}`,
      );
      if (o.sizes === true) {
        const table: SizeTable = new Map();
        const seen = new WeakSet<object>();
        for (const p of honest()) tableSizes(p, table, 8, seen);
        tableSizes({ net, cluster: c, attackers }, table, 8, seen);
        for (const [i, m] of attackers.entries()) table.set(`attacker ${i} received`, m.received.length);
        for (const line of sizeLines(table, lastSizes)) o.log?.(line);
        lastSizes = table;
      }
    }
  }
  // Every clock starts at the first step (STEP_PHASE, half a tick) and runs at 50 ticks a second.
  const nominal = Math.floor(((total - step) * 50) / 1000 + 0.5);
  const offsets = honest().map((p) => p.tick - nominal);
  const hashes = c.hashes();
  const honestEvents = stable.reduce((s, h) => s + h.stats().eventsEmitted, 0);
  let missing = 0;
  for (const p of honest()) missing += honestEvents - honestHeld(p, stable);
  for (const e of c.errors.splice(0)) errors[e.code] = (errors[e.code] ?? 0) + 1;
  return {
    virtualSeconds: total / 1000,
    honestHashes: distinct(hashes).length,
    honestEvents,
    honestEventsMissing: missing,
    heapStartMb,
    heapMiddleMb,
    heapEndMb: heapMb(),
    maxEventIds: Math.max(...honest().map((p) => p.stats().events)),
    errors,
    thrown,
    attacks,
    restarts,
    partitions,
    framesDuplicated: dup.n,
    clockAheadTicks: Math.max(0, ...offsets),
    clockBehindTicks: Math.max(0, ...offsets.map((d) => -d)),
  };
}
