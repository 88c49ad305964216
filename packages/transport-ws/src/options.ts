import { TransportError } from '@symmetric/transport';
import { DEFAULTS, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from './constants.js';

/** Reconnection policy for the addresses in `dial` (exponential backoff with jitter). */
export interface ReconnectOptions {
  /** First retry delay in ms. Default `250`. */
  readonly initialMs?: number;
  /** Largest retry delay in ms. Default `10000`. */
  readonly maxMs?: number;
  /** Growth of the delay per failed attempt (`>= 1`). Default `2`. */
  readonly factor?: number;
  /**
   * Fraction of the delay drawn at random (`0..1`): the delay is uniform in
   * `[base × (1 − jitter), base]`. Default `0.5`.
   */
  readonly jitter?: number;
  /** A link that stayed open this long (ms) resets the backoff to `initialMs`. Default `5000`. */
  readonly stableMs?: number;
}

/** Options shared by the Node and the browser transport. */
export interface WebSocketCommonOptions {
  /**
   * `ws://` / `wss://` URLs dialled at `start()` and kept connected until `stop()`: whenever
   * such a link closes or a dial fails, it is redialled after a backoff (see `reconnect`).
   * Failures are reported through `onError`. Default: none.
   */
  readonly dial?: readonly string[];
  /**
   * Room token. A listener rejects upgrades without it (HTTP 401); a dialler presents it as a
   * WebSocket subprotocol (`symmetric.token.<base64url>`), which also works from browsers.
   */
  readonly token?: string;
  /** Largest frame sent or accepted, in bytes. Default `1048576` (1 MiB). */
  readonly maxFrameBytes?: number;
  /**
   * Ping interval in ms (Node only: browsers cannot send pings, they only answer them). A link
   * whose ping got no pong (and no frame) by the next ping is closed as dead. `0` disables.
   * Default `5000`.
   */
  readonly heartbeatMs?: number;
  /**
   * Close a link on which nothing at all arrived for this many ms (`0` disables, the default).
   * The way to detect a dead server from a browser, where the peer's periodic SYNC frames keep
   * a healthy link busy.
   */
  readonly idleTimeoutMs?: number;
  /** A dial that has not opened after this many ms fails with `TIMEOUT`. Default `10000`. */
  readonly dialTimeoutMs?: number;
  /**
   * A link whose unsent bytes would exceed this is closed (code 4002) rather than buffering
   * without bound; the peer's repair catches up after reconnection. Default `16777216` (16 MiB).
   */
  readonly maxBufferedBytes?: number;
  /**
   * Unsent bytes of all links together: when a send would take the total beyond it, the link
   * holding the most is closed (code 4002, `LINK_CLOSED`) and its queue dropped, so many slow
   * readers each within `maxBufferedBytes` cannot together exhaust memory. Default `134217728`
   * (128 MiB).
   */
  readonly maxTotalBufferedBytes?: number;
  /** After a local close, how long (ms) to wait for the close handshake before dropping the socket. Default `1000`. */
  readonly closeGraceMs?: number;
  /** Backoff policy for `dial` addresses. */
  readonly reconnect?: ReconnectOptions;
  /** Random source for the jitter, `() => [0, 1)`. Default `Math.random`. */
  readonly random?: () => number;
}

/** Machine-readable reason of an {@link InvalidOptionError}: an option outside its range. */
export type InvalidOptionErrorCode = 'INVALID_OPTION';

/** Thrown by a transport constructor given an option outside its range. */
export class InvalidOptionError extends RangeError {
  override readonly name = 'InvalidOptionError';
  /** Always `INVALID_OPTION`, for programs. */
  readonly code: InvalidOptionErrorCode = 'INVALID_OPTION';
  /** The option at fault, e.g. `reconnect.factor`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/** `true` when `value` is an {@link InvalidOptionError} (also across bundled copies of this package). */
export function isInvalidOptionError(value: unknown): value is InvalidOptionError {
  return (
    value instanceof Error &&
    (value as { name?: unknown }).name === 'InvalidOptionError' &&
    (value as { code?: unknown }).code === 'INVALID_OPTION'
  );
}

/** Every option resolved to a value (internal). */
export interface Settings {
  readonly dial: readonly string[];
  readonly token: string | undefined;
  readonly maxFrameBytes: number;
  readonly heartbeatMs: number;
  readonly idleTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly maxBufferedBytes: number;
  readonly maxTotalBufferedBytes: number;
  readonly closeGraceMs: number;
  readonly reconnect: Required<ReconnectOptions>;
  readonly random: () => number;
  /** Subprotocols a dialler offers (`symmetric`, plus the token entry when there is a token). */
  readonly protocols: readonly string[];
}

function check(option: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `expected a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Fills defaults in and validates ranges; throws {@link InvalidOptionError}. */
export function resolveSettings(options: WebSocketCommonOptions): Settings {
  const r = options.reconnect ?? {};
  const d = DEFAULTS.reconnect;
  const reconnect = {
    initialMs: check('reconnect.initialMs', r.initialMs ?? d.initialMs, 1),
    maxMs: check('reconnect.maxMs', r.maxMs ?? d.maxMs, 1),
    factor: check('reconnect.factor', r.factor ?? d.factor, 1),
    jitter: check('reconnect.jitter', r.jitter ?? d.jitter, 0, 1),
    stableMs: check('reconnect.stableMs', r.stableMs ?? d.stableMs, 0),
  };
  if (reconnect.maxMs < reconnect.initialMs) {
    throw new InvalidOptionError('reconnect.maxMs', 'must be >= reconnect.initialMs');
  }
  const token = options.token;
  if (token !== undefined && token.length === 0) throw new InvalidOptionError('token', 'must not be empty');
  return {
    dial: [...(options.dial ?? [])],
    token,
    maxFrameBytes: check('maxFrameBytes', options.maxFrameBytes ?? DEFAULTS.maxFrameBytes, 1),
    heartbeatMs: check('heartbeatMs', options.heartbeatMs ?? DEFAULTS.heartbeatMs, 0),
    idleTimeoutMs: check('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs, 0),
    dialTimeoutMs: check('dialTimeoutMs', options.dialTimeoutMs ?? DEFAULTS.dialTimeoutMs, 1),
    maxBufferedBytes: check('maxBufferedBytes', options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes, 1),
    maxTotalBufferedBytes: check(
      'maxTotalBufferedBytes',
      options.maxTotalBufferedBytes ?? DEFAULTS.maxTotalBufferedBytes,
      1,
    ),
    closeGraceMs: check('closeGraceMs', options.closeGraceMs ?? DEFAULTS.closeGraceMs, 0),
    reconnect,
    random: options.random ?? Math.random,
    protocols: token === undefined ? [SUBPROTOCOL] : [SUBPROTOCOL, tokenProtocol(token)],
  };
}

/** The subprotocol entry that carries `token`: `symmetric.token.` + base64url(UTF-8(token)). */
export function tokenProtocol(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const b64 = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return TOKEN_PROTOCOL_PREFIX + b64;
}

/** Parses and checks a dial address; throws {@link TransportError} `BAD_ADDRESS`. */
export function parseAddress(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch (cause) {
    throw new TransportError('BAD_ADDRESS', `not a URL: ${JSON.stringify(address)}`, { cause });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TransportError('BAD_ADDRESS', `not a ws:// or wss:// URL: ${JSON.stringify(address)}`);
  }
  if (url.hash !== '')
    throw new TransportError('BAD_ADDRESS', `fragment not allowed in ${JSON.stringify(address)}`);
  return url;
}

/** Cuts a close reason to the 123 UTF-8 bytes a close frame can carry, on a character boundary. */
export function truncateReason(reason: string): string {
  const enc = new TextEncoder();
  if (enc.encode(reason).byteLength <= 123) return reason;
  let out = '';
  let size = 0;
  for (const ch of reason) {
    const n = enc.encode(ch).byteLength;
    if (size + n > 123) break;
    out += ch;
    size += n;
  }
  return out;
}
