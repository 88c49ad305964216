/**
 * The virtual-time runner: the scenario driver over a loopback network in virtual time, where
 * the driver steps every peer frame by frame.
 */
import type { PayloadCodec } from '@symmetric/codec';
import { type App, deriveSeed, type SeededRandom } from '@symmetric/core';
import type { PeerOptions } from '@symmetric/peer';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { driveScenario, peerAddress, type ScenarioNetwork } from './driver.js';
import type { Metrics } from './metrics.js';
import type { CarriedFrame } from './realized.js';
import { parseScenario, type Scenario } from './scenario.js';
import type { TraceEvent } from './trace.js';

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
  const { metrics } = await driveScenario<S, E>(sc, virtualNetwork(sc, seed), {
    ...options,
    defaultRoom: 'symmetric-sim',
  });
  return metrics;
}

/**
 * A loopback network in virtual time. Each edge is kept up by its lower-index end (one link per
 * edge, re-dialled on start and heal); a cut closes the link at once.
 */
function virtualNetwork<S, E>(sc: Scenario, seed: number): ScenarioNetwork<S, E> {
  const index = new Map<string, number>();
  for (let i = 0; i < sc.peers; i++) index.set(peerAddress(i), i);
  const carried: CarriedFrame[] = [];
  const net = new LoopbackNetwork({
    time: 'virtual',
    seed: deriveSeed(seed, 'net'),
    latency: sc.latency,
    onFrameSent: (f) =>
      carried.push({
        from: index.get(f.from)!,
        to: index.get(f.to)!,
        link: f.linkId,
        sentMs: f.sentAt,
        delayMs: f.delayMs,
        dueMs: f.dueAt,
      }),
  });
  return {
    carried: () => carried,
    now: () => net.now(),
    advanceTo: (atMs) => {
      net.runUntil(atMs);
      return undefined;
    },
    stepsPeers: true,
    open: (i, { neighbours }) => ({
      transport: net.transport(peerAddress(i), {
        connectTo: neighbours.filter((j) => j > i).map(peerAddress),
      }),
      // Catching up costs no virtual time, so it is bounded by ticks only (a cheap app does
      // minutes of ticks within one real frame; see README "How a run goes").
      options: { catchUp: { budgetMs: Number.POSITIVE_INFINITY } },
    }),
    cut: (a, b) => net.cut(peerAddress(a), peerAddress(b)),
    heal: (a, b) => net.heal(peerAddress(a), peerAddress(b)),
  };
}
