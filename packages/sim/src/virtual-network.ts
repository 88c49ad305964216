/**
 * The scenario network of the simulator: a loopback network in virtual time, where the driver
 * steps every peer frame by frame.
 */
import { deriveSeed } from '@symmetric/core';
import { LoopbackNetwork, type SentFrame } from '@symmetric/transport-loopback';
import { type GossipModelOptions, SimulatedGossip } from './broadcast.js';
import { FrameColumns } from './frame-columns.js';
import { peerAddress, type ScenarioNetwork } from './network.js';
import { withRoomChannel } from './room-channel.js';
import type { LatencyModel } from './scenario.js';

/** What {@link virtualNetwork} needs of a scenario. */
export interface VirtualNetworkSpec {
  /** Peer count. */
  readonly peers: number;
  /** Per-message link latency. */
  readonly latency: LatencyModel;
}

/** Options of {@link virtualNetwork}. */
export interface VirtualNetworkOptions {
  /**
   * Keep every frame the links carry, for the realized lower bound (default `true`). Long runs
   * that do not need the bound turn it off: the record grows with the run.
   */
  readonly recordCarried?: boolean;
  /**
   * Give every peer a simulated gossipsub room channel (see {@link SimulatedGossip}), for peers
   * running `dissemination: 'broadcast'`. Default: none (links only).
   */
  readonly broadcast?: GossipModelOptions;
}

/** A virtual network; with the `broadcast` option, its simulated room too. */
export type VirtualNetwork<S, E> = ScenarioNetwork<S, E> & { readonly gossip?: SimulatedGossip };

/**
 * A loopback network in virtual time. Each edge is kept up by its lower-index end (one link per
 * edge, re-dialled on start and heal); a cut closes the link at once.
 */
export function virtualNetwork<S, E>(
  spec: VirtualNetworkSpec,
  seed: number,
  options: VirtualNetworkOptions = {},
): VirtualNetwork<S, E> {
  const index = new Map<string, number>();
  for (let i = 0; i < spec.peers; i++) index.set(peerAddress(i), i);
  const carried = options.recordCarried === false ? undefined : new FrameColumns();
  /** Route of each sending link end, by its index (−1: not looked up yet). */
  let routes = new Int32Array(256).fill(-1);
  const net = new LoopbackNetwork({
    time: 'virtual',
    seed: deriveSeed(seed, 'net'),
    latency: spec.latency,
    // Peers encode each frame into an array of its own and never touch it again: no copy.
    copyFrames: false,
    ...(carried === undefined
      ? {}
      : {
          onFrameSent: (f: SentFrame) => {
            // A loopback link end is one direction: its route is looked up once.
            const k = f.linkIndex;
            if (k >= routes.length) {
              const grown = new Int32Array(Math.max(2 * routes.length, k + 1)).fill(-1);
              grown.set(routes);
              routes = grown;
            }
            let r = routes[k]!;
            if (r < 0) {
              r = carried.routeOf(index.get(f.from)!, index.get(f.to)!, f.linkId);
              routes[k] = r;
            }
            carried.addOnRoute(r, f.sentAt, f.delayMs, f.dueAt);
          },
        }),
  });
  const gossip =
    options.broadcast === undefined
      ? undefined
      : new SimulatedGossip(spec.peers, spec.latency, deriveSeed(seed, 'broadcast'), options.broadcast);
  return {
    ...(carried === undefined ? {} : { carried: () => carried }),
    ...(gossip === undefined ? {} : { gossip }),
    now: () => net.now(),
    advanceTo: (atMs) => {
      for (let at = gossip?.nextAt(); at !== undefined && at <= atMs; at = gossip?.nextAt()) {
        net.runUntil(at);
        gossip!.runUntil(at);
      }
      net.runUntil(atMs);
      return undefined;
    },
    stepsPeers: true,
    open: (i, { neighbours }) => ({
      transport: ((t) =>
        gossip === undefined ? t : withRoomChannel(t, gossip, i, neighbours, () => net.now()))(
        net.transport(peerAddress(i), { connectTo: neighbours.filter((j) => j > i).map(peerAddress) }),
      ),
      // Catching up costs no virtual time, so it is bounded by ticks only (a cheap app does
      // minutes of ticks within one real frame; see README "How a run goes").
      options: { catchUp: { budgetMs: Number.POSITIVE_INFINITY } },
    }),
    cut: (a, b) => {
      net.cut(peerAddress(a), peerAddress(b));
      gossip?.setCut(a, b, true);
    },
    heal: (a, b) => {
      net.heal(peerAddress(a), peerAddress(b));
      gossip?.setCut(a, b, false);
    },
  };
}
