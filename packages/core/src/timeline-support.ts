/**
 * Helpers of the timeline: the default state copy, option and tick checks, the empty travel and
 * the validation of a snapshot handed to `Timeline.fromSnapshot`.
 * @internal
 */
import { TimelineError } from './errors.js';
import { isRandomState } from './random.js';
import type { InsertManyResult, TimelineSnapshot, TimelineTravel } from './timeline-types.js';

interface GlobalWithClone {
  structuredClone?: <T>(value: T) => T;
}

/** A structured clone of `value` (the default snapshot/restore). @internal */
export function defaultCopy<S>(value: S): S {
  const clone = (globalThis as GlobalWithClone).structuredClone;
  if (clone === undefined) {
    throw new TimelineError(
      'NO_STRUCTURED_CLONE',
      'this runtime has no structuredClone: give the app snapshot() and restore()',
    );
  }
  return clone(value);
}

/** `true` for a non-negative safe integer. @internal */
export function isSafeTick(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** An integer option in [min, max] (default `def`), else `BAD_OPTION`. @internal */
export function intOption(
  value: number | undefined,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return def;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TimelineError(
      'BAD_OPTION',
      `${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

/** A travel with no frames, only the outcome. @internal */
export function emptyTravel<S>(result: InsertManyResult): TimelineTravel<S> {
  return (function* (): TimelineTravel<S> {
    // Nothing was late: no frames, only the outcome.
    yield* [];
    return result;
  })();
}

/** Throws `BAD_SNAPSHOT` unless `snapshot` is a well-formed {@link TimelineSnapshot}. @internal */
export function validateSnapshot(snapshot: unknown): asserts snapshot is TimelineSnapshot<unknown> {
  const bad = (msg: string): never => {
    throw new TimelineError('BAD_SNAPSHOT', msg);
  };
  if (snapshot === null || typeof snapshot !== 'object') bad('a snapshot must be an object');
  const s = snapshot as Record<string, unknown>;
  if (!isSafeTick(s['tick'])) bad('snapshot tick must be a non-negative safe integer');
  if (!('state' in s)) bad('snapshot has no state');
  if (!isRandomState(s['random'])) bad('snapshot random must be four uint32 words');
  const frontier = s['frontier'];
  if (!Array.isArray(frontier)) bad('snapshot frontier must be an array of [source, seq]');
  const seen = new Set<string>();
  for (const entry of frontier as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) bad('snapshot frontier entries must be [source, seq]');
    const [source, seq] = entry as unknown[];
    if (typeof source !== 'string' || source.length === 0)
      bad('snapshot frontier source must be a non-empty string');
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      bad('snapshot frontier seq must be a non-negative safe integer');
    }
    if (seen.has(source as string)) bad(`snapshot frontier lists ${String(source)} twice`);
    seen.add(source as string);
  }
  const skipped = s['skipped'];
  if (skipped === undefined) return;
  if (!Array.isArray(skipped)) bad('snapshot skipped must be an array of [source, ranges]');
  for (const entry of skipped as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2) bad('snapshot skipped entries must be [source, ranges]');
    const [source, ranges] = entry as unknown[];
    if (typeof source !== 'string' || !seen.has(source))
      bad('snapshot skipped source must be in the frontier');
    if (!Array.isArray(ranges) || ranges.length % 2 !== 0)
      bad('snapshot skipped ranges must be [from, to] pairs');
    for (const r of ranges as unknown[]) {
      if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1)
        bad('snapshot skipped seqs must be positive safe integers');
    }
  }
}
