/**
 * What a real run reads off the wire: every delivered frame is decoded once more (one decoder
 * per link, as the receiving peer does) to read the senders' SYNCs, whose `time` is the sender's
 * `now()` and `tick` its clock, and the first arrival of every stamped event at every peer. From
 * them: how far apart the peers' clocks are, and why deliveries were late.
 */
import { performance } from 'node:perf_hooks';
import { createCodec, type FrameDecoder, rectangleKeyCodec } from '@symmetric/codec';
import type { Link } from '@symmetric/transport';

/**
 * Why deliveries were late, from the real run's wire: for each first arrival of an event at a
 * peer (after warm-up), lateness = receiver's clock at arrival − the event's tick, split as
 * travel time + stamp lag + (receiver − sender clock at arrival) − Δ (+ a residual from the
 * sender's clock rate during the travel). All in ms, means over the deliveries named.
 */
export interface LatenessBreakdown {
  /** First arrivals measured (both clocks known). */
  readonly deliveries: number;
  /** Of them, arrivals after the event's tick by the clocks (late: a rollback for the receiver). */
  readonly late: number;
  /** Over late arrivals: mean lateness, and its parts. */
  readonly lateMeanMs: number;
  readonly lateTravelMs: number;
  readonly lateStampLagMs: number;
  readonly lateClockOffsetMs: number;
  /** Over all arrivals: mean receiver − sender clock offset (bias) and mean |offset|. */
  readonly offsetMeanMs: number;
  readonly offsetAbsMeanMs: number;
  /** Over all stamps: how far the sender's clock was past the tick it stamped from (frame phase), ms. */
  readonly stampLagMeanMs: number;
  /** Δ used, ms. */
  readonly deltaMs: number;
}

/** One stamped event and where it arrived (for the lateness breakdown). */
interface Stamp {
  readonly source: number;
  readonly tick: number;
  readonly delayTicks: number;
  /** `performance.now()` when stamped, and the sender's clock then (ms). */
  readonly at: number;
  readonly senderClock: number | undefined;
  /** First arrival at each other peer: when, and both clocks at that instant (ms). */
  readonly arrivals: Map<
    number,
    {
      readonly at: number;
      readonly receiverClock: number | undefined;
      readonly senderClock: number | undefined;
    }
  >;
}

/** What is known of one peer's clock from its SYNCs. */
interface PeerClock {
  /** `performance.now()` at which the peer's clock read 0 (its `now()` origin). */
  origin: number;
  /** The peer's last SYNC seen on the wire: its clock reading `tick` at `performance.now()` `at`. */
  lastSync: { at: number; tick: number } | undefined;
  /** Its clock rate from two SYNCs at least 200 ms apart, ticks per ms (nominal fps/1000). */
  rate: number;
  /** The older SYNC that rate is measured from. */
  rateAnchor: { at: number; tick: number } | undefined;
}

const round3 = (x: number): number => Math.round(x * 1e3) / 1e3;

/** Reads the peers' clocks and the events' arrivals off the frames they deliver. */
export class WireObserver {
  readonly #fps: number;
  readonly #clocks: PeerClock[];
  readonly #codec = createCodec<number>({ payload: rectangleKeyCodec });
  readonly #decoders = new WeakMap<Link, { decoder: FrameDecoder<number>; sender: number | undefined }>();
  /** Every stamped own event, by `source/seq`, with where the clocks stood. */
  readonly #stamped = new Map<string, Stamp>();
  readonly #spreads: number[] = [];

  readonly #indexOf: (peerId: string) => number | undefined;

  /**
   * For `peers` peers running at `fps`; `indexOf` names the scenario index of a peer id (default:
   * ids `p0..p{peers-1}`, a trusted run).
   */
  constructor(peers: number, fps: number, indexOf?: (peerId: string) => number | undefined) {
    this.#fps = fps;
    this.#indexOf = indexOf ?? ((id) => Number(/^p(\d+)$/.exec(id)?.[1]));
    this.#clocks = Array.from({ length: peers }, () => ({
      origin: 0,
      lastSync: undefined,
      rate: fps / 1000,
      rateAnchor: undefined,
    }));
  }

  /** The peer that sends on `link` (read from its hello), if known. */
  senderOf(link: Link): number | undefined {
    return this.#decoders.get(link)?.sender;
  }

  /** Events stamped so far (all peers). */
  get stamps(): number {
    return this.#stamped.size;
  }

  /** Peer `i`'s clock reads 0 at `performance.now()` `origin`. */
  setOrigin(i: number, origin: number): void {
    this.#clocks[i]!.origin = origin;
  }

  /** Peer `i` stamped event `source/seq` for `tick` with Δ `delayTicks`. */
  stamp(i: number, e: { source: string; seq: number; tick: number }, delayTicks: number): void {
    const at = performance.now();
    this.#stamped.set(`${e.source}/${e.seq}`, {
      source: i,
      tick: e.tick,
      delayTicks,
      at,
      senderClock: this.#read(i, at),
      arrivals: new Map(),
    });
  }

  /** Peer `receiver` got `frame` on `link`. Never throws. */
  frame(receiver: number, link: Link, frame: Uint8Array): void {
    let d = this.#decoders.get(link);
    if (d === undefined) {
      d = { decoder: this.#codec.decoder(), sender: undefined };
      this.#decoders.set(link, d);
    }
    let f: ReturnType<FrameDecoder<number>['decode']>;
    try {
      f = d.decoder.decode(frame);
    } catch {
      return; // the receiving peer reports bad frames itself
    }
    if (f.type === 'hello') {
      const j = this.#indexOf(f.peerId);
      d.sender = j !== undefined && Number.isInteger(j) && j >= 0 && j < this.#clocks.length ? j : undefined;
    } else if (f.type === 'events') {
      const now = performance.now();
      for (const e of f.events) {
        const st = this.#stamped.get(`${e.source}/${e.seq}`);
        if (st === undefined || st.arrivals.has(receiver)) continue;
        st.arrivals.set(receiver, {
          at: now,
          receiverClock: this.#read(receiver, now),
          senderClock: this.#read(st.source, now),
        });
      }
    } else if (f.type === 'sync' && d.sender !== undefined) {
      const sender = this.#clocks[d.sender]!;
      const at = sender.origin + f.time;
      const last = sender.lastSync;
      if (last !== undefined && at <= last.at) return; // an older SYNC sent on another link
      const sample = { at, tick: f.tick };
      sender.lastSync = sample;
      const anchor = sender.rateAnchor;
      if (anchor === undefined) sender.rateAnchor = sample;
      else if (at - anchor.at >= 200) {
        // The clock slews (at most a few % off nominal): follow its current rate.
        const nominal = this.#fps / 1000;
        const rate = (f.tick - anchor.tick) / (at - anchor.at);
        sender.rate = Math.min(1.1 * nominal, Math.max(0.9 * nominal, rate));
        sender.rateAnchor = sample;
      }
    }
  }

  /**
   * Record how far apart the clocks of `peers` read right now, ms (nothing until each has sent a
   * SYNC). A clock is read off its last SYNC (its fractional tick at a known instant; SYNCs go at
   * least once a second) advanced to now at the rate its recent SYNCs show, so neither frame-timer
   * phase nor delivery delay enters.
   */
  sampleSpread(peers: readonly number[]): void {
    const now = performance.now();
    const readings: number[] = [];
    for (const i of peers) {
      const reading = this.#read(i, now);
      if (reading === undefined) return;
      readings.push(reading);
    }
    if (readings.length >= 2) this.#spreads.push(Math.max(...readings) - Math.min(...readings));
  }

  /** Distribution of the spreads sampled, ms. */
  spread(): { p50: number; p99: number; max: number } {
    const sorted = [...this.#spreads].sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted.length === 0
        ? 0
        : sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
    return { p50: round3(at(0.5)), p99: round3(at(0.99)), max: round3(sorted.at(-1) ?? 0) };
  }

  /** The lateness breakdown of the events stamped at or after `performance.now()` `from`. */
  lateness(from: number): LatenessBreakdown {
    const tickMs = 1000 / this.#fps;
    let deliveries = 0;
    let late = 0;
    let lateSum = 0;
    let lateTravel = 0;
    let lateLag = 0;
    let lateOffset = 0;
    let offsetSum = 0;
    let offsetAbs = 0;
    let lagSum = 0;
    let lagCount = 0;
    let deltaMs = 0;
    for (const st of this.#stamped.values()) {
      if (st.at < from || st.senderClock === undefined) continue;
      const stampTickMs = st.tick * tickMs;
      const lag = st.senderClock - (st.tick - st.delayTicks) * tickMs;
      deltaMs = st.delayTicks * tickMs;
      lagSum += lag;
      lagCount++;
      for (const a of st.arrivals.values()) {
        if (a.receiverClock === undefined || a.senderClock === undefined) continue;
        deliveries++;
        const offset = a.receiverClock - a.senderClock;
        offsetSum += offset;
        offsetAbs += Math.abs(offset);
        const lateness = a.receiverClock - stampTickMs;
        if (lateness > 0) {
          late++;
          lateSum += lateness;
          lateTravel += a.at - st.at;
          lateLag += lag;
          lateOffset += offset;
        }
      }
    }
    const mean = (x: number, k: number): number => (k > 0 ? round3(x / k) : 0);
    return {
      deliveries,
      late,
      lateMeanMs: mean(lateSum, late),
      lateTravelMs: mean(lateTravel, late),
      lateStampLagMs: mean(lateLag, late),
      lateClockOffsetMs: mean(lateOffset, late),
      offsetMeanMs: mean(offsetSum, deliveries),
      offsetAbsMeanMs: mean(offsetAbs, deliveries),
      stampLagMeanMs: mean(lagSum, lagCount),
      deltaMs,
    };
  }

  /** Peer `i`'s clock at `performance.now()` `at`, ms, read off its SYNCs. */
  #read(i: number, at: number): number | undefined {
    const c = this.#clocks[i]!;
    return c.lastSync === undefined
      ? undefined
      : ((c.lastSync.tick + c.rate * (at - c.lastSync.at)) * 1000) / this.#fps;
  }
}
