import fc from 'fast-check';
import type {
  AuthFrame,
  ByeFrame,
  ChallengeFrame,
  CodecLimits,
  EventsFrame,
  EvidenceFrame,
  Frame,
  FrontierFrame,
  HashFrame,
  HelloFrame,
  PresenceFrame,
  RequestFrame,
  SnapshotChunkFrame,
  SnapshotRequestFrame,
  SyncFrame,
  WireEvent,
} from '../src/index.js';

/**
 * Same value as the codec's MAX_WIRE_INTEGER, defined here so this file has no runtime import of
 * src and can also be loaded by the bench scripts under plain node (the round-trip tests would
 * fail if the two disagreed).
 */
const MAX_WIRE_INTEGER = 2 ** 52 - 1;

/**
 * The codec's default limits the generators below fill up to, defined here for the same reason
 * (a round-trip test checks them against DEFAULT_LIMITS).
 */
export const GENERATED_LIMITS = {
  maxIdLength: 128,
  maxSignatureBytes: 128,
  maxFrontierRanges: 64,
  maxSnapshotChunkBytes: 262_144,
  maxPresenceBytes: 16_384,
  maxReasonBytes: 256,
} as const satisfies Partial<CodecLimits>;

/** Same value as the codec's MAX_FRONTIER_PRINTS (checked like the limits). */
export const GENERATED_MAX_PRINTS = 64;

/**
 * How many entries, events, ranges or reports a generated frame lists at most: past 128, where
 * a count takes two varint bytes, and enough for frames past the 4,096-byte buffer an encoder
 * keeps, yet far below the limits (thousands) so a run stays fast.
 */
const MANY = 200;

/** A list's size option: the default (up to about 10 items), or any length up to its maximum. */
type ListSize = { size?: 'max' };

/**
 * Lists of the default size three times in four, of any length up to their maximum the fourth:
 * long ones often enough to be tested, short ones for most runs (fast, and as the runtime sends).
 */
const sometimesLong = <T>(list: (size: ListSize) => fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3, arbitrary: list({}) }, { weight: 1, arbitrary: list({ size: 'max' }) });

/** UTF-8 length of a well-formed string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Any unsigned wire integer, biased to small values but reaching 2^52 − 1. */
export const wireUint: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 300 }) },
  { weight: 3, arbitrary: fc.nat() },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat({ max: 2 ** 20 - 1 }), fc.nat({ max: 2 ** 32 - 1 }))
      .map(([hi, lo]) => hi * 2 ** 32 + lo),
  },
  { weight: 1, arbitrary: fc.constant(MAX_WIRE_INTEGER) },
);

/** Positive wire integer (seqs). */
export const wireSeq: fc.Arbitrary<number> = wireUint.map((v) => Math.max(1, v));

/** The longest prefix of `s` whose UTF-8 encoding fits `maxBytes` (whole code points). */
function fitUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    bytes += utf8Length(ch);
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

/**
 * Strings of any length up to `maxBytes` of UTF-8, often exactly at it or a few bytes short:
 * ASCII ones (past the 64 bytes a decoder reads one character at a time) and any code points.
 */
export const longText = (maxBytes: number, minLength = 0): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'binary-ascii', minLength, maxLength: maxBytes, size: 'max' }),
      fc
        .string({ unit: 'binary', minLength, maxLength: maxBytes, size: 'max' })
        .map((s) => fitUtf8(s, maxBytes)),
    )
    .filter((s) => s.length >= minLength);

/** Any string whose UTF-8 encoding fits `maxBytes`: mostly short, some up to the limit. */
export const text = (maxBytes: number, minLength = 0): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .string({ unit: 'binary', minLength, maxLength: Math.floor(maxBytes / 4) + 4 })
        .filter((s) => utf8Length(s) <= maxBytes),
    },
    { weight: 1, arbitrary: longText(maxBytes, minLength) },
  );

/**
 * A bound of the MessagePack size of a JSON value: every header in its widest form, every
 * number 9 bytes.
 */
export function msgpackBound(value: unknown): number {
  if (typeof value === 'string') return 5 + utf8Length(value);
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + msgpackBound(item), 5);
  if (value !== null && typeof value === 'object') {
    let n = 5;
    for (const [key, item] of Object.entries(value)) n += 5 + utf8Length(key) + msgpackBound(item);
    return n;
  }
  return 9;
}

/** Peer ids: a small pool (so interning kicks in) plus arbitrary ones up to 128 bytes. */
export const peerId: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('alice', 'bob', 'carol', '12D3KooWGzh9bdSGW8bMTCqW6oRJ4Qk4Wd3XzVvL1Hc'),
  },
  { weight: 1, arbitrary: text(128, 1) },
);

/** A JSON value that survives MessagePack unchanged (no -0, no `__proto__` key). */
export const jsonPayload: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 4 })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'));

/**
 * JSON values whose MessagePack encoding fits `maxBytes`: mostly small ones, and long arrays and
 * strings that come up to it (a string of `maxBytes` − 3 bytes is `maxBytes` with its header).
 */
export const jsonUpTo = (maxBytes: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: jsonPayload.filter((v) => msgpackBound(v) <= maxBytes) },
    {
      weight: 1,
      arbitrary: fc.array(jsonPayload, { maxLength: Math.ceil(maxBytes / 32), size: 'max' }).map((items) => {
        let n = 5;
        let fit = 0;
        while (fit < items.length && n + msgpackBound(items[fit]) <= maxBytes)
          n += msgpackBound(items[fit++]);
        return items.slice(0, fit);
      }),
    },
    { weight: 1, arbitrary: longText(maxBytes - 3) },
  );

export const hashHex: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });

export const helloArb: fc.Arbitrary<HelloFrame> = fc.record(
  {
    type: fc.constant('hello' as const),
    version: fc.constant(5), // PROTOCOL_VERSION
    room: text(128),
    fps: fc.integer({ min: 1, max: 1000 }),
    peerId: text(128, 1),
    capabilities: fc.nat({ max: 2 ** 32 - 1 }),
    appId: text(128),
  },
  { noNullPrototype: true },
);

/** Seqs held past holes above `seq`: ascending `[from, to]` pairs, a hole before each. */
const aboveArb = (seq: number): fc.Arbitrary<number[]> =>
  sometimesLong((size) =>
    fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), {
      maxLength: GENERATED_LIMITS.maxFrontierRanges,
      ...size,
    }),
  ).map((steps) => {
    const out: number[] = [];
    let prev = seq;
    for (const [gap, len] of steps) {
      const from = prev + 2 + gap;
      out.push(from, from + len);
      prev = from + len;
    }
    return out;
  });

const frontierEntryArb = fc
  .record({ source: peerId, seq: fc.nat(1_000_000) }, { noNullPrototype: true })
  .chain(({ source, seq }) =>
    aboveArb(seq).map((above) => (above.length === 0 ? { source, seq } : { source, seq, above })),
  );

export const frontierArb: fc.Arbitrary<FrontierFrame> = sometimesLong((size) =>
  fc.uniqueArray(
    fc.oneof(fc.record({ source: peerId, seq: wireUint }, { noNullPrototype: true }), frontierEntryArb),
    { selector: (e) => e.source, maxLength: MANY, ...size },
  ),
).chain((entries) =>
  sometimesLong((size) =>
    fc.array(
      fc.record(
        { tick: wireUint, count: wireUint, digest: fc.integer({ min: 0, max: 2 ** 48 - 1 }) },
        { noNullPrototype: true },
      ),
      { maxLength: GENERATED_MAX_PRINTS, ...size },
    ),
  ).map((prints) =>
    prints.length === 0
      ? { type: 'frontier' as const, entries }
      : { type: 'frontier' as const, entries, prints },
  ),
);

function eventArb<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<WireEvent<E>> {
  return fc
    .record({
      source: peerId,
      seq: wireSeq,
      tick: wireUint,
      payload,
      back: fc.option(fc.nat(), { freq: 4 }),
      signature: fc.option(fc.uint8Array({ maxLength: GENERATED_LIMITS.maxSignatureBytes, size: 'max' }), {
        freq: 4,
      }),
    })
    .map(({ back, signature, ...rest }) => {
      // A re-stamp names an earlier seq of its source (1..seq-1).
      const restamps = back === null || rest.seq < 2 ? undefined : 1 + (back % (rest.seq - 1));
      const ev: WireEvent<E> = restamps === undefined ? rest : { ...rest, restamps };
      return signature === null ? ev : { ...ev, signature };
    });
}

/**
 * A batch like the runtime sends: runs of consecutive seqs per source, nearby ticks, mixed with
 * fully arbitrary events.
 */
function realisticEvents<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<WireEvent<E>[]> {
  return fc
    .tuple(
      fc.array(fc.tuple(peerId, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 6 })), {
        maxLength: 6,
      }),
      fc.nat({ max: 100_000 }),
      fc.array(payload, { minLength: 40, maxLength: 40 }),
    )
    .map(([runs, tick0, payloads]) => {
      const out: WireEvent<E>[] = [];
      const lastSeq = new Map<string, number>();
      let tick = tick0;
      let k = 0;
      for (const [source, seq0, len] of runs) {
        let seq = lastSeq.get(source) ?? seq0;
        for (let i = 0; i < len; i++) {
          seq += 1;
          tick += (k * 7) % 5;
          out.push({ source, seq, tick, payload: payloads[k++ % payloads.length]! });
        }
        lastSeq.set(source, seq);
      }
      return out;
    });
}

/** Most events in a generated `events` frame: {@link MANY}, or fewer if `maxBatchEvents` says so. */
export function eventsArb<E>(
  payload: fc.Arbitrary<E>,
  maxBatchEvents: number = MANY,
): fc.Arbitrary<EventsFrame<E>> {
  const most = Math.min(MANY, maxBatchEvents);
  return fc
    .oneof(
      sometimesLong((size) => fc.array(eventArb(payload), { maxLength: most, ...size })),
      realisticEvents(payload).map((events) => events.slice(0, most)),
    )
    .map((events) => ({ type: 'events' as const, events }));
}

export const requestArb: fc.Arbitrary<RequestFrame> = sometimesLong((size) =>
  fc.array(
    fc
      .record({ source: peerId, fromSeq: wireSeq, span: wireUint }, { noNullPrototype: true })
      .map(({ source, fromSeq, span }) => ({
        source,
        fromSeq,
        toSeq: Math.min(MAX_WIRE_INTEGER, fromSeq + span),
      })),
    { maxLength: MANY, ...size },
  ),
).map((ranges) => ({ type: 'request' as const, ranges }));

export const syncArb: fc.Arbitrary<SyncFrame> = fc
  .record({
    time: finite,
    tick: nonNegative,
    echo: fc.option(fc.record({ time: finite, holdMs: nonNegative }, { noNullPrototype: true })),
  })
  .map(({ echo, ...rest }) => (echo === null ? { type: 'sync', ...rest } : { type: 'sync', ...rest, echo }));

export const hashArb: fc.Arbitrary<HashFrame> = sometimesLong((size) =>
  fc.array(fc.record({ tick: wireUint, hash: hashHex }, { noNullPrototype: true }), {
    maxLength: MANY,
    ...size,
  }),
).map((reports) => ({ type: 'hash' as const, reports }));

/**
 * Presence frames whose data is JSON that fits `maxPresenceBytes` in MessagePack (often close to
 * it), or comes from `data`.
 */
export const presenceArb = (
  maxPresenceBytes: number = GENERATED_LIMITS.maxPresenceBytes,
  data: fc.Arbitrary<unknown> = jsonUpTo(maxPresenceBytes),
): fc.Arbitrary<PresenceFrame> =>
  fc.record(
    {
      type: fc.constant('presence' as const),
      source: peerId,
      seq: wireUint,
      hops: fc.integer({ min: 0, max: 255 }),
      data,
    },
    { noNullPrototype: true },
  );

/**
 * Bytes up to `max`: random ones up to 2,000, or a repeated pattern of any length up to `max`
 * (snapshot chunk data: the runtime sends 65,536-byte chunks).
 */
export const bytesUpTo = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: Math.min(2000, max), size: 'max' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(max), fc.uint8Array({ minLength: 1, maxLength: 32, size: 'max' }))
        .map(([n, pattern]) => {
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = pattern[i % pattern.length]!;
          return out;
        }),
    },
  );

export const snapshotRequestArb: fc.Arbitrary<SnapshotRequestFrame> = fc.constant({
  type: 'snapshot-request' as const,
});

export const snapshotArb = (
  maxSnapshotChunkBytes: number = GENERATED_LIMITS.maxSnapshotChunkBytes,
): fc.Arbitrary<SnapshotChunkFrame> =>
  fc
    .record({
      tick: wireUint,
      count: fc.integer({ min: 1, max: 65_536 }),
      index: fc.nat(),
      data: bytesUpTo(maxSnapshotChunkBytes),
    })
    .map(({ tick, count, index, data }) => ({
      type: 'snapshot' as const,
      tick,
      index: index % count,
      count,
      data,
    }));

export const byeArb: fc.Arbitrary<ByeFrame> = fc.record(
  { type: fc.constant('bye' as const), reason: text(GENERATED_LIMITS.maxReasonBytes) },
  { noNullPrototype: true },
);

export const challengeArb: fc.Arbitrary<ChallengeFrame> = fc
  .uint8Array({ minLength: 16, maxLength: 64, size: 'max' })
  .map((nonce) => ({ type: 'challenge' as const, nonce }));

export const authArb: fc.Arbitrary<AuthFrame> = fc
  .record({
    signature: fc.uint8Array({ minLength: 1, maxLength: GENERATED_LIMITS.maxSignatureBytes, size: 'max' }),
    mac: fc.uint8Array({ maxLength: 64, size: 'max' }),
  })
  .map(({ signature, mac }) => ({ type: 'auth' as const, signature, mac }));

function evidenceArb<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<EvidenceFrame<E>> {
  const version = fc.record({
    tick: wireUint,
    payload,
    back: fc.option(fc.nat(), { freq: 3 }),
    signature: fc.uint8Array({ minLength: 1, maxLength: GENERATED_LIMITS.maxSignatureBytes, size: 'max' }),
  });
  const event = (
    source: string,
    seq: number,
    v: { tick: number; payload: E; back: number | null; signature: Uint8Array },
  ) => {
    const { back, ...rest } = v;
    return back === null || seq < 2
      ? { source, seq, ...rest }
      : { source, seq, ...rest, restamps: 1 + (back % (seq - 1)) };
  };
  return fc.tuple(peerId, wireSeq, version, version).map(([source, seq, a, b]) => ({
    type: 'evidence' as const,
    events: [event(source, seq, a), event(source, seq, b)],
  }));
}

/**
 * The limits a generated frame keeps to besides the defaults (a codec made with smaller ones),
 * and the presence data to send when the codec's presence codec is not MessagePack.
 */
export type GeneratedLimits = Partial<
  Pick<CodecLimits, 'maxBatchEvents' | 'maxPresenceBytes' | 'maxSnapshotChunkBytes'>
> & { presenceData?: fc.Arbitrary<unknown> };

/**
 * Every frame kind, one arbitrary each, keyed by type, each frame within the default limits and
 * within `limits` (the payloads are the caller's to keep within `maxPayloadBytes`).
 */
export function frameArbs<E>(
  payload: fc.Arbitrary<E>,
  limits: GeneratedLimits = {},
): Record<Frame['type'], fc.Arbitrary<Frame<E>>> {
  return {
    hello: helloArb,
    frontier: frontierArb,
    prints: sometimesLong((size) =>
      fc.array(
        fc.record(
          { tick: wireUint, count: wireUint, digest: fc.integer({ min: 0, max: 2 ** 48 - 1 }) },
          { noNullPrototype: true },
        ),
        { minLength: 1, maxLength: GENERATED_MAX_PRINTS, ...size },
      ),
    ).map((prints) => ({ type: 'prints' as const, prints })),
    events: eventsArb(payload, limits.maxBatchEvents),
    request: requestArb,
    sync: syncArb,
    hash: hashArb,
    presence: presenceArb(limits.maxPresenceBytes, limits.presenceData),
    'snapshot-request': snapshotRequestArb,
    snapshot: snapshotArb(limits.maxSnapshotChunkBytes),
    bye: byeArb,
    challenge: challengeArb,
    auth: authArb,
    evidence: evidenceArb(payload),
  };
}

/** Any frame (within `limits`, as {@link frameArbs}). */
export function frameArb<E>(payload: fc.Arbitrary<E>, limits: GeneratedLimits = {}): fc.Arbitrary<Frame<E>> {
  return fc.oneof(...Object.values(frameArbs(payload, limits)));
}

/** Hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of hex (spaces ignored). */
export function unhex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
