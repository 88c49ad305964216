import { createMsgpackPayloadCodec, type PayloadCodec } from '@symmetric/codec';
import type { TimelineSnapshot } from '@symmetric/core';

/** Envelope format version of a snapshot blob. */
const BLOB_VERSION = 1;

const envelopeCodec = createMsgpackPayloadCodec({ maxDepth: 8 });

/**
 * Bytes of a timeline snapshot as sent to a joining peer in `snapshot` chunks: a MessagePack
 * envelope `{v, t, r, f, k, o, n, p, g, s}` (version, tick, PRNG words, frontier pairs, each
 * frontier source's newest folded tick, forgotten ids, events folded, the history's prints (the
 * sums at the newest mark, past it by span, and the prints kept at earlier marks), seqs
 * given up, state bytes from the state codec; `k`, `o`, `n`, `p` and `g` optional).
 * @internal
 */
export function encodeSnapshot<S>(snapshot: TimelineSnapshot<S>, stateCodec: PayloadCodec<S>): Uint8Array {
  const state = stateCodec.encode(snapshot.state);
  return envelopeCodec.encode({
    v: BLOB_VERSION,
    t: snapshot.tick,
    r: [...snapshot.random],
    f: snapshot.frontier.map(([source, seq]) => [source, seq]),
    ...(snapshot.lastTicks !== undefined ? { k: [...snapshot.lastTicks] } : {}),
    ...(snapshot.forgottenIds !== undefined ? { o: snapshot.forgottenIds } : {}),
    ...(snapshot.foldedEvents !== undefined ? { n: snapshot.foldedEvents } : {}),
    ...(snapshot.print !== undefined
      ? {
          p: [
            snapshot.print.every,
            snapshot.print.mark,
            snapshot.print.count,
            snapshot.print.digest,
            snapshot.print.open.map((o) => [...o]),
            (snapshot.print.kept ?? []).map((k) => [...k]),
          ],
        }
      : {}),
    ...(snapshot.skipped !== undefined ? { g: snapshot.skipped.map(([source, r]) => [source, [...r]]) } : {}),
    s: state,
  });
}

/**
 * The snapshot `bytes` encode. Throws (any error) when they are not a valid blob; the caller
 * reports a `SNAPSHOT` error. The core re-validates the result in `Timeline.fromSnapshot`.
 * @internal
 */
export function decodeSnapshot<S>(bytes: Uint8Array, stateCodec: PayloadCodec<S>): TimelineSnapshot<S> {
  const env = envelopeCodec.decode(bytes) as Record<string, unknown> | null;
  if (env === null || typeof env !== 'object' || Array.isArray(env))
    throw new Error('snapshot blob is not a map');
  if (env['v'] !== BLOB_VERSION) throw new Error(`snapshot blob version ${String(env['v'])} unsupported`);
  const tick = env['t'];
  const random = env['r'];
  const frontier = env['f'];
  const state = env['s'];
  if (typeof tick !== 'number' || !Number.isSafeInteger(tick) || tick < 0)
    throw new Error('snapshot tick invalid');
  if (!Array.isArray(random)) throw new Error('snapshot random invalid');
  if (!Array.isArray(frontier)) throw new Error('snapshot frontier invalid');
  if (!(state instanceof Uint8Array)) throw new Error('snapshot state invalid');
  const pairs: (readonly [string, number])[] = [];
  for (const entry of frontier as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new Error('snapshot frontier entry invalid');
    const [source, seq] = entry as unknown[];
    if (typeof source !== 'string' || typeof seq !== 'number')
      throw new Error('snapshot frontier entry invalid');
    pairs.push([source, seq]);
  }
  const skipped = env['g'];
  if (skipped !== undefined && !Array.isArray(skipped)) throw new Error('snapshot skipped invalid');
  const lastTicks = env['k'];
  if (lastTicks !== undefined && !Array.isArray(lastTicks)) throw new Error('snapshot last ticks invalid');
  const forgottenIds = env['o'];
  if (forgottenIds !== undefined && typeof forgottenIds !== 'number')
    throw new Error('snapshot forgotten ids invalid');
  const foldedEvents = env['n'];
  if (foldedEvents !== undefined && typeof foldedEvents !== 'number')
    throw new Error('snapshot folded count invalid');
  const p = env['p'];
  if (
    p !== undefined &&
    (!Array.isArray(p) ||
      (p.length !== 5 && p.length !== 6) ||
      !Array.isArray(p[4]) ||
      (p.length === 6 && !Array.isArray(p[5])))
  )
    throw new Error('snapshot print invalid');
  // Checked in Timeline.fromSnapshot.
  const print =
    p === undefined
      ? undefined
      : {
          every: p[0] as number,
          mark: p[1] as number,
          count: p[2] as number,
          digest: p[3] as number,
          open: p[4] as [number, number, number][],
          ...(p.length === 6 ? { kept: p[5] as [number, number, number][] } : {}),
        };
  return {
    tick,
    random: random as number[],
    frontier: pairs,
    // Checked entry by entry in Timeline.fromSnapshot.
    ...(skipped !== undefined ? { skipped: skipped as [string, number[]][] } : {}),
    ...(lastTicks !== undefined ? { lastTicks: lastTicks as number[] } : {}),
    ...(forgottenIds !== undefined ? { forgottenIds } : {}),
    ...(print !== undefined ? { print } : {}),
    ...(foldedEvents !== undefined ? { foldedEvents } : {}),
    state: stateCodec.decode(state),
  };
}
