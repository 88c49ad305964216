import {
  type CloseInfo,
  isTransportError,
  type Link,
  TransportError,
  type TransportHandler,
} from '@symmetric/transport';
import { checkAddress, insertBySerial, pairKey } from './addresses.js';
import { LoopbackError } from './errors.js';
import { EventQueue } from './events.js';
import { InstantGroups } from './instant.js';
import { type LatencyModel, sampleLatency, validateLatency } from './latency.js';
import { LoopbackLink, type Pair } from './link.js';
import {
  type LoopbackFootprint,
  type LoopbackNetworkOptions,
  type LoopbackStats,
  resolveNetworkOptions,
  type SentFrame,
} from './options.js';
import { PendingDial } from './pending-dial.js';
import { Channel } from './queue.js';
import { SeededRandom } from './random.js';
import { LoopbackTransport, type LoopbackTransportOptions } from './transport.js';
import { Turns } from './turns.js';

/** Host timer and clock functions; this package is built without DOM or Node types. */
const host = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance: { now(): number };
};

/**
 * An in-process network of {@link LoopbackTransport}s with a latency model, FIFO links, cuts
 * and partitions, in real time (`setTimeout`) or virtual time (driven by {@link runUntil}).
 *
 * Deterministic: latency samples come from a seeded PRNG in send order, and in virtual time
 * every handler runs synchronously inside `runUntil` (frames, remote closes, delayed opens),
 * inside `dial` (immediate opens, both `onLink`s), inside `close`/`stop` (the local
 * `onClose`), or inside `cut`/`partition` (both `onClose`s).
 */
export class LoopbackNetwork {
  /** `'real'` or `'virtual'`. */
  readonly time: 'real' | 'virtual';
  /** Largest frame `send` accepts. */
  readonly maxFrameBytes: number;
  /** Whether dialled links open after one latency sample. */
  readonly connectLatency: boolean;
  /** Whether `send` keeps a copy of each frame (else the frame itself is delivered). */
  readonly copyFrames: boolean;
  private readonly defaultLatency: LatencyModel;
  private readonly rng: SeededRandom;
  private readonly onFrameSent: ((frame: SentFrame) => void) | undefined;
  private readonly queue = new EventQueue<LoopbackLink, PendingDial>();
  private readonly pairs = new Map<string, Pair>();
  private readonly listeners = new Map<string, LoopbackTransport>();
  /** Started transports, in creation order: the only transports the network holds. */
  private readonly startedTransports: LoopbackTransport[] = [];
  private transportSerial = 0;
  private readonly autoDialing = new Set<string>();
  private readonly counters: LoopbackStats = {
    framesSent: 0,
    bytesSent: 0,
    framesDelivered: 0,
    framesDropped: 0,
    framesRejected: 0,
    linksOpened: 0,
    dialsFailed: 0,
    handlerErrors: 0,
  };
  private seq = 0;
  private linkSeq = 0;
  private virtualNow = 0;
  private readonly origin: number;
  private running = false;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly pump = (): void => this.realPump();
  private readonly turns = new Turns();
  private readonly turnThrew = (t: LoopbackTransport, error: unknown): void => this.handlerThrew(t, error);
  private readonly instant = new InstantGroups();
  private readonly deliverEvent = (end: LoopbackLink, payload: Uint8Array | string): void =>
    this.deliver(end, payload);
  private readonly endTurn = (): void => {
    if (this.turns.pending) this.turns.end(this.turnThrew);
  };

  /** @throws {LoopbackError} `BAD_OPTIONS` or `BAD_LATENCY` for malformed options. */
  constructor(options: LoopbackNetworkOptions = {}) {
    const { time, seed, maxFrameBytes, connectLatency, copyFrames, latency, onFrameSent } =
      resolveNetworkOptions(options);
    this.copyFrames = copyFrames;
    this.onFrameSent = onFrameSent;
    this.time = time;
    this.maxFrameBytes = maxFrameBytes;
    this.connectLatency = connectLatency;
    this.defaultLatency = latency;
    this.rng = new SeededRandom(seed);
    this.origin = time === 'real' ? host.performance.now() : 0;
  }

  /**
   * A new transport that listens at `address` once started and dials other addresses of this
   * network. Several transports may be created for one address (e.g. a peer restarting), but
   * only one may be started at a time.
   *
   * @throws {LoopbackError} `BAD_ADDRESS` unless `address` is a non-empty string.
   */
  transport(address: string, options: LoopbackTransportOptions = {}): LoopbackTransport {
    checkAddress(address);
    for (const to of options.connectTo ?? []) checkAddress(to);
    return new LoopbackTransport(this, address, options, this.transportSerial++);
  }

  /** Sets the latency of every link between `a` and `b`, both directions, from the next frame on. */
  setLatency(a: string, b: string, model: LatencyModel): void {
    checkAddress(a);
    checkAddress(b);
    this.pairOf(a, b).model = validateLatency(model);
  }

  /**
   * Cuts `a`–`b`: closes every open link between them at once (both sides get `onClose`
   * with `local: false` and a `LINK_CLOSED` error; frames in flight are dropped) and refuses
   * new dials between them until {@link heal}.
   */
  cut(a: string, b: string): void {
    checkAddress(a);
    checkAddress(b);
    const pair = this.pairOf(a, b);
    pair.cut = true;
    this.closePair(a, pair);
  }

  /** Lets `a` and `b` link again (and re-dials their `connectTo` declarations). */
  heal(a: string, b: string): void {
    checkAddress(a);
    checkAddress(b);
    const pair = this.pairs.get(pairKey(a, b));
    if (pair === undefined || !pair.cut) return;
    pair.cut = false;
    this.autoDialPair(a, b);
    this.autoDialPair(b, a);
  }

  /** Cuts every pair of addresses in different groups (addresses in no group are untouched). */
  partition(groups: string[][]): void {
    if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g))) {
      throw new LoopbackError('BAD_OPTIONS', 'partition expects an array of address arrays');
    }
    for (const g of groups) for (const address of g) checkAddress(address);
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        for (const a of groups[i]!) for (const b of groups[j]!) if (a !== b) this.cut(a, b);
      }
    }
  }

  /** Heals every cut (also those of `cut` and `partition`), then re-dials `connectTo` declarations. */
  healAll(): void {
    for (const pair of this.pairs.values()) pair.cut = false;
    for (const t of [...this.startedTransports]) this.autoDial(t);
  }

  /** Network time in ms: virtual time, or ms since the network was created (`performance.now()`). */
  now(): number {
    return this.time === 'virtual' ? this.virtualNow : host.performance.now() - this.origin;
  }

  /**
   * Virtual time only: delivers every event due at or before `ms` in time order, calling
   * handlers synchronously, then sets the clock to `ms` (never backwards). The events due at one
   * instant go transport by transport, in the order of each one's first event (its own in send
   * order), and a transport that received frames gets `onTurnEnd` right after its events.
   * Events that handlers schedule at or before `ms` are delivered in the same call (those due
   * at the instant being delivered: once every transport's turn of it has ended).
   *
   * @throws {LoopbackError} `WRONG_TIME_MODE` on a real-time network, `REENTRANT` from inside a handler.
   */
  runUntil(ms: number): void {
    if (this.time !== 'virtual') {
      throw new LoopbackError('WRONG_TIME_MODE', 'runUntil() needs a network created with time: "virtual"');
    }
    if (typeof ms !== 'number' || Number.isNaN(ms)) {
      throw new LoopbackError('BAD_OPTIONS', `runUntil(ms) needs a number, got ${String(ms)}`);
    }
    if (this.running) throw new LoopbackError('REENTRANT', 'runUntil() called from inside a handler');
    const queue = this.queue;
    let at = queue.nextAt();
    // Nothing due (a simulator advances its clock far more often than frames come due).
    if (at > ms) {
      if (ms > this.virtualNow) this.virtualNow = ms;
      return;
    }
    this.running = true;
    try {
      while (at <= ms && !queue.empty) {
        if (at > this.virtualNow) this.virtualNow = at;
        this.deliverInstant(at);
        at = queue.nextAt();
      }
    } finally {
      this.running = false;
    }
    if (ms > this.virtualNow) this.virtualNow = ms;
  }

  /** Due time of the earliest queued event (frame, remote close, delayed open), if any. */
  nextEventAt(): number | undefined {
    return this.queue.empty ? undefined : this.queue.nextAt();
  }

  /** A snapshot of the counters. */
  stats(): LoopbackStats {
    return { ...this.counters };
  }

  /** What the network holds right now: started transports, their open link ends, queued events, address pairs. */
  footprint(): LoopbackFootprint {
    let linkEnds = 0;
    for (const t of this.startedTransports) linkEnds += t.openLinks.size;
    return {
      transports: this.startedTransports.length,
      linkEnds,
      queued: this.queue.count(),
      pairs: this.pairs.size,
    };
  }

  // ---- internals (called by LoopbackLink / LoopbackTransport) ----

  /** @internal */
  _start(t: LoopbackTransport, handler: TransportHandler): void {
    if (t.started) throw new TransportError('ALREADY_STARTED', `loopback ${t.address} is already started`);
    const holder = this.listeners.get(t.address);
    if (holder !== undefined) {
      throw new TransportError('LISTEN_FAILED', `loopback address ${t.address} is in use`);
    }
    this.listeners.set(t.address, t);
    t.handler = handler;
    t.started = true;
    insertBySerial(this.startedTransports, t);
    this.autoDial(t);
    for (const other of [...this.startedTransports]) {
      if (other !== t && other.started && other.connectTo.includes(t.address))
        this.autoDialPair(other.address, t.address);
    }
  }

  /** @internal */
  _stop(t: LoopbackTransport): void {
    if (!t.started) return;
    t.started = false;
    if (this.listeners.get(t.address) === t) this.listeners.delete(t.address);
    const held = this.startedTransports.indexOf(t);
    if (held >= 0) this.startedTransports.splice(held, 1);
    for (const end of [...t.openLinks]) this._close(end, 'transport stopped');
    // Dropped once the local closes have run (unless a handler restarted the transport): a
    // closed link end kept by someone else then does not keep the old handler alive.
    if (!t.started) t.handler = undefined;
  }

  /** @internal */
  _dial(from: LoopbackTransport, address: string): Promise<Link> {
    if (typeof address !== 'string' || address === '') {
      return Promise.reject(
        new TransportError('BAD_ADDRESS', `not a loopback address: ${JSON.stringify(address)}`),
      );
    }
    if (!from.started) {
      return Promise.reject(new TransportError('NOT_STARTED', `loopback ${from.address} is not started`));
    }
    if (!this.connectLatency) {
      try {
        return Promise.resolve(this.openLink(from, address));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<Link>((resolve, reject) => {
      this.queueDial(from, address, resolve, reject, undefined);
    });
  }

  /** Queue a dial that completes after one latency sample (connect latency). */
  private queueDial(
    from: LoopbackTransport,
    address: string,
    resolve: (link: Link) => void,
    reject: (error: TransportError) => void,
    autoKey: string | undefined,
  ): void {
    const pair = this.pairOf(from.address, address);
    const at = this.now() + sampleLatency(pair.model, this.rng);
    this.queue.addDial(new PendingDial(at, this.seq++, from, address, resolve, reject, autoKey));
    if (this.time === 'real' && at < this.timerAt) this.arm(at);
  }

  /** @internal */
  _send(end: LoopbackLink, frame: Uint8Array): boolean {
    if (!end.isOpen) return false;
    if (!(frame instanceof Uint8Array)) {
      this.counters.framesRejected++;
      throw new TransportError('PROTOCOL', 'frame must be a Uint8Array', { linkId: end.id });
    }
    if (frame.length > this.maxFrameBytes) {
      this.counters.framesRejected++;
      throw new TransportError(
        'FRAME_TOO_LARGE',
        `frame of ${frame.length} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`,
        { linkId: end.id },
      );
    }
    const now = this.now();
    const delayMs = sampleLatency(end.pair.model, this.rng);
    const earliest = now + delayMs;
    const at = earliest > end.lastAt ? earliest : end.lastAt;
    end.lastAt = at;
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
    this.schedule(end, at, this.copyFrames ? frame.slice() : frame);
    this.onFrameSent?.({
      from: end.owner.address,
      to: end.remoteAddress,
      linkId: end.id,
      linkIndex: end.index,
      sentAt: now,
      delayMs,
      dueAt: at,
      bytes: frame.length,
    });
    return true;
  }

  /** @internal */
  _close(end: LoopbackLink, reason: string): void {
    if (!end.isOpen) return;
    const other = end.peer;
    if (other.isOpen) {
      const earliest = this.now() + sampleLatency(end.pair.model, this.rng);
      const at = earliest > end.lastAt ? earliest : end.lastAt;
      end.lastAt = at;
      this.schedule(end, at, String(reason));
    }
    this.closeEnd(end, { local: true, reason });
  }

  // ---- private ----

  /** Queues an event from `from` to its other end (FIFO: `at` is never before the previous one). */
  private schedule(from: LoopbackLink, at: number, payload: Uint8Array | string): void {
    this.queue.add(from.channel, at, this.seq++, payload);
    if (this.time === 'real' && at < this.timerAt) this.arm(at);
  }

  private arm(at: number): void {
    if (this.timer !== undefined) host.clearTimeout(this.timer);
    this.timerAt = at;
    const wait = at - this.now();
    this.timer = host.setTimeout(this.pump, wait > 0 ? wait : 0);
  }

  /** Real time: deliver what is due (not what this very pump schedules), then re-arm. */
  private realPump(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const limit = this.seq;
    const now = this.now();
    const queue = this.queue;
    while (!queue.empty && queue.nextAt() <= now && queue.nextSeq() < limit) this.step();
    if (this.turns.pending) this.turns.end(this.turnThrew);
    const next = queue.nextAt();
    if (next < this.timerAt) this.arm(next);
  }

  /** Takes the earliest event off the queue (before any handler runs) and runs it. */
  private step(): void {
    const queue = this.queue;
    const next = queue.take()!;
    if (next instanceof PendingDial) this.completeDial(next);
    else this.deliver(next, queue.payload);
  }

  /**
   * Virtual time: the events due at `at` now queued, transport by transport (see
   * {@link runUntil}); a dial among them completes in its place, after the events before it.
   */
  private deliverInstant(at: number): void {
    const queue = this.queue;
    const instant = this.instant;
    while (!queue.empty && queue.nextAt() === at) {
      const next = queue.take()!;
      if (next instanceof PendingDial) {
        if (!instant.empty) instant.drain(this.deliverEvent, this.endTurn);
        this.completeDial(next);
      } else instant.add(next, queue.payload);
    }
    if (!instant.empty) instant.drain(this.deliverEvent, this.endTurn);
  }

  /** Delivers a frame (its bytes) or a remote close (its reason) to `end`. */
  private deliver(end: LoopbackLink, payload: Uint8Array | string): void {
    if (typeof payload !== 'string') {
      if (!end.isOpen) {
        this.counters.framesDropped++;
        return;
      }
      this.counters.framesDelivered++;
      const owner = end.owner;
      this.turns.note(owner);
      try {
        owner.handler?.onFrame(end, payload);
      } catch (error) {
        this.handlerThrew(owner, error, end);
      }
    } else if (end.isOpen) {
      this.closeEnd(end, { local: false, reason: payload });
      // The other side's transport stopped and another one has been started at its address
      // since (a restart, within one latency): this side keeps its `connectTo` link, to the
      // new transport. (A deliberate close by a transport still listening is not re-dialled.)
      const owner = end.owner;
      const current = this.listeners.get(end.remoteAddress);
      if (current !== undefined && current !== end.peer.owner && owner.started) {
        this.autoDialPair(owner.address, end.remoteAddress);
      }
    }
  }

  private completeDial(pending: PendingDial): void {
    // Cleared synchronously (not in a promise callback): a cut and heal right after this, in
    // the same turn, must see no dial under way and dial again.
    if (pending.autoKey !== undefined) this.autoDialing.delete(pending.autoKey);
    if (!pending.from.started) {
      this.counters.dialsFailed++;
      pending.reject(
        new TransportError('DIAL_FAILED', `loopback ${pending.from.address} stopped while dialling`),
      );
      return;
    }
    let link: LoopbackLink;
    try {
      link = this.openLink(pending.from, pending.address);
    } catch (error) {
      pending.reject(error as TransportError);
      return;
    }
    pending.resolve(link);
  }

  private openLink(from: LoopbackTransport, address: string): LoopbackLink {
    const target = this.listeners.get(address);
    if (target === undefined) {
      this.counters.dialsFailed++;
      throw new TransportError('DIAL_FAILED', `nothing listening at loopback address ${address}`);
    }
    const pair = this.pairOf(from.address, address);
    if (pair.cut) {
      this.counters.dialsFailed++;
      throw new TransportError('DIAL_FAILED', `loopback ${from.address} – ${address} is cut`);
    }
    const n = this.linkSeq++;
    const now = this.now();
    const out = new LoopbackLink(`loopback-${n}-out`, 'outbound', address, from, pair, now, 2 * n);
    const inbound = new LoopbackLink(
      `loopback-${n}-in`,
      'inbound',
      from.address,
      target,
      pair,
      now,
      2 * n + 1,
    );
    out.peer = inbound;
    inbound.peer = out;
    out.channel = new Channel(inbound);
    inbound.channel = new Channel(out);
    from.openLinks.add(out);
    target.openLinks.add(inbound);
    this.counters.linksOpened++;
    this.callOnLink(target, inbound);
    this.callOnLink(from, out);
    return out;
  }

  private callOnLink(t: LoopbackTransport, end: LoopbackLink): void {
    if (!end.isOpen) return; // closed by a cut from inside the other side's onLink
    try {
      t.handler?.onLink(end);
    } catch (error) {
      this.handlerThrew(t, error, end);
    }
  }

  private closeEnd(end: LoopbackLink, info: CloseInfo): void {
    end.isOpen = false;
    const owner = end.owner;
    owner.openLinks.delete(end);
    try {
      owner.handler?.onClose(end, info);
    } catch (error) {
      this.handlerThrew(owner, error, end);
    }
  }

  private handlerThrew(t: LoopbackTransport, error: unknown, link?: LoopbackLink): void {
    this.counters.handlerErrors++;
    const wrapped = isTransportError(error)
      ? error
      : new TransportError('INTERNAL', `a handler threw: ${String(error)}`, {
          cause: error,
          ...(link === undefined ? {} : { linkId: link.id }),
        });
    try {
      t.handler?.onError(wrapped, link);
    } catch {
      // onError itself threw: in virtual time fail loudly (deterministically); in real time
      // there is nobody left to tell without throwing into a timer.
      if (this.time === 'virtual') throw error;
    }
  }

  private closePair(a: string, pair: Pair): void {
    const t = this.listeners.get(a);
    if (t === undefined) return;
    const cutInfo = (): CloseInfo => ({
      local: false,
      reason: 'network cut',
      error: new TransportError('LINK_CLOSED', 'the loopback network cut this link'),
    });
    for (const end of [...t.openLinks]) {
      if (end.pair !== pair) continue;
      if (end.isOpen) this.closeEnd(end, cutInfo());
      if (end.peer.isOpen) this.closeEnd(end.peer, cutInfo());
    }
  }

  private pairOf(a: string, b: string): Pair {
    const key = pairKey(a, b);
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = { model: this.defaultLatency, cut: false };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  private autoDial(t: LoopbackTransport): void {
    if (!t.started) return;
    for (const to of t.connectTo) this.autoDialPair(t.address, to);
  }

  /**
   * Dial `to` from the started transport at `from` if it declared it and they are not linked.
   * Everything here is synchronous: without connect latency the link opens (or the failure is
   * reported to `onError`) before this returns; with it, the in-progress marker is set now and
   * cleared when the queued dial completes, never in a promise callback, so a pair cut and
   * healed several times in one turn is always re-dialled.
   */
  private autoDialPair(from: string, to: string): void {
    const t = this.listeners.get(from);
    if (t === undefined || !t.connectTo.includes(to)) return;
    if (!this.listeners.has(to) || this.pairs.get(pairKey(from, to))?.cut === true) return;
    for (const end of t.openLinks) if (end.remoteAddress === to) return;
    const report = (error: unknown): void => {
      if (t.handler === undefined) return;
      const e = isTransportError(error)
        ? error
        : new TransportError('DIAL_FAILED', String(error), { cause: error });
      try {
        t.handler.onError(e);
      } catch {
        // nowhere left to report
      }
    };
    if (!this.connectLatency) {
      try {
        this.openLink(t, to);
      } catch (error) {
        report(error);
      }
      return;
    }
    const key = `${from}\u0000${to}`;
    if (this.autoDialing.has(key)) return; // a dial with connect latency is under way
    this.autoDialing.add(key);
    this.queueDial(t, to, () => {}, report, key);
  }
}
