import type { Link, Transport, TransportHandler } from '@symmetric/transport';
import type { LoopbackLink } from './link.js';
import type { LoopbackNetwork } from './network.js';

/** Options of one {@link LoopbackTransport}. */
export interface LoopbackTransportOptions {
  /**
   * Addresses this transport keeps a link to: it dials each one whenever both ends are
   * started and the pair is not cut, and there is no open link between them yet (on `start`
   * of either side, on `heal`/`healAll`, and when the close of a link to a transport that
   * stopped arrives after another transport was started at its address, i.e. a restart).
   * Failures go to `onError`. Default none.
   */
  connectTo?: readonly string[];
}

/**
 * A {@link Transport} on a {@link LoopbackNetwork}, listening at its address once started.
 * `dial(address)` opens a link to the transport started at `address` on the same network.
 * Create it with {@link LoopbackNetwork.transport}.
 */
export class LoopbackTransport implements Transport {
  /** Always `loopback`. */
  readonly name = 'loopback';
  /** Always `true`: each instant of virtual time, each pump of real time, ends with `onTurnEnd`. */
  readonly endsTurns = true;
  /** The address it listens at (once started) and that others dial. */
  readonly address: string;
  /** The network it belongs to. */
  readonly network: LoopbackNetwork;
  /** Addresses it keeps a link to (see {@link LoopbackTransportOptions.connectTo}). */
  readonly connectTo: readonly string[];
  /** @internal Creation order on its network (the order automatic dials visit transports in). */
  readonly serial: number;
  /** @internal Set while started; dropped on stop. */
  handler: TransportHandler | undefined;
  /** @internal */
  started = false;
  /** @internal Received a frame in the network's current delivery turn. */
  inTurn = false;
  /** @internal First of its events in the network's current instant (an index; −1: none). */
  groupHead = -1;
  /** @internal Last of its events in the network's current instant (an index; −1: none). */
  groupTail = -1;
  /** @internal Open link ends, in opening order. */
  readonly openLinks = new Set<LoopbackLink>();

  /** @internal Use {@link LoopbackNetwork.transport}. */
  constructor(network: LoopbackNetwork, address: string, options: LoopbackTransportOptions, serial: number) {
    this.network = network;
    this.address = address;
    this.connectTo = [...(options.connectTo ?? [])];
    this.serial = serial;
  }

  /**
   * Starts listening at {@link address} (synchronously; the promise is already settled).
   * Rejects with `ALREADY_STARTED`, or `LISTEN_FAILED` when another started transport holds
   * the address. A stopped transport may be started again.
   */
  start(handler: TransportHandler): Promise<void> {
    try {
      this.network._start(this, handler);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Opens a link to the transport started at `address`; see {@link LoopbackNetworkOptions.connectLatency}. */
  dial(address: string): Promise<Link> {
    return this.network._dial(this, address);
  }

  /** `[address]` while started, else `[]`. */
  addresses(): string[] {
    return this.started ? [this.address] : [];
  }

  /** Open links, in opening order. */
  links(): Link[] {
    return [...this.openLinks];
  }

  /**
   * Closes every link (each `onClose` local, before this returns) and stops listening; the
   * network then holds nothing of this transport. Idempotent.
   */
  stop(): Promise<void> {
    this.network._stop(this);
    return Promise.resolve();
  }
}
