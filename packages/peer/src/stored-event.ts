/**
 * The bytes of one event in a peer's store: its signature (when it has one) and its payload as
 * the payload codec encodes it. `(source, seq, tick)` are the store's own fields.
 * @internal
 */
import type { PayloadCodec, WireEvent } from '@symmetric/codec';
import type { StoredEvent } from '@symmetric/storage';

/** Layout version, the first byte of a stored event that is not a re-stamp. */
const STORED_EVENT_VERSION = 1;
/** Layout version of a stored re-stamp: `seq − restamps` follows the signature as a varint. */
const STORED_RESTAMP_VERSION = 2;

/**
 * `[version][signature length][signature][seq − restamps, varint, re-stamps only][payload]`: what
 * the store keeps of `event`, given its payload bytes.
 * @internal
 */
export function storedEvent<E>(event: WireEvent<E>, payload: Uint8Array): StoredEvent {
  const signature = event.signature;
  const sigLength = signature?.length ?? 0;
  if (sigLength > 255) throw new Error(`a ${sigLength}-byte signature does not fit a stored event`);
  const back: number[] = [];
  if (event.restamps !== undefined) {
    let v = event.seq - event.restamps;
    while (v >= 0x80) {
      back.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    back.push(v);
  }
  const bytes = new Uint8Array(2 + sigLength + back.length + payload.length);
  bytes[0] = back.length > 0 ? STORED_RESTAMP_VERSION : STORED_EVENT_VERSION;
  bytes[1] = sigLength;
  if (signature !== undefined) bytes.set(signature, 2);
  bytes.set(back, 2 + sigLength);
  bytes.set(payload, 2 + sigLength + back.length);
  return { source: event.source, seq: event.seq, tick: event.tick, bytes };
}

/**
 * The event a store kept. Throws (any error) when its bytes are not a stored event or the
 * payload does not decode.
 * @internal
 */
export function eventFromStore<E>(stored: StoredEvent, payloadCodec: PayloadCodec<E>): WireEvent<E> {
  const bytes = stored.bytes;
  const version = bytes[0];
  const what = `event ${stored.source}#${stored.seq}`;
  if (bytes.length < 2 || (version !== STORED_EVENT_VERSION && version !== STORED_RESTAMP_VERSION))
    throw new Error(`${what}: not a stored event (layout ${String(version)})`);
  const sigLength = bytes[1]!;
  let at = 2 + sigLength;
  if (bytes.length < at) throw new Error(`${what}: cut short`);
  let restamps: number | undefined;
  if (version === STORED_RESTAMP_VERSION) {
    let back = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined || scale > 2 ** 49) throw new Error(`${what}: re-stamp cut short`);
      back += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) break;
    }
    if (back < 1 || back >= stored.seq) throw new Error(`${what}: re-stamp of seq ${stored.seq - back}`);
    restamps = stored.seq - back;
  }
  const payload = payloadCodec.decode(bytes.subarray(at));
  const base: { source: string; seq: number; tick: number; payload: E; restamps?: number } = {
    source: stored.source,
    seq: stored.seq,
    tick: stored.tick,
    payload,
  };
  if (restamps !== undefined) base.restamps = restamps;
  return sigLength === 0 ? base : { ...base, signature: bytes.slice(2, 2 + sigLength) };
}
