/**
 * `@symmetric/transport-ws` for browsers: the same API as the Node entry, over the native
 * `WebSocket` (client only). Bundlers pick this file through the `browser` export condition; it
 * never imports `ws` or `node:*`.
 *
 * @packageDocumentation
 */

/** The shared backoff rule of `@symmetric/transport`, which `reconnect` follows. */
export { backoffDelay } from '@symmetric/transport';
export type {
  BrowserWebSocketTransportOptions,
  BrowserWebSocketTransportOptions as WebSocketTransportOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './browser-transport.js';
export { WebSocketTransport, webSocketTransport } from './browser-transport.js';
export { CloseCode, DEFAULTS, SUBPROTOCOL } from './constants.js';
export type { InvalidOptionErrorCode, ReconnectOptions, WebSocketCommonOptions } from './options.js';
export { InvalidOptionError, isInvalidOptionError, tokenProtocol } from './options.js';
