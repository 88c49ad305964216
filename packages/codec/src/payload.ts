import { Decoder, Encoder } from '@msgpack/msgpack';
import { CodecError } from './errors.js';

/**
 * Turns an app's event payload (or presence data) into bytes and back. Implementations must be
 * deterministic and total on their domain; `decode` must throw for bytes it did not produce
 * (the frame decoder turns any failure into {@link CodecError} `BAD_PAYLOAD`).
 */
export interface PayloadCodec<E> {
  /** Bytes for `payload`. The caller owns the returned array. */
  encode(payload: E): Uint8Array;
  /** The payload `bytes` stand for; throws for bytes that are not a valid encoding. */
  decode(bytes: Uint8Array): E;
  /**
   * Optional: the payload `bytes[start..end)` stand for, read in place (the frame decoder then
   * makes no view per payload). Must accept and return exactly what `decode` would for
   * `bytes.subarray(start, end)`, and must not keep `bytes`.
   */
  decodeAt?(bytes: Uint8Array, start: number, end: number): E;
}

/** Options of {@link createMsgpackPayloadCodec}. */
export interface MsgpackPayloadOptions {
  /** Deepest nesting of arrays/objects accepted in either direction (default 32). */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 32;
const objectProto = Object.prototype;

/**
 * Throws unless `value` is JSON-like (plus `Uint8Array` and `undefined`) within `maxDepth`.
 * With `copyBins`, `Uint8Array`s found inside are replaced by copies (msgpack returns views into
 * the input) and the possibly replaced value is returned.
 */
function checkJsonLike(value: unknown, depth: number, maxDepth: number, copyBins: boolean): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'object':
      break;
    default:
      throw new CodecError('BAD_PAYLOAD', `msgpack payload: ${typeof value} is not JSON-like`);
  }
  if (value instanceof Uint8Array) return copyBins ? value.slice() : value;
  if (depth >= maxDepth) throw new CodecError('BAD_PAYLOAD', `msgpack payload deeper than ${maxDepth}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const checked = checkJsonLike(item, depth + 1, maxDepth, copyBins);
      if (checked !== item) value[i] = checked;
    }
    return value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== objectProto && proto !== null) {
    throw new CodecError('BAD_PAYLOAD', 'msgpack payload: only plain objects, arrays and Uint8Array');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === '__proto__') throw new CodecError('BAD_PAYLOAD', 'msgpack payload: key __proto__');
    const item = record[key];
    const checked = checkJsonLike(item, depth + 1, maxDepth, copyBins);
    if (checked !== item) record[key] = checked;
  }
  return value;
}

/**
 * A {@link PayloadCodec} for any JSON-like value (null, booleans, numbers, strings, arrays, plain
 * objects, plus `Uint8Array`) using MessagePack (`@msgpack/msgpack`). `undefined` object members
 * are dropped and `undefined` array items become `null`, as in JSON. Extension types (dates,
 * custom extensions), non-plain objects, the key `__proto__` and nesting deeper than `maxDepth`
 * are rejected in both directions with {@link CodecError} `BAD_PAYLOAD`; so, in `decode`, are
 * bytes that are not what `encode` gives their value (each value has one encoding: checked by
 * encoding the value again, which makes a decode slower; see the README's throughput table).
 */
export function createMsgpackPayloadCodec(options: MsgpackPayloadOptions = {}): PayloadCodec<unknown> {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const encoder = new Encoder({ ignoreUndefined: true, maxDepth: maxDepth + 1 });
  // Containers cannot hold more items than there are bytes; these bounds are re-checked per call.
  let decoder = new Decoder({});
  let decoderBound = -1;
  const decoderFor = (length: number): Decoder => {
    if (length > decoderBound) {
      const bound = Math.max(length, 256);
      decoder = new Decoder({
        maxStrLength: bound,
        maxBinLength: bound,
        maxArrayLength: bound,
        maxMapLength: bound,
        maxExtLength: bound,
      });
      decoderBound = bound;
    }
    return decoder;
  };
  return {
    encode(payload: unknown): Uint8Array {
      checkJsonLike(payload, 0, maxDepth, false);
      try {
        return encoder.encode(payload);
      } catch (cause) {
        throw new CodecError('BAD_PAYLOAD', `msgpack encode failed: ${String(cause)}`, { cause });
      }
    },
    decode(bytes: Uint8Array): unknown {
      let value: unknown;
      try {
        value = decoderFor(bytes.length).decode(bytes);
      } catch (cause) {
        throw new CodecError('BAD_PAYLOAD', `msgpack decode failed: ${String(cause)}`, { cause });
      }
      const checked = checkJsonLike(value, 0, maxDepth, true);
      // Only the bytes `encode` produces: a value has one encoding, so every peer that decodes a
      // payload accepts or refuses it alike, and one that relays it re-encodes exactly the bytes
      // it read (never more than the limit they were read under). Other encodings of the same
      // value (a wider integer or float, a longer string header, bytes that are not UTF-8, a key
      // twice) are refused.
      let again: Uint8Array;
      try {
        again = encoder.encodeSharedRef(checked); // (a view of its buffer: compared, not kept)
      } catch (cause) {
        throw new CodecError('BAD_PAYLOAD', `msgpack payload does not encode again: ${String(cause)}`, {
          cause,
        });
      }
      if (!sameBytes(again, bytes)) {
        throw new CodecError('BAD_PAYLOAD', 'msgpack payload is not in the encoding encode gives its value');
      }
      return checked;
    },
  };
}

/** Whether `a` and `b` hold the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The default payload codec: {@link createMsgpackPayloadCodec} with default options. */
export const msgpackPayloadCodec: PayloadCodec<unknown> = createMsgpackPayloadCodec();

/**
 * Payload codec for the paper's moving-rectangle app: a key is an integer 0..4 (arrows and
 * space), sent as exactly one byte. Anything else is {@link CodecError} `BAD_PAYLOAD`.
 */
export const rectangleKeyCodec: PayloadCodec<number> = {
  encode(key: number): Uint8Array {
    if (!Number.isInteger(key) || key < 0 || key > 4) {
      throw new CodecError('BAD_PAYLOAD', `rectangle key must be an integer 0..4, got ${String(key)}`);
    }
    const out = new Uint8Array(1);
    out[0] = key;
    return out;
  },
  decode(bytes: Uint8Array): number {
    return rectangleKeyAt(bytes, 0, bytes.length);
  },
  decodeAt: rectangleKeyAt,
};

function rectangleKeyAt(bytes: Uint8Array, start: number, end: number): number {
  const key = bytes[start];
  if (end - start !== 1 || key === undefined || key > 4) {
    throw new CodecError('BAD_PAYLOAD', 'rectangle key must be one byte 0..4');
  }
  return key;
}

/**
 * Identity payload codec for apps that serialise their own events: the payload is the bytes
 * (copied in both directions, so neither side aliases the other's buffer).
 */
export const bytesPayloadCodec: PayloadCodec<Uint8Array> = {
  encode(payload: Uint8Array): Uint8Array {
    if (!(payload instanceof Uint8Array)) throw new CodecError('BAD_PAYLOAD', 'payload must be a Uint8Array');
    return payload.slice();
  },
  decode(bytes: Uint8Array): Uint8Array {
    return bytes.slice();
  },
  decodeAt(bytes: Uint8Array, start: number, end: number): Uint8Array {
    return bytes.slice(start, end);
  },
};
