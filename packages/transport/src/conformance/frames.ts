/** Test frames the suite sends, checks of what arrives, and typed-error expectations. */
import type { TransportError, TransportErrorCode } from '../transport.js';
import { isTransportError } from '../transport.js';

/** A test frame: `[index u32 BE][tag u8][pattern...]`, at least 5 bytes. */
export function makeFrame(tag: number, index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(5, size));
  new DataView(bytes.buffer).setUint32(0, index);
  bytes[4] = tag;
  for (let i = 5; i < bytes.length; i++) bytes[i] = (index * 31 + i * 7 + tag) & 0xff;
  return bytes;
}

/** `undefined` when `frame` is the intact {@link makeFrame} `(tag, index, size)`, else why not. */
export function checkFrame(frame: Uint8Array, tag: number, index: number, size: number): string | undefined {
  const want = Math.max(5, size);
  if (frame.length !== want) return `frame ${index}: length ${frame.length}, expected ${want}`;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0) !== index) return `frame ${index}: index field is ${view.getUint32(0)}`;
  if (frame[4] !== tag) return `frame ${index}: tag ${frame[4]}, expected ${tag}`;
  for (let i = 5; i < frame.length; i++) {
    if (frame[i] !== ((index * 31 + i * 7 + tag) & 0xff)) return `frame ${index}: byte ${i} corrupted`;
  }
  return undefined;
}

/** The index field of a {@link makeFrame} frame. */
export function indexOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
}

/** The tag field of a {@link makeFrame} frame. */
export function tagOf(frame: Uint8Array): number | undefined {
  return frame.length >= 5 ? frame[4] : undefined;
}

/** Size of the i-th frame of a mixed-size stream (1 byte .. ~4 KiB, some 5-byte). */
export function mixedSize(i: number): number {
  return i % 7 === 0 ? 1 : (i * 131) % 4096;
}

/** Expects `promise` to reject with a TransportError (optionally of one of `codes`). */
export async function expectTransportError(
  promise: Promise<unknown>,
  what: string,
  codes?: readonly TransportErrorCode[],
): Promise<TransportError> {
  let outcome: { ok: true } | { ok: false; error: unknown };
  try {
    await promise;
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`${what}: resolved, expected a rejection with a TransportError`);
  const error = outcome.error;
  if (!isTransportError(error)) {
    throw new Error(`${what}: rejected with ${String(error)}, expected a TransportError`);
  }
  if (codes !== undefined && !codes.includes(error.code)) {
    throw new Error(`${what}: TransportError code ${error.code}, expected one of ${codes.join(', ')}`);
  }
  return error;
}

/** Runs `fn` and returns what it threw (`undefined` when it returned). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
