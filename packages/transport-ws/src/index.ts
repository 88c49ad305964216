/**
 * `@symmetric/transport-ws`: WebSocket links for Symmetric peers. On Node it listens and dials
 * at once (the `ws` package), so peers form any graph; in browsers (the `browser` export
 * condition) it dials with the native `WebSocket`. Frames are the codec's frames, one binary
 * WebSocket message each.
 *
 * @packageDocumentation
 */

/** The shared backoff rule of `@symmetric/transport`, which `reconnect` follows. */
export { backoffDelay } from '@symmetric/transport';
export { CloseCode, DEFAULTS, SUBPROTOCOL } from './constants.js';
export type {
  ListenPortOptions,
  ListenServerOptions,
  TlsServerOptions,
  WebSocketTransportOptions,
} from './node.js';
export { WebSocketTransport, webSocketTransport } from './node.js';
export type { InvalidOptionErrorCode, ReconnectOptions, WebSocketCommonOptions } from './options.js';
export { InvalidOptionError, isInvalidOptionError, tokenProtocol } from './options.js';
