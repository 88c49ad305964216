/**
 * Bootstrap and relay addresses kept connected: each is dialled at start and re-dialled with the
 * shared backoff ({@link RedialSchedule}) whenever it fails or its link or connection drops.
 * Bootstrap addresses are kept as Symmetric links; relays as plain libp2p connections (their
 * reservation lets other peers reach this one).
 */
import { type BackoffPolicy, RedialSchedule } from '@symmetric/transport';
import type { TransportContext } from './context.js';
import { toTransportError } from './errors.js';
import type { RedialOptions } from './options.js';
import type { LinkObserver } from './registry.js';

/** What the keepers need to reach an address. */
export interface KeeperDialer {
  /** The peer id an address names, if it names one; throws for a bad address. */
  peerOf(address: string): string | undefined;
  /** `true` while there is an open link to `peer`. */
  isLinked(peer: string): boolean;
  /** Opens (or finds) the Symmetric link to `address`; resolves with the neighbour's id. */
  link(address: string): Promise<{ readonly remotePeerId: string | undefined }>;
  /** Connects to the relay at `address`; resolves with the relay's peer id. */
  connect(address: string, generation: number): Promise<string>;
}

/** Which kind of address a keeper holds. */
export type KeeperKind = 'bootstrap' | 'relay';

interface Keeper {
  readonly address: string;
  readonly kind: KeeperKind;
  readonly schedule: RedialSchedule;
  peer: string | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  busy: boolean;
}

/**
 * The `redial` option as the shared backoff policy. The option spreads each delay ± `jitter`
 * around the exponential base, the shared policy takes up to `jitter` off it: scaling base and
 * cap by `1 + jitter` and the jitter to `2·jitter / (1 + jitter)` gives the same range.
 */
export function redialPolicy(redial: Required<RedialOptions>): BackoffPolicy {
  const widen = 1 + redial.jitter;
  return {
    initialMs: redial.initialMs * widen,
    maxMs: redial.maxMs * widen,
    factor: redial.factor,
    jitter: (2 * redial.jitter) / widen,
    stableMs: redial.stableAfterMs,
  };
}

/** Keeps bootstrap and relay addresses connected while the transport runs. */
export class AddressKeepers implements LinkObserver {
  private readonly keepers: Keeper[] = [];
  private readonly policy: BackoffPolicy;

  /**
   * @param ctx The transport's shared state.
   * @param dialer How to reach an address.
   * @param random Source of the backoff jitter.
   */
  constructor(
    private readonly ctx: TransportContext,
    private readonly dialer: KeeperDialer,
    private readonly random: () => number = Math.random,
  ) {
    this.policy = redialPolicy(ctx.settings.redial);
  }

  /** Starts keeping the configured bootstrap and relay addresses (a bad one is reported). */
  start(): void {
    for (const address of this.ctx.settings.bootstrap) this.add(address, 'bootstrap');
    for (const address of this.ctx.settings.relays) this.add(address, 'relay');
  }

  /** Cancels every pending re-dial and forgets the addresses. */
  stop(): void {
    for (const k of this.keepers) if (k.timer !== undefined) clearTimeout(k.timer);
    this.keepers.length = 0;
  }

  /** {@link LinkObserver}: a link to `peer` opened, so its keeper's pending re-dial is moot. */
  opened(peer: string): void {
    for (const k of this.keepers) {
      if (k.kind === 'bootstrap' && k.peer === peer && k.timer !== undefined) {
        clearTimeout(k.timer);
        k.timer = undefined;
      }
    }
  }

  /** {@link LinkObserver}: a link to `peer` closed after `openMs`; re-dial its address. */
  closed(peer: string, openMs: number): void {
    for (const k of this.keepers) {
      if (k.kind !== 'bootstrap' || k.peer !== peer) continue;
      if (openMs >= this.policy.stableMs) k.schedule.reset();
      this.retryLater(k);
    }
  }

  /** The libp2p connection to `peer` is gone; re-dial it if it is a relay. */
  disconnected(peer: string): void {
    for (const k of this.keepers) if (k.kind === 'relay' && k.peer === peer) this.retryLater(k);
  }

  private add(address: string, kind: KeeperKind): void {
    let peer: string | undefined;
    try {
      peer = this.dialer.peerOf(address);
    } catch (error) {
      this.ctx.report(toTransportError('BAD_ADDRESS', `bad ${kind} address ${address}`, error));
      return;
    }
    const keeper: Keeper = {
      address,
      kind,
      peer,
      schedule: new RedialSchedule(this.policy, this.random),
      timer: undefined,
      busy: false,
    };
    this.keepers.push(keeper);
    void this.run(keeper, this.ctx.generation);
  }

  private retryLater(k: Keeper): void {
    if (k.timer !== undefined || k.busy || !this.ctx.running) return;
    const delay = k.schedule.failed();
    const generation = this.ctx.generation;
    k.timer = setTimeout(() => {
      k.timer = undefined;
      this.ctx.counters.redials++;
      void this.run(k, generation);
    }, delay);
  }

  private async run(k: Keeper, generation: number): Promise<void> {
    const { ctx } = this;
    if (!ctx.isLive(generation) || k.busy) return;
    k.busy = true;
    try {
      if (k.kind === 'bootstrap') {
        if (k.peer !== undefined && this.dialer.isLinked(k.peer)) return;
        const link = await this.dialer.link(k.address);
        k.peer = link.remotePeerId;
      } else {
        k.peer = await this.dialer.connect(k.address, generation);
        k.schedule.reset();
      }
    } catch (error) {
      if (!ctx.isLive(generation)) return;
      if (k.kind === 'relay') ctx.counters.dialFailures++; // link dials count their own failures
      ctx.report(toTransportError('DIAL_FAILED', `${k.kind} dial to ${k.address} failed`, error));
      k.busy = false;
      this.retryLater(k);
    } finally {
      k.busy = false;
    }
  }
}
