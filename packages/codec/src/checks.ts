/** Input checks of the encoder: every value is checked before a byte is written. */
import { CodecError } from './errors.js';
import { MAX_WIRE_INTEGER } from './limits.js';
import type { PayloadCodec } from './payload.js';
import { utf8 } from './wire.js';

/** An `OUT_OF_RANGE` error for `what`. */
export function outOfRange(what: string, value: unknown): CodecError {
  return new CodecError('OUT_OF_RANGE', `${what} out of range: ${String(value)}`);
}

/** `value` when it is an integer in [min, max], else `OUT_OF_RANGE`. */
export function checkUint(value: number, what: string, min = 0, max = MAX_WIRE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(what, value);
  return value;
}

/** `value` when it is an array of at most `max` items. */
export function checkArray<T>(value: readonly T[], max: number, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new CodecError('BAD_FRAME', `${what} must be an array`);
  if (value.length > max) throw new CodecError('TOO_LARGE', `${what}: ${value.length} > limit ${max}`);
  return value;
}

/** `value` when it is a `Uint8Array` of at most `max` bytes. */
export function checkBytes(value: Uint8Array, max: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CodecError('BAD_FRAME', `${what} must be a Uint8Array`);
  if (value.length > max) throw new CodecError('TOO_LARGE', `${what}: ${value.length} bytes > limit ${max}`);
  return value;
}

/** The UTF-8 bytes of `value`, at most `max` of them (and not empty unless allowed). */
export function stringBytes(value: string, max: number, what: string, allowEmpty: boolean): Uint8Array {
  if (typeof value !== 'string') throw new CodecError('BAD_FRAME', `${what} must be a string`);
  const bytes = utf8(value);
  if (bytes.length > max) throw new CodecError('TOO_LARGE', `${what}: ${bytes.length} bytes > limit ${max}`);
  if (!allowEmpty && bytes.length === 0) throw new CodecError('BAD_STRING', `${what} must not be empty`);
  return bytes;
}

/** `value` encoded by a payload codec, wrapped in `BAD_PAYLOAD` / `TOO_LARGE` errors. */
export function encodeWith<T>(codec: PayloadCodec<T>, value: T, max: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(value);
  } catch (cause) {
    if (cause instanceof CodecError && cause.code === 'BAD_PAYLOAD') throw cause;
    throw new CodecError('BAD_PAYLOAD', `${what} encode failed: ${String(cause)}`, { cause });
  }
  if (!(bytes instanceof Uint8Array)) throw new CodecError('BAD_PAYLOAD', `${what} codec returned no bytes`);
  if (bytes.length > max) throw new CodecError('TOO_LARGE', `${what}: ${bytes.length} bytes > limit ${max}`);
  return bytes;
}
