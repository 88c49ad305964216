/**
 * The hostile-peer scenarios of an authenticated room, written once and run over every
 * transport (loopback in virtual time, WebSocket and libp2p on 127.0.0.1 in real time): three
 * honest peers in a line a - b - c and an attacker speaking the codec by hand. In each, every
 * honest peer rejects or excludes the attacker, no honest event is lost, and the honest peers end
 * with one state hash.
 *
 * ```ts
 * runHostileScenarios('ws', { world: () => wsWorld() });
 * ```
 */
import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import { type RectangleKey, RectangleKeys, type RectangleState, rectangleApp } from '@symmetric/core';
import {
  type Peer as AnyPeer,
  createPeer,
  type PeerError,
  type PeerExcludedInfo,
  type PeerIdentity,
} from '@symmetric/peer';
import type { Transport } from '@symmetric/transport';
import { describe, expect, it } from 'vitest';
import { Attacker } from '../helpers/attacker.js';

type Peer = AnyPeer<RectangleState, RectangleKey>;

const FPS = 50;
const FRAME_MS = 1000 / FPS;
const ROOM = 'test';

/** How time passes in a world: virtual (the scenario steps every peer each frame) or real. */
export interface HostileClock {
  /** `true`: peers are attached and stepped by {@link pass}; `false`: started on real timers. */
  readonly virtual: boolean;
  /** Current time, ms (the peers' clock in virtual time). */
  now(): number;
  /** Let `ms` pass; in virtual time, run the network and call `step(t)` after every frame. */
  pass(ms: number, step: (t: number) => void): Promise<void>;
}

/** One node's transport, and the key it owns when the transport has one (libp2p). */
export interface HostileNode {
  readonly transport: Transport;
  readonly identity?: PeerIdentity;
}

/** A fresh network for one scenario. */
export interface HostileWorld {
  readonly clock: HostileClock;
  /** A new, unstarted transport for the node `name`. */
  node(name: string): Promise<HostileNode>;
  /** The address others dial to reach `name` (its transport started). */
  addressOf(name: string, transport: Transport): string;
  /** Release what the world holds beyond the nodes' transports. */
  close?(): Promise<void>;
}

/** What {@link runHostileScenarios} needs of a transport. */
export interface HostileHarness {
  /** A fresh world per scenario. */
  world(): Promise<HostileWorld>;
  /** Longest wait for one condition, ms of the world's time (default 10 000). */
  readonly waitMs?: number;
  /** Vitest timeout of one scenario, wall ms (default 30 000). */
  readonly testTimeoutMs?: number;
}

/** A virtual-time clock over a network stepped by `runUntil` (the loopback network). */
export function virtualClock(net: { runUntil(ms: number): void; now(): number }): HostileClock {
  let t = net.now();
  return {
    virtual: true,
    now: () => t,
    pass(ms, step) {
      const until = t + ms;
      while (t + FRAME_MS <= until + 1e-9) {
        t += FRAME_MS;
        net.runUntil(t);
        step(t);
      }
      return Promise.resolve();
    },
  };
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as unknown as { setTimeout(f: () => void, ms: number): void }).setTimeout(resolve, ms),
  );

/** The real clock (peers run on their own timers). */
export const realClock: HostileClock = {
  virtual: false,
  now: () => (globalThis as unknown as { performance: { now(): number } }).performance.now(),
  pass: (ms) => sleep(ms),
};

interface Honest {
  readonly name: string;
  readonly peer: Peer;
  readonly address: string;
}

/** The event ids `p` knows (held, pending or refused). */
function knownOf(p: Peer): { has(source: string, seq: number): boolean } {
  return (p as unknown as { ctx: { eventIds: { has(source: string, seq: number): boolean } } }).ctx.eventIds;
}

/** One scenario's room: honest peers, attackers, waits in the world's time. */
class Room {
  readonly honest: Honest[] = [];
  readonly errors: PeerError[] = [];
  private readonly attackers: Attacker[] = [];
  private incarnations = 0;

  constructor(
    readonly world: HostileWorld,
    private readonly waitMs: number,
  ) {}

  private get clock(): HostileClock {
    return this.world.clock;
  }

  /** Start honest peer `name`, dialling the honest peers `dial`. */
  async add(name: string, dial: readonly string[] = []): Promise<Peer> {
    const node = await this.world.node(name);
    const clock = this.clock;
    const peer = createPeer<RectangleState, RectangleKey>({
      app: rectangleApp,
      payloadCodec: rectangleKeyCodec as PayloadCodec<RectangleKey>,
      transports: [node.transport],
      room: ROOM,
      fps: FPS,
      delay: 200,
      incarnation: String(++this.incarnations),
      redial: false,
      // The first peer founds the room at once; the others join it.
      ...(this.honest.length === 0 ? { aloneGraceMs: 0 } : {}),
      ...(node.identity === undefined ? {} : { identity: node.identity }),
      ...(clock.virtual ? { now: () => clock.now() } : {}),
    });
    peer.on('error', (e) => this.errors.push(e));
    if (clock.virtual) await peer.attach();
    else await peer.start();
    this.honest.push({ name, peer, address: this.world.addressOf(name, node.transport) });
    for (const d of dial) peer.dial(this.addressOf(d));
    return peer;
  }

  /** A started attacker named `name`. */
  async attacker(name: string, options: ConstructorParameters<typeof Attacker>[2] = {}): Promise<Attacker> {
    const node = await this.world.node(name);
    const m = new Attacker(node.transport, name, {
      ...(node.identity === undefined ? {} : { identity: node.identity }),
      ...options,
    });
    await m.start();
    this.attackers.push(m);
    m.address = this.world.addressOf(name, node.transport);
    return m;
  }

  addressOf(name: string): string {
    const h = this.honest.find((x) => x.name === name);
    if (h === undefined) throw new Error(`no honest peer ${name}`);
    return h.address;
  }

  peers(): Peer[] {
    return this.honest.map((h) => h.peer);
  }

  /** Let `ms` of the world's time pass. */
  pass(ms: number): Promise<void> {
    return this.clock.pass(ms, (t) => {
      for (const p of this.peers()) p.step(t);
    });
  }

  /** Wait until `cond` holds (fails the test with `what` after the wait limit). */
  async until(cond: () => boolean, what: string, maxMs = this.waitMs): Promise<void> {
    const end = this.clock.now() + maxMs;
    while (!cond()) {
      if (this.clock.now() >= end) throw new Error(`timed out waiting for ${what}`);
      await this.pass(this.clock.virtual ? FRAME_MS : 25);
    }
  }

  /** Three honest peers in a line a - b - c, all with their neighbours. */
  async line(): Promise<[Peer, Peer, Peer]> {
    const a = await this.add('a');
    const b = await this.add('b', ['a']);
    const c = await this.add('c', ['b']);
    await this.until(
      () =>
        b.stats().neighbours === 2 &&
        a.stats().neighbours === 1 &&
        c.stats().neighbours === 1 &&
        [a, b, c].every((p) => p.status === 'live'),
      'the honest line, live',
    );
    return [a, b, c];
  }

  /** Every honest peer emits `n` events, one peer after another, 60 ms apart. */
  async traffic(n: number): Promise<void> {
    const keys = [RectangleKeys.left, RectangleKeys.up, RectangleKeys.right, RectangleKeys.down];
    const peers = this.peers();
    for (let k = 0; k < n * peers.length; k++) {
      peers[k % peers.length]!.emit(keys[k % 4]!);
      await this.pass(60);
    }
  }

  /** Events of honest sources `p` holds (each source's seqs are 1..eventsEmitted). */
  private honestHeld(p: Peer): number {
    let n = 0;
    for (const h of this.peers()) {
      const emitted = h.stats().eventsEmitted;
      for (let seq = 1; seq <= emitted; seq++) if (knownOf(p).has(h.source, seq)) n++;
    }
    return n;
  }

  /** Hashes of the honest peers at the newest settled tick all passed, and that tick. */
  private hashes(): { at: number; hashes: (string | undefined)[] } {
    const peers = this.peers();
    const at = Math.floor((Math.min(...peers.map((p) => p.tick)) - 1) / FPS) * FPS;
    return { at, hashes: peers.map((p) => p.stateHashAt(at)) };
  }

  /** Wait for every honest event to reach every honest peer and one hash past them; assert it. */
  async expectConverged(): Promise<void> {
    const peers = this.peers();
    const total = (): number => peers.reduce((s, h) => s + h.stats().eventsEmitted, 0);
    // A tick every event emitted so far is applied by (Δ is 10 ticks, a margin of one second).
    const after = Math.max(...peers.map((p) => p.tick)) + FPS;
    await this.until(() => {
      if (!peers.every((p) => this.honestHeld(p) === total())) return false;
      const { at, hashes } = this.hashes();
      return at >= after && hashes[0] !== undefined && hashes.every((h) => h === hashes[0]);
    }, 'the honest peers to converge');
    const { hashes } = this.hashes();
    expect(new Set(hashes).size).toBe(1);
    for (const p of peers) expect(this.honestHeld(p)).toBe(total());
    for (const p of peers) expect(p.stats().errors.SEQ_CONFLICT ?? 0).toBe(0);
    for (const p of peers) expect(p.stats().desyncs).toBe(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.peers().map((p) => p.stop().catch(() => {})));
    await Promise.all(this.attackers.map((m) => m.transport.stop().catch(() => {})));
    await this.world.close?.();
  }
}

/** Refusals of a hello that does not prove its id: by signature, or by the transport's own key. */
function idRefusals(p: Peer): number {
  const e = p.stats().errors;
  return (e.AUTH_FAILED ?? 0) + (e.PEER_ID_MISMATCH ?? 0);
}

/**
 * Registers the hostile scenarios for one transport as a vitest `describe` block named
 * `hostile peers: <name>`.
 */
export function runHostileScenarios(name: string, harness: HostileHarness): void {
  const waitMs = harness.waitMs ?? 10_000;
  const timeout = harness.testTimeoutMs ?? 30_000;
  const scenario = (title: string, body: (room: Room) => Promise<void>): void => {
    it(
      title,
      async () => {
        const room = new Room(await harness.world(), waitMs);
        try {
          await body(room);
        } finally {
          await room.close();
        }
      },
      timeout,
    );
  };

  describe(`hostile peers: ${name}`, () => {
    scenario(
      'events injected under another peer’s source are refused by signature, nobody blames the owner',
      async (room) => {
        const [a, b, c] = await room.line();
        const m = await room.attacker('m');
        await m.dial(room.addressOf('a'), 'a');
        await m.dial(room.addressOf('c'), 'c');
        const ids = (p: Peer): string[] => p.neighbours().map((n) => n.peerId);
        await room.until(
          () => ids(a).includes(m.identity.peerId) && ids(c).includes(m.identity.peerId),
          'm linked',
        );
        // Forged: b's source, seqs far above b's own, signed with m's key (the only key m has).
        const forged = [1, 2, 3].map((i) =>
          m.sign({ source: b.source, seq: 100 + i, tick: a.tick + 20, payload: RectangleKeys.down }),
        );
        m.send('a', { type: 'events', events: forged });
        m.send('c', { type: 'events', events: forged });
        await room.traffic(4);
        await room.until(() => !m.linked('a') && !m.linked('c'), 'the forger cut off');
        await room.expectConverged();
        for (const p of [a, c]) {
          expect(p.stats().errors.BAD_SIGNATURE).toBe(1);
          expect(p.stats().signaturesRejected).toBeGreaterThanOrEqual(1);
        }
        for (const p of [a, b, c]) expect(knownOf(p).has(b.source, 101)).toBe(false);
      },
    );

    scenario('a relayed event altered on the way is refused; the true copy still arrives', async (room) => {
      const [a, b, c] = await room.line();
      // m sits beside the line, between b and c, and relays b's events to c, one of them altered.
      const m = await room.attacker('m');
      await m.dial(room.addressOf('b'), 'b');
      await m.dial(room.addressOf('c'), 'c');
      await room.until(() => b.stats().neighbours === 3 && c.stats().neighbours === 2, 'm linked');
      let altered = 0;
      m.onFrame = (frame, from) => {
        if (from !== 'b' || frame.type !== 'events') return;
        const events = frame.events.map((ev) => {
          if (altered > 0 || ev.source !== a.source) return ev;
          altered++;
          const payload = ev.payload === RectangleKeys.left ? RectangleKeys.right : RectangleKeys.left;
          return { ...ev, payload };
        });
        m.send('c', { type: 'events', events });
      };
      await room.traffic(4);
      await room.until(() => altered === 1 && !m.linked('c'), 'the altered relay refused');
      expect(c.stats().errors.BAD_SIGNATURE).toBe(1);
      expect(c.stats().signaturesRejected).toBe(1);
      await room.expectConverged();
    });

    scenario(
      'an equivocating source is proven, excluded on every honest peer, and they converge',
      async (room) => {
        const [a, b, c] = await room.line();
        const m = await room.attacker('m');
        await m.dial(room.addressOf('a'), 'a');
        await m.dial(room.addressOf('c'), 'c');
        await room.until(() => a.stats().neighbours === 2 && c.stats().neighbours === 2, 'm linked');
        const excluded: PeerExcludedInfo[] = [];
        for (const p of [a, b, c]) p.on('peer:excluded', (i) => excluded.push(i));
        const tick = a.tick + 30;
        // Same (source, seq), different payloads, both validly signed: one to a, the other to c.
        const ev = (seq: number, payload: RectangleKey) => ({
          type: 'events' as const,
          events: [m.sign({ source: m.source, seq, tick, payload })],
        });
        m.send('a', ev(1, RectangleKeys.left));
        m.send('c', ev(1, RectangleKeys.right));
        m.send('a', ev(2, RectangleKeys.up));
        await room.traffic(4);
        await room.until(() => excluded.length === 3, 'the exclusion on every honest peer');
        await room.expectConverged();
        for (const i of excluded)
          expect(i).toEqual({
            peerId: m.identity.peerId,
            source: m.source,
            fromSeq: 1,
            reason: 'equivocation',
          });
        for (const p of [a, b, c]) {
          expect(p.stats().equivocations).toBe(1);
          expect(p.stats().errors.EQUIVOCATION).toBe(1);
        }
      },
    );

    scenario(
      'a hello claiming an honest peer’s id cannot prove it: refused, the real link stays',
      async (room) => {
        const [a, b, c] = await room.line();
        const joined: string[] = [];
        a.on('peer:join', (i) => joined.push(i.peerId));
        c.on('peer:join', (i) => joined.push(i.peerId));
        const m = await room.attacker('m', { claimId: b.id });
        await m.dial(room.addressOf('a'), 'a');
        await m.dial(room.addressOf('c'), 'c');
        await room.until(() => idRefusals(a) === 1 && idRefusals(c) === 1, 'both refusals');
        await room.until(() => !m.linked('a') && !m.linked('c'), 'the impostor cut off');
        expect(joined).toEqual([]);
        expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
        expect(c.neighbours().map((n) => n.peerId)).toEqual([b.id]);
        // Each refusal says why, in a bye, to the impostor.
        for (const r of m.received) {
          if (r.frame.type === 'bye') expect(r.frame.reason).toMatch(/^(AUTH_FAILED|PEER_ID_MISMATCH): /);
        }
        await room.traffic(4);
        await room.expectConverged();
      },
    );

    scenario(
      'captured frames replayed on a new link fail (the proof binds the receiver’s nonce)',
      async (room) => {
        const [a, b] = await room.line();
        // m poses as an ordinary peer and lets b dial it, recording what b sends.
        const m = await room.attacker('m');
        b.dial(m.address);
        await room.until(
          () => m.received.some((r) => r.direction === 'inbound' && r.frame.type === 'auth'),
          'b’s auth',
        );
        await room.traffic(1);
        const captured = m.received.filter((r) => r.direction === 'inbound');
        expect(captured.map((r) => r.frame.type)).toEqual(
          expect.arrayContaining(['hello', 'challenge', 'auth']),
        );
        // Replay b's handshake and whatever followed to a, from another node.
        const r = await room.attacker('r', { replay: captured.map((x) => x.bytes) });
        await r.dial(room.addressOf('a'), 'a');
        await room.until(() => idRefusals(a) === 1 && !r.linked('a'), 'the replay refused');
        expect(a.neighbours().map((n) => n.peerId)).toEqual([b.id]);
        await room.traffic(3);
        await room.expectConverged();
      },
    );
  });
}
