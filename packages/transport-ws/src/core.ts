import type { TransportHandler } from '@symmetric/transport';
import {
  type CloseInfo,
  isTransportError,
  type Link,
  linksOverTotal,
  RedialSchedule,
  type Transport,
  TransportError,
} from '@symmetric/transport';
import { CloseCode } from './constants.js';
import { type DialWaiter, type LinkHost, type SocketPort, WsLink } from './link.js';
import { parseAddress, resolveSettings, type Settings, type WebSocketCommonOptions } from './options.js';

type Phase = 'stopped' | 'starting' | 'running' | 'stopping';

/** Numbers transport instances, so link ids are unique within the process, not only per instance. */
let instances = 0;

/** Keeps one configured address connected, redialling after the shared {@link RedialSchedule}. */
class Redialer {
  private readonly schedule: RedialSchedule;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly core: WebSocketTransportCore,
    readonly address: string,
  ) {
    this.schedule = new RedialSchedule(core.settings.reconnect, core.settings.random);
  }

  run(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.core
      .openOutbound(this.address, (openMs) => this.linkClosed(openMs))
      .then(
        () => {},
        (error: unknown) => {
          if (this.stopped) return;
          this.core.reportError(toTransportError(error, 'DIAL_FAILED'));
          this.retryAfter(this.schedule.failed());
        },
      );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private linkClosed(openMs: number): void {
    if (this.stopped) return;
    this.retryAfter(this.schedule.closed(openMs));
  }

  private retryAfter(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.run(), delayMs);
  }
}

/** `error` as a {@link TransportError}, wrapping anything else with `code`. */
export function toTransportError(error: unknown, code: TransportError['code']): TransportError {
  if (isTransportError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(code, message, { cause: error });
}

/**
 * The platform-independent half of the WebSocket transport: the handler, the set of links,
 * `dial()`, keeping configured addresses connected, and `stop()`. The Node and browser classes
 * extend it with how to open a socket (and, on Node, how to listen).
 */
export abstract class WebSocketTransportCore implements Transport {
  /** Always `ws`. */
  readonly name = 'ws';
  /**
   * Resolved options.
   * @internal
   */
  readonly settings: Settings;

  private handler: TransportHandler | undefined;
  private phase: Phase = 'stopped';
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private readonly openLinks = new Map<string, WsLink>();
  private readonly connecting = new Set<WsLink>();
  private readonly redialers = new Set<Redialer>();
  private nextLinkId = 1;
  private readonly instance = ++instances;
  private readonly host: LinkHost;

  protected constructor(options: WebSocketCommonOptions) {
    this.settings = resolveSettings(options);
    this.host = {
      settings: this.settings,
      opened: (link) => {
        this.connecting.delete(link);
        if (this.phase !== 'running') return false;
        this.openLinks.set(link.id, link);
        this.call((h) => h.onLink(link));
        return true;
      },
      frame: (link, frame) => this.call((h) => h.onFrame(link, frame)),
      reserve: (link, bytes) => {
        const max = this.settings.maxTotalBufferedBytes;
        const over = linksOverTotal([...this.openLinks.values()], link, bytes, max);
        for (const heavy of over) heavy.closeOverTotal(max);
        return !over.includes(link);
      },
      closed: (link, info: CloseInfo) => {
        this.openLinks.delete(link.id);
        this.call((h) => h.onClose(link, info));
      },
      error: (error, link) => this.reportError(error, link),
      abandoned: (link) => {
        this.connecting.delete(link);
      },
    };
  }

  /** `true` between a successful `start()` and `stop()`. */
  get running(): boolean {
    return this.phase === 'running';
  }

  start(handler: TransportHandler): Promise<void> {
    if (this.phase !== 'stopped') {
      return Promise.reject(new TransportError('ALREADY_STARTED', 'transport already started'));
    }
    for (const address of this.settings.dial) {
      try {
        parseAddress(address);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.phase = 'starting';
    this.handler = handler;
    const started = (async () => {
      try {
        await this.listen();
      } catch (error) {
        this.phase = 'stopped';
        this.handler = undefined;
        throw toTransportError(error, 'LISTEN_FAILED');
      }
      this.phase = 'running';
      for (const address of this.settings.dial) {
        const redialer = new Redialer(this, address);
        this.redialers.add(redialer);
        redialer.run();
      }
    })();
    this.startPromise = started;
    return started;
  }

  dial(address: string): Promise<Link> {
    if (this.phase !== 'running') {
      return Promise.reject(
        new TransportError('NOT_STARTED', `cannot dial ${address}: transport not started`),
      );
    }
    return this.openOutbound(address);
  }

  links(): Link[] {
    return [...this.openLinks.values()];
  }

  abstract addresses(): string[];

  stop(): Promise<void> {
    if (this.phase === 'stopped') return Promise.resolve();
    if (this.stopPromise !== undefined) return this.stopPromise;
    const stopping = (async () => {
      if (this.phase === 'starting') await this.startPromise?.catch(() => {});
      if (this.phase === 'stopped') return;
      this.phase = 'stopping';
      for (const r of this.redialers) r.stop();
      this.redialers.clear();
      for (const link of [...this.connecting]) {
        link.abortConnect(new TransportError('DIAL_FAILED', 'transport stopped', { linkId: link.id }));
      }
      const links = [...this.openLinks.values()];
      const gone = links.map((link) => link.closeLocal(CloseCode.GoingAway, 'transport stopped'));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(gone),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.settings.closeGraceMs);
        }),
      ]);
      clearTimeout(timer);
      for (const link of links) link.terminate();
      try {
        await this.unlisten();
      } catch (error) {
        this.reportError(toTransportError(error, 'INTERNAL'));
      }
      this.phase = 'stopped';
      this.handler = undefined;
    })();
    this.stopPromise = stopping.finally(() => {
      this.stopPromise = undefined;
    });
    return this.stopPromise;
  }

  /**
   * Opens one outbound link (for `dial()` and the redialler).
   * @internal
   */
  openOutbound(address: string, onFinished?: (openMs: number) => void): Promise<WsLink> {
    let url: URL;
    try {
      url = parseAddress(address);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<WsLink>((resolve, reject) => {
      const waiter: DialWaiter = { resolve, reject };
      const link = new WsLink(this.host, this.newLinkId(), 'outbound', address, waiter);
      link.onFinished = onFinished;
      this.connecting.add(link);
      try {
        link.attach(this.connect(url, link));
      } catch (error) {
        link.abortConnect(toTransportError(error, 'DIAL_FAILED'));
      }
    });
  }

  /**
   * Reports a background failure through `onError`.
   * @internal
   */
  reportError(error: TransportError, link?: Link): void {
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      handler.onError(error, link);
    } catch {
      // the owner's error handler failed; there is nowhere further to report it
    }
  }

  /**
   * Adopts an accepted socket as an inbound link (for platform code that listens). `wire` attaches
   * the socket's events to the new link and returns its `SocketPort`.
   * @internal
   */
  protected adoptInbound(remoteAddress: string, wire: (link: WsLink) => SocketPort): void {
    const link = new WsLink(this.host, this.newLinkId(), 'inbound', remoteAddress);
    link.attach(wire(link));
    link.socketOpened();
  }

  /**
   * Opens a socket to `url` whose events feed `link`; may throw (mapped to `DIAL_FAILED`).
   * @internal
   */
  protected abstract connect(url: URL, link: WsLink): SocketPort;
  /**
   * Starts listening, when configured.
   * @internal
   */
  protected abstract listen(): Promise<void>;
  /**
   * Stops listening.
   * @internal
   */
  protected abstract unlisten(): Promise<void>;

  private newLinkId(): string {
    return `ws${this.instance}-${this.nextLinkId++}`;
  }

  private call(fn: (handler: TransportHandler) => void): void {
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      fn(handler);
    } catch (cause) {
      this.reportError(new TransportError('INTERNAL', 'transport handler threw', { cause }));
    }
  }
}
