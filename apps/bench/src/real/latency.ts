/**
 * A transport wrapper that injects one-way latency: every frame the wrapped transport delivers
 * is held back by a sample of a latency model before the owner sees it, and frames on one link
 * are never reordered (a frame is never delivered before the previous one on the same link),
 * exactly like the simulator's loopback links. Wrapping every peer's transport delays each
 * direction of each link once, at its receiving end.
 */

import { createStreamRandom, type SeededRandom } from '@symmetric/core';
import type { LatencyModel } from '@symmetric/sim';
import type { CloseInfo, Link, Transport, TransportError, TransportHandler } from '@symmetric/transport';

export type { LatencyModel } from '@symmetric/sim';

/** Machine-readable reason of a {@link LatencyTransportError}. */
export type LatencyTransportErrorCode = 'BAD_LATENCY' | 'ALREADY_STARTED';

/** Thrown by {@link latencyTransport} for a malformed latency model, or a second `start`. */
export class LatencyTransportError extends Error {
  override readonly name = 'LatencyTransportError';
  /** @param code what went wrong, for programs */
  constructor(
    readonly code: LatencyTransportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Counters of a {@link LatencyTransport}, for checking what latency was really injected. */
export interface LatencyStats {
  /** Frames received from the wrapped transport. */
  readonly framesIn: number;
  /** Frames handed to the owner (after their delay). */
  readonly framesDelivered: number;
  /** Frames dropped because their link closed locally before they were due. */
  readonly framesDropped: number;
  /** Mean of the latency samples drawn, ms. */
  readonly sampledMeanMs: number;
  /** Mean delay frames actually got (arrival from the wrapped transport to delivery), ms. */
  readonly actualMeanMs: number;
  /** Standard deviation of the actual delays, ms. */
  readonly actualSdMs: number;
  /** How late delivery ran behind the planned instant (timer and event-loop lateness), ms: mean. */
  readonly latenessMeanMs: number;
  /** Largest lateness seen, ms. */
  readonly latenessMaxMs: number;
}

/** Options of {@link latencyTransport}. */
export interface LatencyTransportOptions {
  /** Name reported as `Transport.name` (default: the wrapped transport's name). */
  readonly name?: string;
  /** Monotonic clock in ms (default `performance.now`). */
  readonly now?: () => number;
  /**
   * Called with every frame just before it is handed to the owner (after its delay), for
   * instrumentation. It must not throw and must not modify `frame`.
   */
  readonly tap?: (link: Link, frame: Uint8Array) => void;
  /**
   * Called for every frame as its delay is drawn: the link, when the wrapped transport handed it
   * over, the latency drawn and when it is due (FIFO included), on the `now` clock. For
   * computing the realized network's lower bound; it must not throw.
   */
  readonly onDelay?: (link: Link, arrivedMs: number, delayMs: number, dueMs: number) => void;
}

/** A {@link Transport} that delays every delivered frame; see {@link latencyTransport}. */
export interface LatencyTransport extends Transport {
  /** The wrapped transport. */
  readonly inner: Transport;
  /** Latency counters so far. */
  stats(): LatencyStats;
}

/** Validates a latency model; throws {@link LatencyTransportError} `BAD_LATENCY`. */
export function checkLatencyModel(model: LatencyModel): LatencyModel {
  const bad = (why: string): never => {
    throw new LatencyTransportError('BAD_LATENCY', `latency model ${JSON.stringify(model)}: ${why}`);
  };
  const nonNeg = (x: unknown, what: string): void => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) bad(`${what} must be a finite number >= 0`);
  };
  if (typeof model !== 'object' || model === null) return bad('not an object');
  switch (model.dist) {
    case 'constant':
      nonNeg(model.ms, 'ms');
      break;
    case 'uniform':
      nonNeg(model.minMs, 'minMs');
      nonNeg(model.maxMs, 'maxMs');
      if (model.minMs > model.maxMs) bad('minMs > maxMs');
      break;
    case 'normal':
      nonNeg(model.meanMs, 'meanMs');
      nonNeg(model.sdMs, 'sdMs');
      break;
    default:
      bad('dist must be constant, uniform or normal');
  }
  return model;
}

/** One latency sample in ms (normal samples are truncated at 0, as in the simulator). */
export function sampleLatencyMs(model: LatencyModel, random: SeededRandom): number {
  switch (model.dist) {
    case 'constant':
      return model.ms;
    case 'uniform':
      return random.uniform(model.minMs, model.maxMs);
    case 'normal':
      return Math.max(0, random.normal(model.meanMs, model.sdMs));
  }
}

interface Pending {
  readonly frame: Uint8Array;
  readonly due: number;
  readonly arrived: number;
}

/** Per-link state: the wrapper object the owner sees, and the frames held back. */
class DelayedLink implements Link {
  readonly queue: Pending[] = [];
  head = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Due time of the last frame queued (FIFO floor for the next one). */
  lastDue = Number.NEGATIVE_INFINITY;
  /** The wrapped link closed remotely; `onClose` waits until the queue drains. */
  pendingClose: CloseInfo | undefined;
  /** `onClose` was forwarded to the owner. */
  finished = false;
  /** This side called `close()`. */
  closedLocally = false;

  constructor(
    readonly inner: Link,
    private readonly owner: LatencyTransportImpl,
  ) {}

  get id(): string {
    return this.inner.id;
  }
  get direction(): 'inbound' | 'outbound' {
    return this.inner.direction;
  }
  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }
  get remotePeerId(): string | undefined {
    return this.inner.remotePeerId;
  }
  get open(): boolean {
    return !this.finished && !this.closedLocally && this.pendingClose === undefined && this.inner.open;
  }

  send(frame: Uint8Array): boolean {
    if (this.finished || this.closedLocally) return false;
    return this.inner.send(frame);
  }

  close(reason = 'closed'): void {
    if (this.finished || this.closedLocally) return;
    this.closedLocally = true;
    this.owner.dropQueue(this);
    if (this.pendingClose !== undefined || !this.inner.open) {
      // The wrapped link is already gone: it will not report again, so finish here.
      this.owner.finish(this, { local: true, reason });
      return;
    }
    this.inner.close(reason);
    // A conforming inner transport has reported onClose by now or will shortly; if it already
    // did, `finish` ran. Otherwise it runs when the report comes.
  }
}

class LatencyTransportImpl implements LatencyTransport {
  readonly name: string;
  readonly inner: Transport;
  private readonly model: LatencyModel;
  private readonly random: SeededRandom;
  private readonly now: () => number;
  private readonly tap: ((link: Link, frame: Uint8Array) => void) | undefined;
  private readonly onDelay: LatencyTransportOptions['onDelay'];
  private handler: TransportHandler | undefined;
  /** Wrapper of every link ever reported (identity: the owner always sees the same object). */
  private readonly wrappers = new WeakMap<Link, DelayedLink>();
  /** Wrappers not yet closed. */
  private readonly active = new Set<DelayedLink>();
  private framesIn = 0;
  private framesDelivered = 0;
  private framesDropped = 0;
  private sampledSum = 0;
  private actualSum = 0;
  private actualSq = 0;
  private latenessSum = 0;
  private latenessMax = 0;

  constructor(inner: Transport, model: LatencyModel, seed: number, options: LatencyTransportOptions) {
    this.inner = inner;
    this.model = checkLatencyModel(model);
    this.random = createStreamRandom(seed, 'latency');
    this.now = options.now ?? (() => performance.now());
    this.name = options.name ?? inner.name;
    this.tap = options.tap;
    this.onDelay = options.onDelay;
  }

  async start(handler: TransportHandler): Promise<void> {
    if (this.handler !== undefined) {
      throw new LatencyTransportError('ALREADY_STARTED', 'latency transport already started');
    }
    this.handler = handler;
    await this.inner.start({
      onLink: (link) => handler.onLink(this.wrap(link)),
      onFrame: (link, frame) => this.onFrame(link, frame),
      onClose: (link, info) => this.onClose(link, info),
      onError: (error: TransportError, link?: Link) =>
        handler.onError(error, link === undefined ? undefined : (this.wrappers.get(link) ?? link)),
    });
  }

  async dial(address: string): Promise<Link> {
    const link = await this.inner.dial(address);
    return this.wrap(link);
  }

  addresses(): string[] {
    return this.inner.addresses();
  }

  links(): Link[] {
    const out: Link[] = [];
    for (const w of this.active) if (w.open) out.push(w);
    return out;
  }

  async stop(): Promise<void> {
    await this.inner.stop();
    // Links whose remote close was still waiting for queued frames: report them now.
    for (const w of [...this.active]) {
      this.dropQueue(w);
      this.finish(w, { local: true, reason: 'stop' });
    }
  }

  stats(): LatencyStats {
    const d = this.framesDelivered;
    const mean = d > 0 ? this.actualSum / d : 0;
    return {
      framesIn: this.framesIn,
      framesDelivered: d,
      framesDropped: this.framesDropped,
      sampledMeanMs: this.framesIn > 0 ? this.sampledSum / this.framesIn : 0,
      actualMeanMs: mean,
      actualSdMs: d > 1 ? Math.sqrt(Math.max(0, (this.actualSq - d * mean * mean) / (d - 1))) : 0,
      latenessMeanMs: d > 0 ? this.latenessSum / d : 0,
      latenessMaxMs: this.latenessMax,
    };
  }

  /** The wrapper of `link`, created on first sight. */
  private wrap(link: Link): DelayedLink {
    let w = this.wrappers.get(link);
    if (w === undefined) {
      w = new DelayedLink(link, this);
      this.wrappers.set(link, w);
      this.active.add(w);
    }
    return w;
  }

  private onFrame(link: Link, frame: Uint8Array): void {
    const w = this.wrappers.get(link);
    if (w === undefined || w.finished || w.closedLocally) return;
    const now = this.now();
    const sample = sampleLatencyMs(this.model, this.random);
    this.framesIn++;
    this.sampledSum += sample;
    const due = Math.max(now + sample, w.lastDue);
    w.lastDue = due;
    this.onDelay?.(w, now, sample, due);
    w.queue.push({ frame, due, arrived: now });
    if (w.timer === undefined) this.schedule(w);
  }

  private onClose(link: Link, info: CloseInfo): void {
    const w = this.wrappers.get(link);
    if (w === undefined || w.finished) return;
    if (info.local || w.closedLocally || w.head >= w.queue.length) {
      this.dropQueue(w);
      this.finish(w, w.closedLocally ? { ...info, local: true } : info);
      return;
    }
    // Remote close: what was sent before it still arrives first.
    w.pendingClose = info;
  }

  private schedule(w: DelayedLink): void {
    const next = w.queue[w.head];
    if (next === undefined) return;
    w.timer = setTimeout(() => this.drain(w), Math.max(0, next.due - this.now()));
  }

  /** Deliver every frame of `w` that is due, then re-arm the timer or finish a pending close. */
  private drain(w: DelayedLink): void {
    w.timer = undefined;
    const handler = this.handler;
    if (handler === undefined) return;
    const now = this.now();
    while (w.head < w.queue.length && !w.finished && !w.closedLocally) {
      const p = w.queue[w.head]!;
      if (p.due > now) break;
      w.queue[w.head] = undefined as unknown as Pending;
      w.head++;
      this.framesDelivered++;
      const actual = now - p.arrived;
      this.actualSum += actual;
      this.actualSq += actual * actual;
      const late = now - p.due;
      this.latenessSum += late;
      if (late > this.latenessMax) this.latenessMax = late;
      this.tap?.(w, p.frame);
      handler.onFrame(w, p.frame);
    }
    if (w.head >= w.queue.length) {
      w.queue.length = 0;
      w.head = 0;
      if (w.pendingClose !== undefined && !w.finished) this.finish(w, w.pendingClose);
      return;
    }
    if (!w.finished && !w.closedLocally) this.schedule(w);
  }

  /** Forget the frames still held for `w` (its link closed on this side). */
  dropQueue(w: DelayedLink): void {
    if (w.timer !== undefined) clearTimeout(w.timer);
    w.timer = undefined;
    this.framesDropped += w.queue.length - w.head;
    w.queue.length = 0;
    w.head = 0;
  }

  /** Report `onClose` for `w` exactly once. */
  finish(w: DelayedLink, info: CloseInfo): void {
    if (w.finished) return;
    w.finished = true;
    this.active.delete(w);
    this.handler?.onClose(w, info);
  }
}

/**
 * Wrap `inner` so that every frame it delivers reaches the owner `model`-many milliseconds later
 * (one independent sample per frame, from a stream seeded by `seed`), never before the previous
 * frame of the same link: per-link FIFO holds, as on a TCP connection whose one-way delay
 * varies. Link opening, `send`, errors and local closes pass straight through; a remote close
 * is reported after the frames that preceded it; a local close (or `stop`) drops frames not yet
 * due, as the contract allows for frames in flight.
 *
 * Wrap every peer's transport to get one delay per link direction (the receiving side applies
 * it). Throws {@link LatencyTransportError} `BAD_LATENCY` for a malformed model.
 *
 * @example
 * ```ts
 * const ws = new WebSocketTransport({ listen: { port: 0 } });
 * const slow = latencyTransport(ws, { dist: 'normal', meanMs: 50, sdMs: 10 }, 7);
 * const peer = createPeer({ app: rectangleApp, transports: [slow], room: 'r', delay: 500 });
 * ```
 */
export function latencyTransport(
  inner: Transport,
  model: LatencyModel,
  seed: number,
  options: LatencyTransportOptions = {},
): LatencyTransport {
  return new LatencyTransportImpl(inner, model, seed, options);
}

const round3 = (x: number): number => Math.round(x * 1e3) / 1e3;

/** Combine the latency counters of several transports (frame-weighted). */
export function mergeLatency(list: readonly LatencyStats[]): LatencyStats {
  let framesIn = 0;
  let framesDelivered = 0;
  let framesDropped = 0;
  let sampled = 0;
  let actual = 0;
  let actualSq = 0;
  let lateness = 0;
  let latenessMax = 0;
  for (const s of list) {
    framesIn += s.framesIn;
    framesDelivered += s.framesDelivered;
    framesDropped += s.framesDropped;
    sampled += s.sampledMeanMs * s.framesIn;
    actual += s.actualMeanMs * s.framesDelivered;
    // Recover Σx² from each part's mean and s.d.
    actualSq +=
      s.framesDelivered > 1
        ? s.actualSdMs ** 2 * (s.framesDelivered - 1) + s.framesDelivered * s.actualMeanMs ** 2
        : s.framesDelivered * s.actualMeanMs ** 2;
    lateness += s.latenessMeanMs * s.framesDelivered;
    latenessMax = Math.max(latenessMax, s.latenessMaxMs);
  }
  const mean = framesDelivered > 0 ? actual / framesDelivered : 0;
  return {
    framesIn,
    framesDelivered,
    framesDropped,
    sampledMeanMs: round3(framesIn > 0 ? sampled / framesIn : 0),
    actualMeanMs: round3(mean),
    actualSdMs: round3(
      framesDelivered > 1
        ? Math.sqrt(Math.max(0, (actualSq - framesDelivered * mean * mean) / (framesDelivered - 1)))
        : 0,
    ),
    latenessMeanMs: round3(framesDelivered > 0 ? lateness / framesDelivered : 0),
    latenessMaxMs: round3(latenessMax),
  };
}
