/**
 * The transport's own two-frame handshake at the start of every Symmetric stream. It carries
 * nothing the codec does: it exists to (1) tell a Symmetric stream from garbage before any
 * frame reaches the peer runtime, (2) resolve simultaneous dials to exactly one link per
 * neighbour, and (3) recognise a neighbour that restarted (new instance nonce) so its stale
 * link is replaced at once.
 *
 * ```
 * HELLO   (dialler → acceptor): 'S' 'Y' 'M' 0x01 <version u8> <instance nonce, 16 bytes>
 * ACCEPT  (acceptor → dialler): 'S' 'Y' 'M' 0x02 <version u8> <instance nonce, 16 bytes>
 * REJECT  (acceptor → dialler): 'S' 'Y' 'M' 0x03 <version u8> <reason code u8> <UTF-8 text>
 * ```
 */
import { TransportError } from '@symmetric/transport';

/** Version of this handshake (the libp2p protocol id carries the Symmetric protocol version). */
export const HANDSHAKE_VERSION = 1;
/** Length of the per-start instance nonce. */
export const NONCE_BYTES = 16;

const MAGIC = [0x53, 0x59, 0x4d] as const;
const KIND_HELLO = 1;
const KIND_ACCEPT = 2;
const KIND_REJECT = 3;
const MAX_REASON_BYTES = 256;

/**
 * Why an acceptor refused a stream: `DUPLICATE`, another link to this peer is kept (the tie-break;
 * the dialler should use or await that one); `STOPPING`, the acceptor is stopping;
 * `UNSUPPORTED_VERSION`, the handshake version is not spoken; `UNKNOWN`, a code this version does
 * not know (decoding only).
 */
export type RejectCode = 'DUPLICATE' | 'STOPPING' | 'UNSUPPORTED_VERSION' | 'UNKNOWN';

/** The byte of each {@link RejectCode} on the wire. */
const REJECT_CODE_BYTES: Readonly<Record<Exclude<RejectCode, 'UNKNOWN'>, number>> = {
  DUPLICATE: 1,
  STOPPING: 2,
  UNSUPPORTED_VERSION: 3,
};

function rejectCodeOf(byte: number): RejectCode {
  for (const [code, value] of Object.entries(REJECT_CODE_BYTES)) {
    if (value === byte) return code as RejectCode;
  }
  return 'UNKNOWN';
}

/** A decoded handshake frame. */
export type HandshakeFrame =
  | { readonly kind: 'hello'; readonly version: number; readonly nonce: string }
  | { readonly kind: 'accept'; readonly version: number; readonly nonce: string }
  | { readonly kind: 'reject'; readonly version: number; readonly code: RejectCode; readonly reason: string };

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A fresh random instance nonce (hex). */
export function randomNonce(): string {
  const bytes = new Uint8Array(NONCE_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return hex(bytes);
}

function withNonce(kind: number, nonce: string): Uint8Array {
  const out = new Uint8Array(5 + NONCE_BYTES);
  out.set(MAGIC, 0);
  out[3] = kind;
  out[4] = HANDSHAKE_VERSION;
  out.set(unhex(nonce), 5);
  return out;
}

/** HELLO frame bytes. */
export function encodeHello(nonce: string): Uint8Array {
  return withNonce(KIND_HELLO, nonce);
}

/** ACCEPT frame bytes. */
export function encodeAccept(nonce: string): Uint8Array {
  return withNonce(KIND_ACCEPT, nonce);
}

/** REJECT frame bytes. */
export function encodeReject(code: Exclude<RejectCode, 'UNKNOWN'>, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, MAX_REASON_BYTES);
  const out = new Uint8Array(6 + text.length);
  out.set(MAGIC, 0);
  out[3] = KIND_REJECT;
  out[4] = HANDSHAKE_VERSION;
  out[5] = REJECT_CODE_BYTES[code];
  out.set(text, 6);
  return out;
}

/**
 * Decodes a handshake frame; throws {@link TransportError} `PROTOCOL` for anything else
 * (wrong magic, unknown kind, wrong length, bad UTF-8).
 */
export function decodeHandshake(frame: Uint8Array): HandshakeFrame {
  if (frame.length < 5 || frame[0] !== MAGIC[0] || frame[1] !== MAGIC[1] || frame[2] !== MAGIC[2]) {
    throw new TransportError('PROTOCOL', 'first frame is not a Symmetric handshake');
  }
  const kind = frame[3];
  const version = frame[4]!;
  if (kind === KIND_HELLO || kind === KIND_ACCEPT) {
    if (frame.length !== 5 + NONCE_BYTES) {
      throw new TransportError(
        'PROTOCOL',
        `handshake frame of ${frame.length} bytes, expected ${5 + NONCE_BYTES}`,
      );
    }
    const nonce = hex(frame.subarray(5));
    return kind === KIND_HELLO ? { kind: 'hello', version, nonce } : { kind: 'accept', version, nonce };
  }
  if (kind === KIND_REJECT) {
    if (frame.length < 6 || frame.length > 6 + MAX_REASON_BYTES) {
      throw new TransportError('PROTOCOL', 'malformed handshake REJECT frame');
    }
    let reason: string;
    try {
      reason = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(6));
    } catch (cause) {
      throw new TransportError('PROTOCOL', 'handshake REJECT reason is not UTF-8', { cause });
    }
    return { kind: 'reject', version, code: rejectCodeOf(frame[5]!), reason };
  }
  throw new TransportError('PROTOCOL', `unknown handshake frame kind ${String(kind)}`);
}
