/**
 * Dials: the configured addresses (`dial` option), dialled at attach and redialled while their
 * link is down, with the shared backoff of `@symmetric/transport` (`RedialSchedule`: no jitter,
 * doubling from `redial.minMs` to `redial.maxMs`, back to `minMs` once a link opens).
 * @internal
 */
import { type Link, RedialSchedule, type Transport, type TransportError } from '@symmetric/transport';
import { PeerError } from './errors.js';
import type { ResolvedOptions } from './options.js';

interface DialState {
  readonly address: string;
  readonly transport: number;
  /** Backoff state; `undefined` with `redial: false` (each address is dialled once). */
  readonly schedule: RedialSchedule | undefined;
  /** Key of the link this address opened, while it is open. */
  linkKey: string | undefined;
  /** The peer this address led to last time (no redial while it is a neighbour anyway). */
  peerId: string | undefined;
  /** Local time of the next attempt. */
  nextAt: number;
  /** `true` while a dial of this address is under way. */
  inFlight: boolean;
}

/** What the dials need of the rest of the peer. @internal */
export interface DialHost {
  readonly transports: readonly Transport[];
  /** `true` while attached and not stopped. */
  canDial(): boolean;
  /** `true` when `peerId` is a neighbour. */
  isNeighbour(peerId: string): boolean;
  /** `true` when the link `key` is known (opened and not closed). */
  hasLink(key: string): boolean;
  /** The link key of `link` on `transport`. */
  keyOf(transport: Transport, link: Link): string;
  /** `true` once the peer stopped (dial failures are then not reported). */
  stopped(): boolean;
  /** Local time (read only when a configured address's link closed). */
  now(): number;
  report(error: PeerError): void;
}

/** The configured addresses and their redial schedules. @internal */
export class Dials {
  private readonly dials: DialState[];

  constructor(
    options: ResolvedOptions,
    private readonly host: DialHost,
  ) {
    const redial = options.redial;
    this.dials = options.dial.map((d) => ({
      address: d.address,
      transport: d.transport,
      schedule:
        redial === false
          ? undefined
          : new RedialSchedule({
              initialMs: redial.minMs,
              maxMs: redial.maxMs,
              factor: 2,
              jitter: 0,
              stableMs: Number.POSITIVE_INFINITY,
            }),
      linkKey: undefined,
      peerId: undefined,
      nextAt: 0,
      inFlight: false,
    }));
  }

  /** An outbound link opened: if it goes to a configured address, it is that address's link. */
  linkOpened(transport: Transport, key: string, link: Link): void {
    if (link.direction !== 'outbound') return;
    for (const d of this.dials) {
      if (
        d.linkKey === undefined &&
        d.address === link.remoteAddress &&
        this.host.transports[d.transport] === transport
      ) {
        d.linkKey = key;
        d.schedule?.reset();
      }
    }
  }

  /** The handshake on link `key` named the neighbour `peerId`. */
  linkNamed(key: string, peerId: string): void {
    for (const d of this.dials) if (d.linkKey === key) d.peerId = peerId;
  }

  /**
   * Link `key` closed: its address is redialled after the current backoff, or, when the
   * handshake was refused (a final verdict: another room, app, version, or not admitted), after
   * the longest one (`redial.maxMs`).
   */
  linkClosed(key: string, refused = false): void {
    for (const d of this.dials) {
      if (d.linkKey === key) {
        d.linkKey = undefined;
        const wait = refused ? (d.schedule?.policy.maxMs ?? 0) : (d.schedule?.peek() ?? 0);
        d.nextAt = this.host.now() + wait;
      }
    }
  }

  /**
   * How many configured addresses are being dialled without a neighbour behind them: a dial under
   * way, a link still in its handshake, or a redial scheduled (0 before attach and once stopped).
   * With `redial: false`, an address whose one dial failed or closed no longer counts.
   */
  dialling(): number {
    if (!this.host.canDial()) return 0;
    let n = 0;
    for (const d of this.dials) {
      if (d.peerId !== undefined && this.host.isNeighbour(d.peerId)) continue;
      const givenUp = d.schedule === undefined && d.nextAt > 0 && d.linkKey === undefined && !d.inFlight;
      if (!givenUp) n++;
    }
    return n;
  }

  /** Dial every configured address that is due and not linked. */
  run(now: number): void {
    if (!this.host.canDial()) return;
    for (const d of this.dials) {
      if (d.linkKey !== undefined || now < d.nextAt) continue;
      if (d.peerId !== undefined && this.host.isNeighbour(d.peerId)) continue;
      if (d.nextAt > 0 && d.schedule === undefined) continue;
      const transport = this.host.transports[d.transport];
      if (transport === undefined) continue;
      d.nextAt = d.schedule === undefined ? Number.POSITIVE_INFINITY : now + d.schedule.failed();
      this.dial(transport, d.address, d);
    }
  }

  /** Dial `address` on `transport` now (`d`: the configured address it is, if any). */
  dial(transport: Transport, address: string, d?: DialState): void {
    let p: Promise<Link>;
    try {
      p = transport.dial(address);
    } catch (error) {
      if (d !== undefined) d.inFlight = false;
      this.host.report(new PeerError('DIAL_FAILED', `dial ${address}: ${String(error)}`, { cause: error }));
      return;
    }
    if (d !== undefined) d.inFlight = true;
    p.then(
      (link) => {
        if (d !== undefined) d.inFlight = false;
        if (d !== undefined && d.linkKey === undefined && link.open) {
          const key = this.host.keyOf(transport, link);
          if (this.host.hasLink(key)) d.linkKey = key;
        }
      },
      (error: unknown) => {
        if (d !== undefined) d.inFlight = false;
        if (this.host.stopped()) return;
        this.host.report(
          new PeerError(
            'DIAL_FAILED',
            `dial ${address}: ${(error as TransportError | undefined)?.message ?? String(error)}`,
            { cause: error },
          ),
        );
      },
    );
  }
}
