/**
 * `@symmetric/transport`: the small interface every Symmetric transport implements
 * ({@link Transport}, {@link Link}, {@link TransportHandler}) and the typed error they raise.
 * The conformance suite lives at `@symmetric/transport/conformance`.
 *
 * @packageDocumentation
 * @module @symmetric/transport
 */

export { type LinkOverrides, withLinkOverrides } from './link-override.js';
export {
  type BackoffPolicy,
  backoffDelay,
  duplicateLinkLoser,
  type LinkDirection,
  RedialSchedule,
} from './redial.js';
export { type Buffered, linksOverTotal } from './send-budget.js';
export type {
  CloseInfo,
  Link,
  RoomBroadcast,
  Transport,
  TransportErrorCode,
  TransportHandler,
} from './transport.js';
export { isTransportError, TransportError } from './transport.js';
