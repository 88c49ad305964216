/** Constants of the frame layout shared by the encoder and the decoder (see PROTOCOL.md). */
import type { FrameType } from './frames.js';

/** The type byte of each frame kind (byte 1 of every frame; see PROTOCOL.md). */
export const FRAME_TYPE_CODES: Readonly<Record<FrameType, number>> = Object.freeze({
  hello: 0x01,
  frontier: 0x02,
  events: 0x03,
  request: 0x04,
  sync: 0x05,
  hash: 0x06,
  presence: 0x07,
  'snapshot-request': 0x08,
  snapshot: 0x09,
  bye: 0x0a,
  challenge: 0x0b,
  auth: 0x0c,
  evidence: 0x0d,
  prints: 0x0e,
});

/** Per-event header bit of an `events` frame: a source id (or table index) follows. */
export const EV_SOURCE = 0x01;
/** Per-event header bit: the seq is the previous one of the same source plus one (not written). */
export const EV_NEXT_SEQ = 0x02;
/** Per-event header bit: a signature follows the payload. */
export const EV_SIGNED = 0x04;
/** Per-event header bit: a re-stamp; `seq − restamps` (≥ 1) follows the tick. */
export const EV_RESTAMP = 0x08;
/** Payloads up to this many bytes have their length in the header's high nibble. */
export const INLINE_PAYLOAD_MAX = 14;
/** Flag byte of a `sync` frame: an echo follows. */
export const SYNC_ECHO = 0x01;
/** A state hash on the wire: 16 lowercase hex digits. */
export const HASH_RE = /^[0-9a-f]{16}$/;
