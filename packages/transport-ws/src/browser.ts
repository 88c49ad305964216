/**
 * `@symmetric/transport-ws` for browsers: the same API as the Node entry, over the native
 * `WebSocket` (client only). Bundlers pick this file through the `browser` export condition; it
 * never imports `ws` or `node:*`.
 *
 * @packageDocumentation
 */
export type {
  BrowserWebSocketTransportOptions,
  BrowserWebSocketTransportOptions as WebSocketTransportOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './browser-transport.js';
export { WebSocketTransport, webSocketTransport } from './browser-transport.js';
export { CloseCode, DEFAULTS, SUBPROTOCOL } from './constants.js';
export type { ReconnectOptions, WebSocketCommonOptions } from './options.js';
export { backoffDelay, InvalidOptionError, tokenProtocol } from './options.js';
