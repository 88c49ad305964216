/**
 * The contract between the scenario driver and where its peers run: a loopback network in
 * virtual time or real sockets on real timers. Also how scenario peers are named and keyed.
 */
import { identityFromSecretKey, type PeerIdentity, type PeerOptions } from '@symmetric/peer';
import type { CarriedFrame } from './frame-columns.js';

/** A transport a peer runtime runs on. */
export type PeerTransport = PeerOptions<unknown, unknown>['transports'][number];

/** Peer options the driver leaves to the caller (everything but what the scenario decides). */
export type PeerOverrides<S, E> = Partial<Omit<PeerOptions<S, E>, 'app' | 'transports' | 'now'>>;

/** What a network is told about a runtime it opens a transport for. */
export interface RuntimeInfo {
  /** The peer's topology neighbours (scenario peer indices). */
  readonly neighbours: readonly number[];
  /** Run time at which the runtime's clock reads 0, ms. */
  readonly originMs: number;
}

/** Where a driven scenario's peers run, and how its time passes. */
export interface ScenarioNetwork<S = unknown, E = unknown> {
  /** Run time now, ms since the run started. */
  now(): number;
  /**
   * Bring run time to `atMs`: deliver every frame due by then (virtual time) or wait until then
   * (real time). A virtual network returns nothing; it is then not awaited.
   */
  advanceTo(atMs: number): Promise<void> | undefined;
  /**
   * `true`: the driver steps every online peer once per frame (peers are attached, not started).
   * `false`: each peer runs its own frame timer (peers are started).
   */
  readonly stepsPeers: boolean;
  /**
   * The transport of a new runtime of peer `i`, and options the network adds to its peer
   * options (a dial list, a catch-up budget).
   */
  open(
    i: number,
    runtime: RuntimeInfo,
  ): { readonly transport: PeerTransport; readonly options?: PeerOverrides<S, E> };
  /** Peer `i`'s runtime is up (after `attach` or `start`). */
  opened?(i: number): void;
  /** Cut the link between peers `a` and `b` (closing it); absent when the network cannot. */
  cut?(a: number, b: number): void;
  /** Heal a cut link (the pair links again). */
  heal?(a: number, b: number): void;
  /**
   * Every frame the links carried so far, with the latency drawn for it (run time, scenario
   * peer indices): the realized network the lower bound is computed on. Without it the
   * metrics have no lower bound (`lowerBoundPct: null`).
   */
  carried?(): Iterable<CarriedFrame>;
}

/** Address of scenario peer `i` (also its peer id in a trusted run). */
export function peerAddress(i: number): string {
  return `p${i}`;
}

/**
 * The key pair of scenario peer `i`: a reproducible function of the scenario seed and `i` (the
 * same across the peer's restarts), so runs stay deterministic with signing on.
 */
export function scenarioIdentity(seed: number, i: number): PeerIdentity {
  const secret = new Uint8Array(32);
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  for (let k = 0; k < 32; k++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h + 0x6d2b79f5 + k) >>> 0;
    secret[k] = h >>> 24;
  }
  return identityFromSecretKey(secret);
}
