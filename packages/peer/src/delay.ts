import { hash01, SourceCount } from './source-count.js';

/**
 * The `delay: 'auto'` rule. Peers send small beacons (a presence update carrying the sender's
 * network tick), flooded room-wide; the first copy of a beacon from `s` reaches this peer after
 * the fastest-path flooding delay `D(s, me)` (hops × per-link latency, as the network really
 * is), measured as `networkTickNow - beaconTick`. Links are symmetric enough that the largest
 * `D(s, me)` over sources is also how long this peer's own events take to reach the farthest
 * peer, which is the Δ that makes them on time everywhere:
 *
 *     Δ = ceil(1.2 × max_s D(s) + 2 × clockUncertainty + 1)   (ticks)
 *
 * `D(s)` is the largest of the last 3 samples of `s` (robust to a lucky fast sample).
 *
 * Beacons are sampled, not sent by every peer every period: at each beacon slot (3 slots 5 s
 * apart, then every 30 s) a peer floods its beacon with probability
 * `min(1, BEACON_SOURCES / n)`, `n` the sources it holds samples of plus itself
 * ({@link beaconChance}): a room of up to {@link BEACON_SOURCES} peers beacons from every peer
 * at every slot, a larger one about {@link BEACON_SOURCES} beacons per slot in all, so the
 * background traffic grows with the links, not with peers × links. A source's samples are kept
 * for three slow periods times `n / BEACON_SOURCES` (at least three periods), the time in which
 * it beacons about three times: the estimate still covers nearly every source of the room.
 * Memory does not grow with the room: samples are kept for the {@link BEACON_SOURCES} sources
 * with the largest delays (only the largest two can set Δ), and `n` comes from a sketch of 64
 * source hashes (source-count.ts).
 *
 * A sample is only meaningful when the two clocks agreed: when groups meet, a beacon stamped on
 * the younger group's clock before it jumped to the network's time looks like a flooding delay
 * of many seconds. Every beacon therefore carries the sender's clock epoch (how many times its
 * clock jumped forward) and every sample is kept with the pair (sender's epoch, own epoch): a
 * beacon of a newer sender epoch replaces the source's samples, one of an older epoch is
 * ignored, and a jump of the own clock forgets every sample measured before it.
 *
 * Robust to a lying minority: a sample beyond the 5 s ceiling (a beacon stamped at tick 0, or
 * long ago) is dropped as impossible (`outliers`), and with three or more sources the largest
 * `D(s)` is left out when it is more than twice the next one plus {@link OUTLIER_FLOOR_S} s of
 * ticks: one source cannot drive Δ alone. Each sample is this peer's own measurement of a beacon
 * its source signed, so a relay cannot make up delays.
 *
 * Before any beacon arrived, Δ is 4 times the slowest neighbour's one-way latency, and at least
 * 100 ms. Δ is clamped to [1 tick, 5 s].
 * @internal
 */
export class AutoDelay {
  /** Samples dropped as impossible (beyond the ceiling) or left out as a lone outlier. */
  outliers = 0;
  /** Samples of the {@link BEACON_SOURCES} sources with the largest delays (the rest cannot set Δ). */
  private readonly samples = new Map<string, { values: number[]; next: number; at: number; epoch: number }>();
  /** How many sources this peer hears from (a sketch: memory independent of the room's size). */
  private readonly heard = new SourceCount();
  /** The own clock's epoch the samples were measured with. */
  private ownEpoch = 0;
  /** How long samples are kept (ms): `staleMs` stretched by the room's size at the last evaluation. */
  private keepMs: number;

  constructor(
    private readonly fps: number,
    private readonly staleMs: number,
  ) {
    this.keepMs = staleMs;
  }

  /**
   * One beacon from `source`, stamped at its clock epoch `epoch`, took `ticks` ticks to arrive
   * (received at local time `now`, the own clock at epoch `ownEpoch`).
   */
  observe(source: string, ticks: number, now: number, epoch = 0, ownEpoch = 0): void {
    if (!Number.isFinite(ticks)) return;
    if (ownEpoch !== this.ownEpoch) {
      // The own clock jumped: what was measured against it before no longer holds.
      this.samples.clear();
      this.ownEpoch = ownEpoch;
    }
    const v = Math.max(0, ticks);
    if (v > Math.ceil(MAX_DELAY_S * this.fps)) {
      this.outliers++;
      return;
    }
    let s = this.samples.get(source);
    if (s !== undefined && epoch < s.epoch) return; // stamped before the sender's clock jumped
    this.heard.note(source, now);
    if (s === undefined && this.samples.size >= BEACON_SOURCES && !this.makeRoom(v)) return;
    if (s === undefined || epoch > s.epoch) {
      s = { values: [], next: 0, at: now, epoch };
      this.samples.set(source, s);
    }
    if (s.values.length < 3) s.values.push(v);
    else s.values[s.next] = v;
    s.next = (s.next + 1) % 3;
    s.at = now;
  }

  /**
   * The samples are full: drop those of the source with the smallest delay if it is below `v`
   * (`true`: there is room now for a source measured at `v`).
   */
  private makeRoom(v: number): boolean {
    let least: string | undefined;
    let d = Number.POSITIVE_INFINITY;
    for (const [source, s] of this.samples) {
      const m = Math.max(...s.values);
      if (m < d) {
        d = m;
        least = source;
      }
    }
    if (least === undefined || d >= v) return false;
    this.samples.delete(least);
    return true;
  }

  /** Forget `source` (it said goodbye). */
  forget(source: string): void {
    this.samples.delete(source);
    this.heard.forget(source);
  }

  /** Sources whose samples are held (at most {@link BEACON_SOURCES}). */
  get held(): number {
    return this.samples.size;
  }

  /** Number of sources heard from recently (exact up to 64, estimated beyond). */
  get sources(): number {
    return this.heard.estimate();
  }

  /** Δ in ticks at local time `now`. */
  value(now: number, uncertaintyTicks: number, maxOneWayMs: number): number {
    // Per source its largest recent sample; Δ follows the largest source but a lone outlier.
    let worst = -1;
    let next = -1;
    let count = 0;
    for (const [source, s] of this.samples) {
      if (now - s.at > this.keepMs) {
        this.samples.delete(source);
        continue;
      }
      let d = -1;
      for (const v of s.values) if (v > d) d = v;
      count++;
      if (d > worst) {
        next = worst;
        worst = d;
      } else if (d > next) next = d;
    }
    this.heard.expire(now, this.keepMs);
    this.keepMs = this.staleMs * Math.max(1, (this.heard.estimate() + 1) / BEACON_SOURCES);
    if (count >= 3 && worst > 2 * next + OUTLIER_FLOOR_S * this.fps) {
      this.outliers++;
      worst = next;
    }
    const maxTicks = Math.ceil(MAX_DELAY_S * this.fps);
    let ticks: number;
    if (worst < 0) {
      const oneWayTicks = Number.isFinite(maxOneWayMs) ? (maxOneWayMs * this.fps) / 1000 : 0;
      ticks = Math.max(Math.ceil(4 * oneWayTicks) + 1, Math.ceil(this.fps / 10));
    } else {
      const u = Number.isFinite(uncertaintyTicks) ? uncertaintyTicks : 0;
      ticks = Math.ceil(1.2 * worst + 2 * u + 1);
    }
    return Math.min(maxTicks, Math.max(1, ticks));
  }
}

/** Ceiling of the automatic Δ, in seconds. @internal */
export const MAX_DELAY_S = 5;

/** A lone largest flooding delay is an outlier when above twice the next one plus this many seconds. @internal */
export const OUTLIER_FLOOR_S = 0.1;

/**
 * Beacons flooded per slot in a large room (a room of up to this many peers beacons from every
 * peer at every slot). @internal
 */
export const BEACON_SOURCES = 32;

/**
 * Whether the beacon of `source` at its slot `slot` goes out, when it knows `known` other
 * sources: chance `min(1, BEACON_SOURCES / (known + 1))`, drawn from a hash of the source and
 * the slot (the same on every run, different from slot to slot and source to source).
 * @internal
 */
export function beaconChance(source: string, slot: number, known: number): boolean {
  const p = BEACON_SOURCES / (known + 1);
  return p >= 1 || hash01(`${source}#${slot}`) < p;
}

/** Beacon periods (ms) when Δ is 'auto': the first few quickly, then slowly. @internal */
export const BEACON_FAST_MS = 5000;
/** How many beacons go out at the fast period. @internal */
export const BEACON_FAST_COUNT = 3;
/** The slow beacon period (ms). @internal */
export const BEACON_MS = 30_000;

/** Δ, the stamping delay in ticks: fixed, or the 'auto' rule re-evaluated once a second. @internal */
export class Delay {
  /** The 'auto' rule's samples (fed by presence beacons). */
  readonly auto: AutoDelay;
  /** Current Δ in ticks. */
  ticks: number;
  private nextUpdateAt = 0;

  constructor(
    fps: number,
    /** Δ in ms, or 'auto'. */
    readonly setting: number | 'auto',
  ) {
    this.auto = new AutoDelay(fps, 3 * BEACON_MS + 1000);
    this.ticks = setting === 'auto' ? this.auto.value(0, 0, Number.NaN) : Math.ceil((setting * fps) / 1000);
  }

  /** `true` when Δ is 'auto'. */
  get isAuto(): boolean {
    return this.setting === 'auto';
  }

  /**
   * With 'auto', re-evaluate Δ (at most once a second) from `clock`'s estimate at `now` (asked
   * for only then; a clock that refuses `now` must have been left out by the caller).
   */
  update(
    now: number,
    clock: {
      estimate(now: number): {
        readonly uncertaintyTicks: number;
        readonly links: ReadonlyMap<string, { oneWayMs: number }>;
      };
    },
  ): void {
    if (this.setting !== 'auto' || now < this.nextUpdateAt) return;
    this.nextUpdateAt = now + 1000;
    const estimate = clock.estimate(now);
    let maxOneWay = Number.NaN;
    for (const l of estimate.links.values()) if (!(l.oneWayMs <= maxOneWay)) maxOneWay = l.oneWayMs;
    this.ticks = this.auto.value(now, estimate.uncertaintyTicks, maxOneWay);
  }
}
