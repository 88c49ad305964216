/**
 * A simulated room broadcast: gossipsub (v1.1, as `@symmetric/transport-libp2p`'s `gossip`
 * option configures it) over the scenario's links, in virtual time, deterministic from the seed.
 * It gives each scenario peer a {@link RoomBroadcast} channel so that peers run with
 * `dissemination: 'broadcast'` in the simulator, and counts what gossipsub would send.
 *
 * What is modelled, per peer, over the connections the topology gives it (gossipsub meshes only
 * among connected peers):
 * - **mesh**: built by the heartbeats (a peer subscribes when its transport starts, before its
 *   connections are up): every `heartbeatMs` (each peer at its own seeded phase) a mesh under
 *   `Dlo` grafts random connected members up to `D`, a mesh over `Dhi` prunes back
 *   to `D` (random choice); a GRAFT is accepted unless the receiver's mesh is at `Dhi` and the
 *   sender did not dial it (then it is pruned back); a PRUNE sets a `pruneBackoffMs` backoff;
 * - **eager push**: a publish goes to every connected member (`floodPublish`, the libp2p
 *   option's default) or only to the mesh; the first copy of a message is forwarded to the mesh
 *   but its sender and its publisher; later copies are dropped (counted as duplicates);
 * - **lazy gossip**: every heartbeat a peer sends IHAVE with the ids of the messages it received
 *   in the last `mcacheGossip` heartbeats to `max(Dlazy, gossipFactor × candidates)` random
 *   connected members outside its mesh; IHAVE for unseen ids is answered with IWANT, and IWANT
 *   with the message while it is in the sender's cache (`mcacheLength` heartbeats);
 * - **wire sizes**: protobuf sizes of the RPCs (a signed data message carries the publisher's
 *   38-byte peer id, an 8-byte seqno, the topic and a 64-byte signature; a message id is
 *   peer id + seqno, 46 bytes); stream and encryption framing is not counted, like the links'.
 *
 * Simplified: membership is known at once on connection (SUBSCRIBE RPCs are not timed or
 * counted), peer scores are all zero, IDONTWANT is not sent (Symmetric's messages are far below
 * its size threshold), and control messages travel in their own RPCs (gossipsub piggybacks some).
 * Each RPC takes one sample of the scenario's link latency, FIFO per direction.
 */
import { createStreamRandom, deriveSeed, type SeededRandom } from '@symmetric/core';
import { SeededRandom as LatencyRandom, sampleLatency } from '@symmetric/transport-loopback';
import type { PeerTransport } from './network.js';
import type { LatencyModel } from './scenario.js';

type RoomBroadcast = NonNullable<PeerTransport['broadcast']>;

/** gossipsub parameters of the {@link SimulatedGossip} (defaults: transport-libp2p's `gossip` option). */
export interface GossipModelOptions {
  /** Mesh degree (default 6). */
  readonly D?: number;
  /** Fewest mesh peers before grafting (default `max(1, D − 2)`). */
  readonly Dlo?: number;
  /** Most mesh peers before pruning (default `max(D + 1, 2 × D)`). */
  readonly Dhi?: number;
  /** Fewest peers told IHAVE per heartbeat (default `D`). */
  readonly Dlazy?: number;
  /** Share of the non-mesh candidates told IHAVE when more than `Dlazy` (default 0.25). */
  readonly gossipFactor?: number;
  /** Heartbeat period, ms (default 1000). */
  readonly heartbeatMs?: number;
  /** Heartbeats of message ids advertised in IHAVE (default 3). */
  readonly mcacheGossip?: number;
  /** Heartbeats a message stays available for IWANT (default 5). */
  readonly mcacheLength?: number;
  /** A pruned peer is not grafted again for this long, ms (default 60 000). */
  readonly pruneBackoffMs?: number;
  /** Publish to every connected member, not just the mesh (default `true`). */
  readonly floodPublish?: boolean;
  /** Topic length in bytes (default 32: `/symmetric/<version>/room/<room>`). */
  readonly topicBytes?: number;
  /** Largest message, bytes (default 1 MiB). */
  readonly maxMessageBytes?: number;
}

/** One counter of a gossipsub message type: RPCs sent and their bytes. */
export interface GossipTypeCount {
  messages: number;
  bytes: number;
}

/** What a {@link SimulatedGossip} sent and delivered since it was created. */
export interface GossipModelStats {
  /** Messages published. */
  readonly published: number;
  /** Data messages sent by eager push (publish and mesh forwarding). */
  readonly data: GossipTypeCount;
  /** Data messages sent in answer to IWANT. */
  readonly iwantReplies: GossipTypeCount;
  readonly ihave: GossipTypeCount & { ids: number };
  readonly iwant: GossipTypeCount & { ids: number };
  readonly graft: GossipTypeCount;
  readonly prune: GossipTypeCount;
  /** Data messages that reached a peer that had the message already. */
  readonly duplicates: number;
  /** First receipts (one per message per receiving peer). */
  readonly deliveries: number;
  /** First receipts that came through IWANT (lazy gossip) rather than eager push. */
  readonly lazyDeliveries: number;
  /** Hops and ms from the publish to each first receipt. */
  readonly arrivalHops: readonly number[];
  readonly arrivalMs: readonly number[];
  /** Mesh size per joined peer now: mean, smallest, largest. */
  readonly mesh: { readonly mean: number; readonly min: number; readonly max: number };
}

const KIND_HEARTBEAT = 0;
const KIND_DATA = 1;
const KIND_IHAVE = 2;
const KIND_IWANT = 3;
const KIND_GRAFT = 4;
const KIND_PRUNE = 5;

interface Item {
  at: number;
  order: number;
  kind: number;
  to: number;
  from: number;
  /** Incarnation of `to` the item is for (a restarted peer ignores its old ones). */
  gen: number;
  msg: number;
  ids: number[] | undefined;
  hops: number;
  lazy: boolean;
}

interface Message {
  readonly from: number;
  readonly publishedAt: number;
  readonly data: Uint8Array;
  /** Run time each peer first received it (−∞: never). */
  readonly seenAt: Float64Array;
  /** Hops of each peer's first copy. */
  readonly hops: Uint16Array;
}

interface PeerState {
  joined: boolean;
  gen: number;
  joinedAt: number;
  neighbours: readonly number[];
  mesh: Set<number>;
  backoff: Map<number, number>;
  /** Message ids received per heartbeat, newest first (the message cache). */
  windows: number[][];
  listeners: Set<(message: Uint8Array, from: string | undefined) => void>;
}

const FROM_BYTES = 38;
const SEQNO_BYTES = 8;
const SIGNATURE_BYTES = 64;
const MSG_ID_BYTES = FROM_BYTES + SEQNO_BYTES;

/** Bytes of a protobuf varint. */
function varint(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}
/** Bytes of a length-delimited protobuf field of `len` bytes. */
const field = (len: number): number => 1 + varint(len) + len;
/** An RPC carrying `body` bytes, with its length prefix on the stream. */
const rpc = (body: number): number => varint(body) + body;

/**
 * gossipsub over the scenario's connections, in virtual time. Create one per run, give each
 * peer's transport {@link channel}, tell it who runs ({@link join}, {@link leave}) and which
 * links are cut, and let the network call {@link runUntil} as time passes.
 */
export class SimulatedGossip {
  readonly #D: number;
  readonly #Dlo: number;
  readonly #Dhi: number;
  readonly #Dlazy: number;
  readonly #gossipFactor: number;
  readonly #heartbeatMs: number;
  readonly #mcacheGossip: number;
  readonly #mcacheLength: number;
  readonly #pruneBackoffMs: number;
  readonly #floodPublish: boolean;
  readonly #topicBytes: number;
  readonly #maxMessageBytes: number;
  readonly #latency: LatencyModel;
  readonly #latencyRandom: LatencyRandom;
  readonly #random: SeededRandom;
  readonly #peers: PeerState[];
  readonly #cut = new Set<number>();
  readonly #lastDue = new Map<number, number>();
  readonly #messages: Message[] = [];
  readonly #queue: Item[] = [];
  #order = 0;
  #now = 0;
  readonly #stats = {
    published: 0,
    data: { messages: 0, bytes: 0 },
    iwantReplies: { messages: 0, bytes: 0 },
    ihave: { messages: 0, bytes: 0, ids: 0 },
    iwant: { messages: 0, bytes: 0, ids: 0 },
    graft: { messages: 0, bytes: 0 },
    prune: { messages: 0, bytes: 0 },
    duplicates: 0,
    deliveries: 0,
    lazyDeliveries: 0,
  };
  readonly #arrivalHops: number[] = [];
  readonly #arrivalMs: number[] = [];

  /**
   * @param peers scenario peer count
   * @param latency the links' latency model (one sample per RPC)
   * @param seed run seed (mesh choices, phases and latency draws derive from it)
   */
  constructor(peers: number, latency: LatencyModel, seed: number, options: GossipModelOptions = {}) {
    const D = options.D ?? 6;
    this.#D = D;
    this.#Dlo = options.Dlo ?? Math.max(1, D - 2);
    this.#Dhi = options.Dhi ?? Math.max(D + 1, 2 * D);
    this.#Dlazy = options.Dlazy ?? D;
    this.#gossipFactor = options.gossipFactor ?? 0.25;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#mcacheGossip = options.mcacheGossip ?? 3;
    this.#mcacheLength = Math.max(options.mcacheLength ?? 5, this.#mcacheGossip);
    this.#pruneBackoffMs = options.pruneBackoffMs ?? 60_000;
    this.#floodPublish = options.floodPublish ?? true;
    this.#topicBytes = options.topicBytes ?? 32;
    this.#maxMessageBytes = options.maxMessageBytes ?? 1 << 20;
    if (!(this.#Dlo <= D && D <= this.#Dhi && this.#heartbeatMs > 0)) {
      throw new RangeError(`gossip model needs Dlo <= D <= Dhi and heartbeatMs > 0`);
    }
    this.#latency = latency;
    this.#latencyRandom = new LatencyRandom(deriveSeed(seed, 'gossip/latency'));
    this.#random = createStreamRandom(seed, 'gossip');
    this.#peers = Array.from({ length: peers }, () => ({
      joined: false,
      gen: 0,
      joinedAt: 0,
      neighbours: [],
      mesh: new Set<number>(),
      backoff: new Map<number, number>(),
      windows: [],
      listeners: new Set(),
    }));
  }

  /** The room channel of peer `i` (publishes while `i` is joined). */
  channel(i: number): RoomBroadcast {
    const p = this.#peers[i]!;
    return {
      maxMessageBytes: this.#maxMessageBytes,
      publish: (message) => this.#publish(i, message),
      onMessage: (listener) => {
        p.listeners.add(listener);
        return () => p.listeners.delete(listener);
      },
    };
  }

  /** Peer `i` subscribed (its transport started) with these topology neighbours, at run time `now`. */
  join(i: number, neighbours: readonly number[], now: number): void {
    this.#now = Math.max(this.#now, now);
    const p = this.#peers[i]!;
    if (p.joined) return;
    p.joined = true;
    p.gen++;
    p.joinedAt = this.#now;
    p.neighbours = [...neighbours];
    p.mesh.clear();
    p.backoff.clear();
    p.windows = [[]];
    // A transport subscribes when it starts, before its connections are up: the mesh is built by
    // the heartbeats (a mesh under D_lo grafts up to D), not at the join.
    const phase = this.#random.next() * this.#heartbeatMs;
    this.#push(this.#now + phase, KIND_HEARTBEAT, i, i, 0, undefined, 0, false);
  }

  /** Peer `i` left (its transport stopped): its connections close. */
  leave(i: number): void {
    const p = this.#peers[i]!;
    if (!p.joined) return;
    p.joined = false;
    p.mesh.clear();
    for (const j of p.neighbours) this.#peers[j]!.mesh.delete(i);
  }

  /** The connection between `a` and `b` closed (a cut) or opened again (a heal). */
  setCut(a: number, b: number, cut: boolean): void {
    const key = this.#pair(Math.min(a, b), Math.max(a, b));
    if (cut) {
      this.#cut.add(key);
      this.#peers[a]!.mesh.delete(b);
      this.#peers[b]!.mesh.delete(a);
    } else this.#cut.delete(key);
  }

  /** Run time of the next thing to happen, if any. */
  nextAt(): number | undefined {
    return this.#queue[0]?.at;
  }

  /** Process everything due at or before `ms` (what that schedules at or before `ms` too). */
  runUntil(ms: number): void {
    for (let top = this.#queue[0]; top !== undefined && top.at <= ms; top = this.#queue[0]) {
      this.#pop();
      if (top.at > this.#now) this.#now = top.at;
      const p = this.#peers[top.to]!;
      if (!p.joined || p.gen !== top.gen) continue;
      switch (top.kind) {
        case KIND_HEARTBEAT:
          this.#heartbeat(top.to);
          break;
        case KIND_DATA:
          this.#receive(top.to, top.from, top.msg, top.hops, top.lazy);
          break;
        case KIND_IHAVE:
          this.#onIhave(top.to, top.from, top.ids!);
          break;
        case KIND_IWANT:
          this.#onIwant(top.to, top.from, top.ids!);
          break;
        case KIND_GRAFT:
          this.#onGraft(top.to, top.from);
          break;
        case KIND_PRUNE:
          this.#onPrune(top.to, top.from);
          break;
      }
    }
    if (ms > this.#now) this.#now = ms;
  }

  /** Counters since creation (arrival lists are copies). */
  stats(): GossipModelStats {
    const sizes = this.#peers.filter((p) => p.joined).map((p) => p.mesh.size);
    const s = this.#stats;
    return {
      published: s.published,
      data: { ...s.data },
      iwantReplies: { ...s.iwantReplies },
      ihave: { ...s.ihave },
      iwant: { ...s.iwant },
      graft: { ...s.graft },
      prune: { ...s.prune },
      duplicates: s.duplicates,
      deliveries: s.deliveries,
      lazyDeliveries: s.lazyDeliveries,
      arrivalHops: [...this.#arrivalHops],
      arrivalMs: [...this.#arrivalMs],
      mesh: {
        mean: sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length,
        min: sizes.length === 0 ? 0 : Math.min(...sizes),
        max: sizes.length === 0 ? 0 : Math.max(...sizes),
      },
    };
  }

  // ---- protocol ----

  #publish(i: number, message: Uint8Array): boolean {
    const p = this.#peers[i]!;
    if (!p.joined) return false;
    if (message.length > this.#maxMessageBytes) throw new RangeError('message too large');
    const id = this.#messages.length;
    const seenAt = new Float64Array(this.#peers.length).fill(Number.NEGATIVE_INFINITY);
    seenAt[i] = this.#now;
    const hops = new Uint16Array(this.#peers.length);
    this.#messages.push({ from: i, publishedAt: this.#now, data: message.slice(), seenAt, hops });
    this.#stats.published++;
    p.windows[0]!.push(id);
    const targets = this.#floodPublish ? this.#connected(i) : [...p.mesh];
    for (const j of targets) this.#sendData(i, j, id, 1, false, this.#stats.data);
    return true;
  }

  #receive(i: number, from: number, id: number, hops: number, lazy: boolean): void {
    const m = this.#messages[id]!;
    const p = this.#peers[i]!;
    if (m.seenAt[i]! >= p.joinedAt) {
      this.#stats.duplicates++;
      return;
    }
    m.seenAt[i] = this.#now;
    m.hops[i] = Math.min(hops, 65_535);
    this.#stats.deliveries++;
    if (lazy) this.#stats.lazyDeliveries++;
    this.#arrivalHops.push(hops);
    this.#arrivalMs.push(this.#now - m.publishedAt);
    p.windows[0]!.push(id);
    for (const j of p.mesh) {
      if (j !== from && j !== m.from) this.#sendData(i, j, id, hops + 1, false, this.#stats.data);
    }
    for (const listener of [...p.listeners]) listener(m.data.slice(), undefined);
  }

  #heartbeat(i: number): void {
    const p = this.#peers[i]!;
    const connected = this.#connected(i);
    const live = new Set(connected);
    for (const j of p.mesh) if (!live.has(j)) p.mesh.delete(j);
    for (const [j, until] of p.backoff) if (until <= this.#now) p.backoff.delete(j);
    if (p.mesh.size < this.#Dlo) {
      const candidates = connected.filter((j) => !p.mesh.has(j) && !p.backoff.has(j));
      for (const j of this.#pick(candidates, this.#D - p.mesh.size)) this.#graft(i, j);
    } else if (p.mesh.size > this.#Dhi) {
      const drop = this.#pick([...p.mesh], p.mesh.size - this.#D);
      for (const j of drop) this.#prune(i, j);
    }
    // Lazy gossip: the ids of the last mcacheGossip heartbeats to peers outside the mesh.
    const ids: number[] = [];
    for (let w = 0; w < Math.min(this.#mcacheGossip, p.windows.length); w++) ids.push(...p.windows[w]!);
    if (ids.length > 0) {
      const candidates = connected.filter((j) => !p.mesh.has(j));
      const count = Math.max(this.#Dlazy, Math.floor(this.#gossipFactor * candidates.length));
      for (const j of this.#pick(candidates, count)) {
        const bytes = rpc(field(field(field(this.#topicBytes) + ids.length * field(MSG_ID_BYTES))));
        this.#count(this.#stats.ihave, bytes);
        this.#stats.ihave.ids += ids.length;
        this.#send(i, j, KIND_IHAVE, 0, ids, 0, false);
      }
    }
    p.windows.unshift([]);
    if (p.windows.length > this.#mcacheLength) p.windows.length = this.#mcacheLength;
    this.#push(this.#now + this.#heartbeatMs, KIND_HEARTBEAT, i, i, 0, undefined, 0, false);
  }

  #onIhave(i: number, from: number, ids: readonly number[]): void {
    const p = this.#peers[i]!;
    const want = ids.filter((id) => !(this.#messages[id]!.seenAt[i]! >= p.joinedAt));
    if (want.length === 0) return;
    const bytes = rpc(field(field(want.length * field(MSG_ID_BYTES))));
    this.#count(this.#stats.iwant, bytes);
    this.#stats.iwant.ids += want.length;
    this.#send(i, from, KIND_IWANT, 0, want, 0, false);
  }

  #onIwant(i: number, from: number, ids: readonly number[]): void {
    const p = this.#peers[i]!;
    const cached = new Set<number>();
    for (const w of p.windows) for (const id of w) cached.add(id);
    for (const id of ids) {
      if (!cached.has(id)) continue;
      // A pulled copy is one hop more than this peer's own.
      this.#sendData(i, from, id, 1 + this.#messages[id]!.hops[i]!, true, this.#stats.iwantReplies);
    }
  }

  #onGraft(i: number, from: number): void {
    const p = this.#peers[i]!;
    if (p.mesh.has(from)) return;
    const backoff = p.backoff.has(from);
    // At Dhi, only peers this one dialled (its outbound connections) get in; the lower index dials.
    const full = p.mesh.size >= this.#Dhi && !(i < from);
    if (backoff || full || !this.#isConnected(i, from)) {
      this.#prune(i, from);
      return;
    }
    p.mesh.add(from);
  }

  #onPrune(i: number, from: number): void {
    const p = this.#peers[i]!;
    p.mesh.delete(from);
    p.backoff.set(from, this.#now + this.#pruneBackoffMs);
  }

  #graft(i: number, j: number): void {
    this.#peers[i]!.mesh.add(j);
    this.#count(this.#stats.graft, rpc(field(field(field(this.#topicBytes)))));
    this.#send(i, j, KIND_GRAFT, 0, undefined, 0, false);
  }

  #prune(i: number, j: number): void {
    const p = this.#peers[i]!;
    p.mesh.delete(j);
    p.backoff.set(j, this.#now + this.#pruneBackoffMs);
    this.#count(this.#stats.prune, rpc(field(field(field(this.#topicBytes) + 1 + varint(60)))));
    this.#send(i, j, KIND_PRUNE, 0, undefined, 0, false);
  }

  #sendData(i: number, j: number, id: number, hops: number, lazy: boolean, into: GossipTypeCount): void {
    const len = this.#messages[id]!.data.length;
    const message =
      field(FROM_BYTES) + field(len) + field(SEQNO_BYTES) + field(this.#topicBytes) + field(SIGNATURE_BYTES);
    this.#count(into, rpc(field(message)));
    this.#send(i, j, KIND_DATA, id, undefined, hops, lazy);
  }

  #count(c: GossipTypeCount, bytes: number): void {
    c.messages++;
    c.bytes += bytes;
  }

  #send(
    from: number,
    to: number,
    kind: number,
    msg: number,
    ids: number[] | undefined,
    hops: number,
    lazy: boolean,
  ): void {
    const key = this.#pair(from, to);
    const due = Math.max(
      this.#now + sampleLatency(this.#latency, this.#latencyRandom),
      this.#lastDue.get(key) ?? 0,
    );
    this.#lastDue.set(key, due);
    this.#push(due, kind, to, from, msg, ids, hops, lazy);
  }

  // ---- membership ----

  #isConnected(a: number, b: number): boolean {
    return (
      this.#peers[a]!.joined &&
      this.#peers[b]!.joined &&
      !this.#cut.has(this.#pair(Math.min(a, b), Math.max(a, b)))
    );
  }

  /** Connected members of `i`'s room: its joined topology neighbours over links not cut. */
  #connected(i: number): number[] {
    return this.#peers[i]!.neighbours.filter((j) => this.#isConnected(i, j));
  }

  #pair(a: number, b: number): number {
    return a * this.#peers.length + b;
  }

  /** `count` distinct random elements of `from` (all when fewer), seeded. */
  #pick(from: readonly number[], count: number): number[] {
    const a = [...from];
    const k = Math.min(count, a.length);
    for (let x = 0; x < k; x++) {
      const y = x + Math.floor(this.#random.next() * (a.length - x));
      const t = a[x]!;
      a[x] = a[y]!;
      a[y] = t;
    }
    return a.slice(0, Math.max(0, k));
  }

  // ---- event queue (binary heap by time, then scheduling order) ----

  #push(
    at: number,
    kind: number,
    to: number,
    from: number,
    msg: number,
    ids: number[] | undefined,
    hops: number,
    lazy: boolean,
  ): void {
    const gen = this.#peers[to]!.gen;
    const item: Item = { at, order: this.#order++, kind, to, from, gen, msg, ids, hops, lazy };
    const q = this.#queue;
    q.push(item);
    let c = q.length - 1;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (!before(q[c]!, q[parent]!)) break;
      [q[c], q[parent]] = [q[parent]!, q[c]!];
      c = parent;
    }
  }

  #pop(): void {
    const q = this.#queue;
    const last = q.pop()!;
    if (q.length === 0) return;
    q[0] = last;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      const r = l + 1;
      let m = c;
      if (l < q.length && before(q[l]!, q[m]!)) m = l;
      if (r < q.length && before(q[r]!, q[m]!)) m = r;
      if (m === c) return;
      [q[c], q[m]] = [q[m]!, q[c]!];
      c = m;
    }
  }
}

function before(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
