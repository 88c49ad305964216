/**
 * The bytes of one event in a peer's store: its signature (when it has one) and its payload as
 * the payload codec encodes it. `(source, seq, tick)` are the store's own fields.
 * @internal
 */
import type { PayloadCodec, WireEvent } from '@symmetric/codec';
import type { StoredEvent } from '@symmetric/storage';

/** Layout version, the first byte of every stored event. */
const STORED_EVENT_VERSION = 1;

/**
 * `[version][signature length][signature][payload]`: what the store keeps of `event`, given
 * its payload bytes.
 * @internal
 */
export function storedEvent<E>(event: WireEvent<E>, payload: Uint8Array): StoredEvent {
  const signature = event.signature;
  const sigLength = signature?.length ?? 0;
  if (sigLength > 255) throw new Error(`a ${sigLength}-byte signature does not fit a stored event`);
  const bytes = new Uint8Array(2 + sigLength + payload.length);
  bytes[0] = STORED_EVENT_VERSION;
  bytes[1] = sigLength;
  if (signature !== undefined) bytes.set(signature, 2);
  bytes.set(payload, 2 + sigLength);
  return { source: event.source, seq: event.seq, tick: event.tick, bytes };
}

/**
 * The event a store kept. Throws (any error) when its bytes are not a stored event or the
 * payload does not decode.
 * @internal
 */
export function eventFromStore<E>(stored: StoredEvent, payloadCodec: PayloadCodec<E>): WireEvent<E> {
  const bytes = stored.bytes;
  if (bytes.length < 2 || bytes[0] !== STORED_EVENT_VERSION)
    throw new Error(`event ${stored.source}#${stored.seq}: not a stored event (layout ${String(bytes[0])})`);
  const sigLength = bytes[1]!;
  if (bytes.length < 2 + sigLength) throw new Error(`event ${stored.source}#${stored.seq}: cut short`);
  const payload = payloadCodec.decode(bytes.subarray(2 + sigLength));
  const base = { source: stored.source, seq: stored.seq, tick: stored.tick, payload };
  return sigLength === 0 ? base : { ...base, signature: bytes.slice(2, 2 + sigLength) };
}
