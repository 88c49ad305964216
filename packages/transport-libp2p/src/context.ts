/**
 * What every part of the transport shares: its identity, resolved options, counters, lifecycle
 * phase, the running libp2p node, the handler, and the one way to log and report errors.
 */
import { type Link, TransportError, type TransportHandler } from '@symmetric/transport';
import type { Libp2p } from 'libp2p';
import { toTransportError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** Counters of one transport instance (monotonic over its lifetime, across restarts). */
export interface Libp2pTransportStats {
  /** Links reported to `onLink`. */
  linksOpened: number;
  /** Links reported to `onClose`. */
  linksClosed: number;
  /** Frames handed to `onFrame`. */
  framesIn: number;
  /** Frames accepted by `Link.send`. */
  framesOut: number;
  /** Payload bytes of `framesIn`. */
  bytesIn: number;
  /** Payload bytes of `framesOut`. */
  bytesOut: number;
  /** Dials that rejected (explicit or background). */
  dialFailures: number;
  /** Streams refused because the tie-break kept another link to the same peer. */
  duplicatesRejected: number;
  /** Streams or connections dropped for breaking the protocol (garbage, oversized, timeouts). */
  protocolErrors: number;
  /** Background re-dials of bootstrap and relay addresses. */
  redials: number;
  /** Links replaced because the neighbour restarted (new instance) or re-dialled. */
  linksReplaced: number;
}

/** Where the transport is in its lifecycle. */
export type Phase = 'idle' | 'starting' | 'running' | 'stopping';

/** Log levels of the `log` option. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The shared state of one transport. Each `start` opens a new generation; work begun in an
 * earlier generation (a dial, a timer) checks {@link isLive} and gives up once it has ended.
 */
export class TransportContext {
  /** Counters; see {@link Libp2pTransportStats}. */
  readonly counters: Libp2pTransportStats = {
    linksOpened: 0,
    linksClosed: 0,
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dialFailures: 0,
    duplicatesRejected: 0,
    protocolErrors: 0,
    redials: 0,
    linksReplaced: 0,
  };
  /** Lifecycle phase. */
  phase: Phase = 'idle';
  /** Number of the current (or last) start. */
  generation = 0;
  /** This instance's handshake nonce, new at every start. */
  nonce = '';
  /** The libp2p node while started. */
  node: Libp2p | undefined;
  /** The handler given to `start`. */
  handler: TransportHandler | undefined;

  /**
   * @param peerId This peer's id.
   * @param settings Options with their defaults applied.
   */
  constructor(
    readonly peerId: string,
    readonly settings: ResolvedOptions,
  ) {}

  /** `true` while running. */
  get running(): boolean {
    return this.phase === 'running';
  }

  /** `true` while `generation` is the running one. */
  isLive(generation: number): boolean {
    return this.generation === generation && this.phase === 'running';
  }

  /** The running node of `generation`; throws `NOT_STARTED` once that generation has ended. */
  liveNode(generation: number): Libp2p {
    if (!this.isLive(generation) || this.node === undefined) {
      throw new TransportError('NOT_STARTED', 'transport stopped during the dial');
    }
    return this.node;
  }

  /** Calls the handler; a throwing handler is reported as `INTERNAL`, never propagated. */
  notify(what: string, link: Link, call: (handler: TransportHandler) => void): void {
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      call(handler);
    } catch (error) {
      this.report(toTransportError('INTERNAL', `${what} handler threw`, error), link);
    }
  }

  /** Logs `error` and hands it to the handler's `onError`. */
  report(error: TransportError, link?: Link): void {
    this.log('warn', error.message, { code: error.code, ...(link === undefined ? {} : { link: link.id }) });
    try {
      if (link === undefined) this.handler?.onError(error);
      else this.handler?.onError(error, link);
    } catch {
      // a throwing onError must not break the transport
    }
  }

  /** Writes to the `log` option; a throwing logger is ignored. */
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    try {
      this.settings.log(level, message, data);
    } catch {
      // logging must never break the transport
    }
  }
}
