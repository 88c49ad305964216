/**
 * The virtual-time runner: the scenario driver over a loopback network in virtual time, where
 * the driver steps every peer frame by frame.
 */
import type { PayloadCodec } from '@symmetric/codec';
import type { App, SeededRandom } from '@symmetric/core';
import type { PeerOptions } from '@symmetric/peer';
import type { GossipModelOptions } from './broadcast.js';
import { driveScenario } from './driver.js';
import type { Metrics } from './metrics.js';
import type { RunRecordsMode } from './run-records.js';
import { parseScenario, type Scenario } from './scenario.js';
import type { TraceEvent } from './trace.js';
import { virtualNetwork } from './virtual-network.js';

/** Options of {@link runScenario}. */
export interface RunOptions<S = unknown, E = unknown> {
  /** Run seed (default: the scenario's `seed`). */
  readonly seed?: number;
  /**
   * The app every peer runs (default: the scenario's `events.app`, which must then be
   * `rectangle`). With a custom app, give `randomEvent` too.
   */
  readonly app?: App<S, E>;
  /** Wire codec of the app's event payloads (default: the rectangle's one-byte codec, or the peer's default for a custom app). */
  readonly payloadCodec?: PayloadCodec<E>;
  /**
   * Draw one event payload for peer `peer` from `random` (seeded per peer). Default for the
   * rectangle app: a key 0..4 uniformly. Required with a custom `app`.
   */
  readonly randomEvent?: (random: SeededRandom, peer: number) => E;
  /** Called with the fraction of virtual time done (0..1), about every 1 %. */
  readonly onProgress?: (fraction: number) => void;
  /** Include `wallMs` in the metrics (default `true`); everything else is reproducible. */
  readonly includeWall?: boolean;
  /**
   * Called with what happens during the run, in order: starts, crashes and comebacks, cuts
   * and heals, status changes, rollbacks and desync reports of every peer. For finding out
   * why a run did not converge; costs nothing when absent.
   */
  readonly trace?: (event: TraceEvent) => void;
  /** Extra options for every peer (e.g. `snapshotEvery`, `clock`), applied after the scenario's. */
  readonly peerOptions?: Partial<Omit<PeerOptions<S, E>, 'app' | 'transports' | 'now'>>;
  /**
   * Disseminate over a simulated gossipsub room (`dissemination: 'broadcast'` on every peer
   * unless `peerOptions` says otherwise) instead of flooding; the gossipsub parameters, `{}`
   * for libp2p's defaults. See docs/scale.md.
   */
  readonly broadcast?: GossipModelOptions;
  /**
   * What the run keeps (default `'full'`). `'bounded'`: no record per event, per frame, per
   * adoption or per restart, so a long run's memory does not grow with its length;
   * `lowerBoundPct`, `lowerBoundTicks`, `rollbackToLowerBound`, `meanLatencyEstimatePct` and
   * `meanLatencyEstimateTicks` are then `null`, every other metric the same.
   */
  readonly records?: RunRecordsMode;
}

/**
 * Run a scenario in virtual time and return its metrics. Same scenario and seed give the same
 * metrics, byte for byte, except `wallMs`. Throws {@link ScenarioError} for a bad scenario.
 *
 * ```ts
 * const metrics = await runScenario(parseScenario(json), { seed: 7 });
 * ```
 */
export async function runScenario<S = unknown, E = unknown>(
  scenario: Scenario | unknown,
  options: RunOptions<S, E> = {},
): Promise<Metrics> {
  const sc: Scenario = parseScenario(scenario);
  const seed = options.seed ?? sc.seed;
  const broadcast = options.broadcast;
  const network = virtualNetwork<S, E>(sc, seed, {
    ...(broadcast === undefined ? {} : { broadcast }),
    ...(options.records === 'bounded' ? { recordCarried: false } : {}),
  });
  const { metrics } = await driveScenario<S, E>(sc, network, {
    ...options,
    ...(broadcast === undefined
      ? {}
      : { peerOptions: { dissemination: 'broadcast' as const, ...options.peerOptions } }),
    defaultRoom: 'symmetric-sim',
  });
  return metrics;
}
