import fc from 'fast-check';
import type {
  AuthFrame,
  ByeFrame,
  ChallengeFrame,
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

/** Any string whose UTF-8 encoding fits `maxBytes`. */
export const text = (maxBytes: number, minLength = 0): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'binary', minLength, maxLength: Math.floor(maxBytes / 4) + 4 })
    .filter((s) => utf8Length(s) <= maxBytes);

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
  fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { maxLength: 4 }).map((steps) => {
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

export const frontierArb: fc.Arbitrary<FrontierFrame> = fc
  .uniqueArray(
    fc.oneof(fc.record({ source: peerId, seq: wireUint }, { noNullPrototype: true }), frontierEntryArb),
    {
      selector: (e) => e.source,
      maxLength: 20,
    },
  )
  .chain((entries) =>
    fc
      .array(
        fc.record(
          { tick: wireUint, count: wireUint, digest: fc.integer({ min: 0, max: 2 ** 48 - 1 }) },
          { noNullPrototype: true },
        ),
        { maxLength: 4 },
      )
      .map((prints) =>
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
      signature: fc.option(fc.uint8Array({ maxLength: 128 }), { freq: 4 }),
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

export function eventsArb<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<EventsFrame<E>> {
  return fc
    .oneof(fc.array(eventArb(payload), { maxLength: 12 }), realisticEvents(payload))
    .map((events) => ({ type: 'events' as const, events }));
}

export const requestArb: fc.Arbitrary<RequestFrame> = fc
  .array(
    fc
      .record({ source: peerId, fromSeq: wireSeq, span: wireUint }, { noNullPrototype: true })
      .map(({ source, fromSeq, span }) => ({
        source,
        fromSeq,
        toSeq: Math.min(MAX_WIRE_INTEGER, fromSeq + span),
      })),
    { maxLength: 12 },
  )
  .map((ranges) => ({ type: 'request' as const, ranges }));

export const syncArb: fc.Arbitrary<SyncFrame> = fc
  .record({
    time: finite,
    tick: nonNegative,
    echo: fc.option(fc.record({ time: finite, holdMs: nonNegative }, { noNullPrototype: true })),
  })
  .map(({ echo, ...rest }) => (echo === null ? { type: 'sync', ...rest } : { type: 'sync', ...rest, echo }));

export const hashArb: fc.Arbitrary<HashFrame> = fc
  .array(fc.record({ tick: wireUint, hash: hashHex }, { noNullPrototype: true }), { maxLength: 12 })
  .map((reports) => ({ type: 'hash' as const, reports }));

export const presenceArb: fc.Arbitrary<PresenceFrame> = fc.record(
  {
    type: fc.constant('presence' as const),
    source: peerId,
    seq: wireUint,
    hops: fc.integer({ min: 0, max: 255 }),
    data: jsonPayload,
  },
  { noNullPrototype: true },
);

export const snapshotRequestArb: fc.Arbitrary<SnapshotRequestFrame> = fc.constant({
  type: 'snapshot-request' as const,
});

export const snapshotArb: fc.Arbitrary<SnapshotChunkFrame> = fc
  .record({
    tick: wireUint,
    count: fc.integer({ min: 1, max: 65_536 }),
    index: fc.nat(),
    data: fc.uint8Array({ maxLength: 2000 }),
  })
  .map(({ tick, count, index, data }) => ({
    type: 'snapshot' as const,
    tick,
    index: index % count,
    count,
    data,
  }));

export const byeArb: fc.Arbitrary<ByeFrame> = fc.record(
  { type: fc.constant('bye' as const), reason: text(256) },
  { noNullPrototype: true },
);

export const challengeArb: fc.Arbitrary<ChallengeFrame> = fc
  .uint8Array({ minLength: 16, maxLength: 64 })
  .map((nonce) => ({ type: 'challenge' as const, nonce }));

export const authArb: fc.Arbitrary<AuthFrame> = fc
  .record({
    signature: fc.uint8Array({ minLength: 1, maxLength: 128 }),
    mac: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ signature, mac }) => ({ type: 'auth' as const, signature, mac }));

function evidenceArb<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<EvidenceFrame<E>> {
  const version = fc.record({
    tick: wireUint,
    payload,
    back: fc.option(fc.nat(), { freq: 3 }),
    signature: fc.uint8Array({ minLength: 1, maxLength: 128 }),
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

/** Every frame kind, one arbitrary each, keyed by type. */
export function frameArbs<E>(payload: fc.Arbitrary<E>): Record<Frame['type'], fc.Arbitrary<Frame<E>>> {
  return {
    hello: helloArb,
    frontier: frontierArb,
    prints: fc
      .array(
        fc.record(
          { tick: wireUint, count: wireUint, digest: fc.integer({ min: 0, max: 2 ** 48 - 1 }) },
          { noNullPrototype: true },
        ),
        { minLength: 1, maxLength: 8 },
      )
      .map((prints) => ({ type: 'prints' as const, prints })),
    events: eventsArb(payload),
    request: requestArb,
    sync: syncArb,
    hash: hashArb,
    presence: presenceArb,
    'snapshot-request': snapshotRequestArb,
    snapshot: snapshotArb,
    bye: byeArb,
    challenge: challengeArb,
    auth: authArb,
    evidence: evidenceArb(payload),
  };
}

/** Any frame. */
export function frameArb<E>(payload: fc.Arbitrary<E>): fc.Arbitrary<Frame<E>> {
  return fc.oneof(...Object.values(frameArbs(payload)));
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
