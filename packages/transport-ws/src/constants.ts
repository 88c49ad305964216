import { TransportError, type TransportErrorCode } from '@symmetric/transport';

/**
 * WebSocket close codes this transport sends, and how it reads the ones it receives.
 *
 * Browsers may only send `1000` and `3000-4999`, so a browser link sends the `4xxx` twin of a
 * standard code (`1003` → `4003`, `1009` → `4009`, `1001` → `1000`); both forms are understood
 * on receipt.
 */
export const CloseCode = {
  /** `link.close()`: the owner closed the link on purpose. */
  Normal: 1000,
  /** `transport.stop()`: this side is shutting down. */
  GoingAway: 1001,
  /** A text message arrived; Symmetric frames are binary only. */
  UnsupportedData: 1003,
  /** A message larger than `maxFrameBytes` arrived (sent before it is buffered). */
  MessageTooBig: 1009,
  /** The dead-link detector fired: no pong (or no frame at all, with `idleTimeoutMs`) in time. */
  DeadLink: 4000,
  /** The remote did not drain its receive side fast enough: `maxBufferedBytes` was exceeded. */
  SendBufferOverflow: 4002,
  /** Browser twin of {@link CloseCode.UnsupportedData}. */
  UnsupportedDataBrowser: 4003,
  /** Browser twin of {@link CloseCode.MessageTooBig}. */
  MessageTooBigBrowser: 4009,
} as const;

/** The WebSocket subprotocol every Symmetric client offers and every Symmetric server selects. */
export const SUBPROTOCOL = 'symmetric';

/** Prefix of the subprotocol entry that carries the room token (base64url of its UTF-8 bytes). */
export const TOKEN_PROTOCOL_PREFIX = 'symmetric.token.';

/** Defaults of every numeric option (see the README for what each one does). */
export const DEFAULTS = {
  maxFrameBytes: 1024 * 1024,
  heartbeatMs: 5_000,
  idleTimeoutMs: 0,
  dialTimeoutMs: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxTotalBufferedBytes: 128 * 1024 * 1024,
  closeGraceMs: 1_000,
  reconnect: { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.5, stableMs: 5_000 },
} as const;

/** Human-readable name of a close code, used when the remote gave no reason. */
export function closeCodeName(code: number): string {
  switch (code) {
    case 1000:
      return 'normal closure';
    case 1001:
      return 'going away';
    case 1002:
      return 'protocol error';
    case 1003:
    case 4003:
      return 'unsupported data';
    case 1005:
      return 'no status';
    case 1006:
      return 'connection lost';
    case 1007:
      return 'invalid payload';
    case 1008:
      return 'policy violation';
    case 1009:
    case 4009:
      return 'message too big';
    case 1011:
      return 'internal error';
    case 4000:
      return 'dead link';
    case 4002:
      return 'send buffer overflow';
    default:
      return `close code ${code}`;
  }
}

/** The error a remote close with `code` stands for; `undefined` for a clean close. */
export function errorForRemoteClose(
  code: number,
  reason: string,
  linkId: string,
): TransportError | undefined {
  let kind: TransportErrorCode;
  switch (code) {
    case 1000:
    case 1001:
    case 1005:
      return undefined;
    case 1009:
    case 4009:
      kind = 'FRAME_TOO_LARGE';
      break;
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 4003:
      kind = 'PROTOCOL';
      break;
    case 4000:
      kind = 'TIMEOUT';
      break;
    default:
      kind = 'LINK_CLOSED';
  }
  const text = reason === '' ? closeCodeName(code) : `${closeCodeName(code)}: ${reason}`;
  return new TransportError(kind, `link ${linkId} closed by remote (${code} ${text})`, { linkId });
}

/** The code a browser may send in place of `code` (browsers allow only 1000 and 3000-4999). */
export function browserCloseCode(code: number): number {
  if (code === 1000 || (code >= 3000 && code <= 4999)) return code;
  if (code === CloseCode.UnsupportedData) return CloseCode.UnsupportedDataBrowser;
  if (code === CloseCode.MessageTooBig) return CloseCode.MessageTooBigBrowser;
  return 1000;
}
