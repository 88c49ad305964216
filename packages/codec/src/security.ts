/**
 * The authentication frames (`challenge`, `auth`, `evidence`) and the exact bytes the three kinds
 * of signature cover: an event's ({@link eventSignedBytes}), a presence update's
 * ({@link presenceSignedBytes}) and a handshake's ({@link authSignedBytes}). Layouts are in PROTOCOL.md ("Authentication").
 */
import { CodecError } from './errors.js';
import type { AuthFrame, ChallengeFrame, EvidenceFrame, WireEvent } from './frames.js';
import type { CodecLimits } from './limits.js';
import { MAX_WIRE_INTEGER } from './limits.js';
import { type Reader, utf8, Writer } from './wire.js';

/** Shortest and longest challenge nonce, in bytes. */
export const NONCE_MIN_BYTES = 16;
/** Longest challenge nonce, in bytes. */
export const NONCE_MAX_BYTES = 64;
/** Longest admission code (`auth.mac`), in bytes. */
const MAX_MAC_BYTES = 64;

const EVENT_DOMAIN = utf8('symmetric/event/v1');
const AUTH_DOMAIN = utf8('symmetric/auth/v1');
const PRESENCE_DOMAIN = utf8('symmetric/presence/v1');

function bad(what: string, value: unknown): CodecError {
  return new CodecError('OUT_OF_RANGE', `${what} out of range: ${String(value)}`);
}

function bytesField(value: unknown, min: number, max: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CodecError('BAD_FRAME', `${what} must be a Uint8Array`);
  if (value.length > max) throw new CodecError('TOO_LARGE', `${what}: ${value.length} bytes > limit ${max}`);
  if (value.length < min) throw bad(`${what} length`, value.length);
  return value;
}

function uint(value: number, what: string, min = 0): number {
  if (!Number.isInteger(value) || value < min || value > MAX_WIRE_INTEGER) throw bad(what, value);
  return value;
}

function put(w: Writer, bytes: Uint8Array): void {
  w.varint(bytes.length);
  w.bytes(bytes);
}

/** Body of a `challenge` frame. @internal */
export function encodeChallenge(w: Writer, f: ChallengeFrame): void {
  put(w, bytesField(f.nonce, NONCE_MIN_BYTES, NONCE_MAX_BYTES, 'challenge.nonce'));
}

/** Decode the body of a `challenge` frame. @internal */
export function decodeChallenge(r: Reader): ChallengeFrame {
  const n = r.length(NONCE_MAX_BYTES, 'challenge.nonce');
  if (n < NONCE_MIN_BYTES) throw bad('challenge.nonce length', n);
  return { type: 'challenge', nonce: r.view(n).slice() };
}

/** Body of an `auth` frame. @internal */
export function encodeAuth(w: Writer, f: AuthFrame, limits: Readonly<CodecLimits>): void {
  put(w, bytesField(f.signature, 1, limits.maxSignatureBytes, 'auth.signature'));
  put(w, bytesField(f.mac, 0, MAX_MAC_BYTES, 'auth.mac'));
}

/** Decode the body of an `auth` frame. @internal */
export function decodeAuth(r: Reader, limits: Readonly<CodecLimits>): AuthFrame {
  const n = r.length(limits.maxSignatureBytes, 'auth.signature');
  if (n === 0) throw bad('auth.signature length', 0);
  const signature = r.view(n).slice();
  const mac = r.view(r.length(MAX_MAC_BYTES, 'auth.mac')).slice();
  return { type: 'auth', signature, mac };
}

/** Body of an `evidence` frame (its source is a plain string: new frame types never intern). @internal */
export function encodeEvidence<E>(
  w: Writer,
  f: EvidenceFrame<E>,
  limits: Readonly<CodecLimits>,
  payload: (value: E) => Uint8Array,
): void {
  if (!Array.isArray(f.events) || f.events.length !== 2)
    throw new CodecError('BAD_FRAME', 'evidence needs exactly two events');
  const [a, b] = f.events;
  if (a.source !== b.source || a.seq !== b.seq)
    throw new CodecError('BAD_FRAME', 'evidence events must share source and seq');
  const source = utf8(a.source);
  if (source.length === 0 || source.length > limits.maxIdLength)
    throw new CodecError('BAD_STRING', 'evidence.source must be 1..maxIdLength bytes');
  put(w, source);
  w.varint(uint(a.seq, 'evidence.seq', 1));
  for (const ev of f.events) {
    w.varint(uint(ev.tick, 'evidence.tick'));
    const restamps = ev.restamps === undefined ? undefined : uint(ev.restamps, 'evidence.restamps', 1);
    if (restamps !== undefined && restamps >= a.seq) throw bad('evidence.restamps', restamps);
    w.varint(restamps === undefined ? 0 : a.seq - restamps);
    put(w, payload(ev.payload));
    put(w, bytesField(ev.signature, 1, limits.maxSignatureBytes, 'evidence.signature'));
  }
}

/** Decode the body of an `evidence` frame. @internal */
export function decodeEvidence<E>(
  r: Reader,
  limits: Readonly<CodecLimits>,
  payload: (bytes: Uint8Array) => E,
): EvidenceFrame<E> {
  const source = r.string(limits.maxIdLength, 'evidence.source');
  if (source.length === 0) throw new CodecError('BAD_STRING', 'evidence.source must not be empty');
  const seq = r.uint('evidence.seq');
  if (seq === 0) throw bad('evidence.seq', 0);
  const one = (): WireEvent<E> => {
    const tick = r.uint('evidence.tick');
    const back = r.uint('evidence.restamps');
    if (back >= seq) throw bad('evidence.restamps', seq - back);
    const body = r.view(r.length(limits.maxPayloadBytes, 'evidence.payload'));
    const value = payload(body);
    const n = r.length(limits.maxSignatureBytes, 'evidence.signature');
    if (n === 0) throw bad('evidence.signature length', 0);
    const signature = r.view(n).slice();
    return back === 0
      ? { source, seq, tick, payload: value, signature }
      : { source, seq, tick, payload: value, restamps: seq - back, signature };
  };
  const a = one();
  const b = one();
  return { type: 'evidence', events: [a, b] };
}

const signer = new Writer();

/**
 * The bytes an event's signature covers: a domain tag, the room, the source id, seq, tick and
 * the payload's encoding (`payloadBytes`, as the payload codec produces it), then, for a
 * re-stamp only, the seq it re-stamps.
 */
export function eventSignedBytes(
  room: string,
  source: string,
  seq: number,
  tick: number,
  payloadBytes: Uint8Array,
  restamps?: number,
): Uint8Array {
  const w = signer;
  w.reset();
  put(w, EVENT_DOMAIN);
  put(w, utf8(room));
  put(w, utf8(source));
  w.varint(uint(seq, 'event.seq', 1));
  w.varint(uint(tick, 'event.tick'));
  put(w, payloadBytes);
  if (restamps !== undefined) w.varint(uint(restamps, 'event.restamps', 1));
  return w.finish();
}

/**
 * The bytes a presence update's signature covers: a domain tag, the room, the source id, the
 * update's seq and its data without the signature (`bodyBytes`, as the presence codec encodes
 * it). The hop count is not covered: relays lower it.
 */
export function presenceSignedBytes(
  room: string,
  source: string,
  seq: number,
  bodyBytes: Uint8Array,
): Uint8Array {
  const w = signer;
  w.reset();
  put(w, PRESENCE_DOMAIN);
  put(w, utf8(room));
  put(w, utf8(source));
  w.varint(uint(seq, 'presence.seq'));
  put(w, bodyBytes);
  return w.finish();
}

/**
 * The bytes a handshake's `auth` signature covers: a domain tag, the room, the signer's peer id
 * and nonce, then the receiver's peer id and nonce. Binding the receiver's fresh nonce makes a
 * recorded `auth` useless on any other link.
 */
export function authSignedBytes(
  room: string,
  signerId: string,
  signerNonce: Uint8Array,
  receiverId: string,
  receiverNonce: Uint8Array,
): Uint8Array {
  const w = signer;
  w.reset();
  put(w, AUTH_DOMAIN);
  put(w, utf8(room));
  put(w, utf8(signerId));
  put(w, signerNonce);
  put(w, utf8(receiverId));
  put(w, receiverNonce);
  return w.finish();
}
