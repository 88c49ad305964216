/**
 * What the driver keeps of a run for the bounds computed at its end (docs/simulator.md,
 * "Metrics"): every event as stamped, per peer the intervals its runtime was not live and the
 * snapshots it adopted. The perfect-clock lower bound and the mean-latency estimate search the
 * journeys of every event over them, so these records grow with the run. A long run that does
 * not need those two figures keeps none of them (`records: 'bounded'`) and reports them `null`.
 * @internal
 */
import { AdoptedFrontier, StampingSources } from './adopted-frontier.js';
import { type CarriedFrame, FrameColumns } from './frame-columns.js';
import {
  type EmittedEvent,
  type LowerBoundNetwork,
  type LowerBoundOptions,
  perfectClockLateTicks,
  type SnapshotAdoption,
} from './metrics.js';
import type { Interval } from './plan.js';
import { FrameLog, realizedLateTicks } from './realized.js';

/**
 * How much of a run the driver keeps. `'full'` (the default): every stamped event, adoption and
 * syncing interval, for the lower bound and the mean-latency estimate. `'bounded'`: none of them,
 * so the driver's memory does not grow with the run's length; those metrics are then `null`.
 */
export type RunRecordsMode = 'full' | 'bounded';

/** The network the bounds are computed on, less what the records hold. */
export type BoundNetwork = Omit<LowerBoundNetwork, 'linkMs' | 'syncing' | 'adoptions'>;

/** The two late-tick figures of a run (`null`: not computed). */
export interface BoundTicks {
  /** The perfect-clock lower bound's numerator over the delays the run drew (`realizedLateTicks`). */
  readonly lowerBound: number | null;
  /** The mean-latency estimate's numerator (`perfectClockLateTicks`). */
  readonly meanLatency: number | null;
}

/** The records of one run, per scenario peer. @internal */
export class RunRecords {
  readonly #full: boolean;
  readonly #emitted: EmittedEvent[] = [];
  /** Per peer, when its runtime was not live (the lower bound does not count receipts then). */
  readonly #syncing: Interval[][];
  readonly #syncingSince: (number | undefined)[];
  /** Per peer, the snapshots it adopted (the lower bound does not count the events they fold in). */
  readonly #adoptions: SnapshotAdoption[][];
  readonly #stamping = new StampingSources();

  constructor(peers: number, mode: RunRecordsMode) {
    this.#full = mode === 'full';
    const n = this.#full ? peers : 0;
    this.#syncing = Array.from({ length: n }, () => []);
    this.#syncingSince = new Array(n).fill(undefined);
    this.#adoptions = Array.from({ length: n }, () => []);
  }

  /** Whether the bounds are computed (`records: 'full'`). */
  get full(): boolean {
    return this.#full;
  }

  /** Peer `i` stamped event `id` at run time `atMs` with Δ `deltaMs`. */
  stamped(
    i: number,
    id: { readonly source: string; readonly seq: number },
    atMs: number,
    deltaMs: number,
  ): void {
    if (!this.#full) return;
    this.#stamping.add(id.source);
    this.#emitted.push({ source: i, atMs, deltaMs, id: { source: id.source, seq: id.seq } });
  }

  /** Peer `i` adopted, at run time `atMs`, a snapshot folding in `frontier` (source id, highest seq). */
  adopted(i: number, frontier: readonly (readonly [string, number])[], atMs: number): void {
    if (!this.#full) return;
    this.#adoptions[i]!.push({ atMs, frontier: new AdoptedFrontier(this.#stamping, frontier) });
  }

  /** Peer `i`'s runtime is not live from `atMs` (a new runtime: always; otherwise unless already so). */
  syncingFrom(i: number, atMs: number, newRuntime: boolean): void {
    if (!this.#full) return;
    if (newRuntime || this.#syncingSince[i] === undefined) this.#syncingSince[i] = atMs;
  }

  /** Peer `i`'s runtime is live, or gone, at `atMs`: its open syncing interval ends. */
  endSyncing(i: number, atMs: number): void {
    if (!this.#full) return;
    const since = this.#syncingSince[i];
    if (since === undefined) return;
    this.#syncingSince[i] = undefined;
    if (atMs > since) this.#syncing[i]!.push({ from: since, to: atMs });
  }

  /**
   * The bounds at the end of the run (every syncing interval closed first): the lower bound over
   * `carried` (the frames the network reports, `undefined`: none) and the mean-latency estimate
   * with every link at `linkMs`. Both `null` with bounded records.
   */
  bounds(
    net: BoundNetwork,
    linkMs: number,
    carried: Iterable<CarriedFrame> | undefined,
    opts: LowerBoundOptions,
  ): BoundTicks {
    if (!this.#full) return { lowerBound: null, meanLatency: null };
    for (let i = 0; i < this.#syncingSince.length; i++) this.endSyncing(i, Number.POSITIVE_INFINITY);
    const full = { ...net, syncing: this.#syncing, adoptions: this.#adoptions };
    let lowerBound: number | null = null;
    if (carried !== undefined) {
      const log = new FrameLog(net.peers, carried instanceof FrameColumns ? carried : undefined);
      if (!(carried instanceof FrameColumns)) for (const f of carried) log.record(f);
      lowerBound = realizedLateTicks(full, log, this.#emitted, opts);
    }
    const meanLatency = perfectClockLateTicks({ ...full, linkMs }, this.#emitted, opts);
    return { lowerBound, meanLatency };
  }
}
