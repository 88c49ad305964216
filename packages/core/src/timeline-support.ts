/**
 * Helpers of the timeline: the default state copy, option, tick and event checks, the recorded
 * hashes, the travel state, the empty travel and the validation of a snapshot handed to
 * `Timeline.fromSnapshot`.
 * @internal
 */
import type { EventContext } from './app.js';
import { TimelineError, type TimelineErrorCode } from './errors.js';
import { hashToWords, wordsToHash } from './hash-words.js';
import { isRandomState } from './random.js';
import type {
  InsertManyResult,
  InsertResult,
  SnapshotThinning,
  TimelineEvent,
  TimelineSnapshot,
  TimelineTravel,
} from './timeline-types.js';

/** A smooth travel under way (see `Timeline.insertSmooth`). @internal */
export interface Travel {
  /** The tick to come back to. */
  readonly target: number;
  /** The earliest late event's tick. */
  readonly lateTick: number;
  /** Ring position of the snapshot to restore, or -1 for the base. */
  readonly restorePos: number;
  /** Ticks per frame. */
  readonly stride: number;
  /** What the insert did. */
  readonly result: InsertManyResult;
  /** Going back through the snapshots, or forward re-simulating. */
  phase: 'back' | 'forward';
}

/** The event context the timeline fills in for each callback. @internal */
export interface MutableContext extends EventContext {
  tick: number;
  source: string;
  seq: number;
}

/** Why `event` is malformed (an error code and message), or `undefined`. @internal */
export function eventProblem(
  event: unknown,
): [Extract<TimelineErrorCode, 'BAD_EVENT' | 'BAD_TICK' | 'BAD_SOURCE' | 'BAD_SEQ'>, string] | undefined {
  if (event === null || typeof event !== 'object') return ['BAD_EVENT', 'an event must be an object'];
  const { tick, source, seq } = event as { tick?: unknown; source?: unknown; seq?: unknown };
  if (!isSafeTick(tick))
    return ['BAD_TICK', `event tick must be a non-negative safe integer, got ${String(tick)}`];
  if (typeof source !== 'string' || source.length === 0)
    return ['BAD_SOURCE', 'event source must be a non-empty string'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return ['BAD_SEQ', `event seq must be a safe integer >= 1, got ${String(seq)}`];
  const restamps = (event as { restamps?: unknown }).restamps;
  if (
    restamps !== undefined &&
    (typeof restamps !== 'number' || !Number.isSafeInteger(restamps) || restamps < 1 || restamps >= seq)
  )
    return ['BAD_SEQ', `a re-stamp must name a seq from 1 to ${seq - 1}, got ${String(restamps)}`];
  return undefined;
}

/**
 * The state hashes recorded every `every` ticks (`every` 0: none), the last `size` of them: the
 * hash of tick `t` is kept in slot `(t / every) % size` until a later recording takes the slot.
 * Slots come in pages of 64, each page a `Uint32Array` allocated when a hash first lands in it:
 * per slot the tick + 1 (0: empty) in two words and the hash (16 lowercase hex digits, as
 * `stateHash` makes it) in two, 16 bytes (1 KB a page, 8 KB for 512 slots), read back as a fresh
 * string equal to the one recorded. A hash of another form is kept as it is in a side map.
 * @internal
 */
export class HashRing {
  /** Pages of {@link HashRing.PAGE} slots, 4 words each; `undefined` until one is written. */
  private readonly pages: (Uint32Array | undefined)[];
  /** Hashes not of the 16-lowercase-hex form, by slot. */
  private odd: Map<number, string> | undefined;
  private readonly size: number;

  /** Slots per page. */
  private static readonly PAGE = 64;

  constructor(
    private readonly every: number,
    size: number,
  ) {
    this.size = every === 0 ? 0 : size;
    this.pages = new Array<Uint32Array | undefined>(Math.ceil(this.size / HashRing.PAGE)).fill(undefined);
  }

  /** The hash recorded at `tick`, if it is still held. */
  at(tick: number): string | undefined {
    if (this.every === 0 || tick % this.every !== 0 || !(tick >= 0 && tick <= Number.MAX_SAFE_INTEGER))
      return undefined;
    const slot = (tick / this.every) % this.size;
    const page = this.pages[Math.floor(slot / HashRing.PAGE)];
    if (page === undefined) return undefined;
    const at = (slot % HashRing.PAGE) * 4;
    const t1 = tick + 1;
    if (page[at] !== Math.floor(t1 / 4294967296) || page[at + 1] !== t1 >>> 0) return undefined;
    const odd = this.odd?.get(slot);
    if (odd !== undefined) return odd;
    return wordsToHash(page[at + 2]!, page[at + 3]!);
  }

  /** Record `hash` at `tick` (a multiple of `every`). */
  record(tick: number, hash: string): void {
    const slot = (tick / this.every) % this.size;
    const p = Math.floor(slot / HashRing.PAGE);
    const page = (this.pages[p] ??= new Uint32Array(HashRing.PAGE * 4));
    const at = (slot % HashRing.PAGE) * 4;
    const t1 = tick + 1;
    page[at] = Math.floor(t1 / 4294967296);
    page[at + 1] = t1 >>> 0;
    if (hashToWords(hash, page, at + 2)) this.odd?.delete(slot);
    else (this.odd ??= new Map()).set(slot, hash);
  }

  /** Forget what is recorded in `tick`'s slot (its hash could not be computed). */
  forget(tick: number): void {
    const slot = (tick / this.every) % this.size;
    const page = this.pages[Math.floor(slot / HashRing.PAGE)];
    if (page === undefined) return;
    const at = (slot % HashRing.PAGE) * 4;
    page[at] = 0;
    page[at + 1] = 0;
  }
}

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

/** The `snapshotThinning` option checked (`undefined`: off), else `BAD_OPTION`. @internal */
export function thinningOption(value: SnapshotThinning | undefined): SnapshotThinning | undefined {
  if (value === undefined) return undefined;
  if (
    value === null ||
    typeof value !== 'object' ||
    value.afterTicks === undefined ||
    value.every === undefined
  ) {
    throw new TimelineError('BAD_OPTION', 'snapshotThinning must be { afterTicks, every }');
  }
  return {
    afterTicks: intOption(value.afterTicks, 'snapshotThinning.afterTicks', 0, 0, Number.MAX_SAFE_INTEGER),
    every: intOption(value.every, 'snapshotThinning.every', 1, 1, 2 ** 31),
  };
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
  const forgottenIds = s['forgottenIds'];
  if (forgottenIds !== undefined && (!Number.isSafeInteger(forgottenIds) || (forgottenIds as number) < 0))
    bad('snapshot forgottenIds must be an integer >= 0');
  const lastTicks = s['lastTicks'];
  if (lastTicks !== undefined) {
    if (!Array.isArray(lastTicks) || lastTicks.length !== (frontier as unknown[]).length)
      bad('snapshot lastTicks must list one tick per frontier entry');
    for (const t of lastTicks as unknown[])
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < -1)
        bad('snapshot lastTicks must be integers >= -1');
  }
  const foldedEvents = s['foldedEvents'];
  if (foldedEvents !== undefined && (!Number.isSafeInteger(foldedEvents) || (foldedEvents as number) < 0))
    bad('snapshot foldedEvents must be an integer >= 0');
  const print = s['print'];
  if (print !== undefined) {
    const p = print as Record<string, unknown>;
    const ints = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (
      typeof print !== 'object' ||
      print === null ||
      !ints(p['every']) ||
      !ints(p['mark']) ||
      !ints(p['count']) ||
      !ints(p['digest']) ||
      !Array.isArray(p['open']) ||
      !(p['open'] as unknown[]).every((o) => Array.isArray(o) && o.length === 3 && o.every(ints)) ||
      (p['kept'] !== undefined &&
        (!Array.isArray(p['kept']) ||
          !(p['kept'] as unknown[]).every((o) => Array.isArray(o) && o.length === 3 && o.every(ints))))
    )
      bad(
        'snapshot print must hold integers every, mark, count, digest >= 0, open [span, count, digest] and kept [tick, count, digest] triples',
      );
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

/** The events of an `insertMany` argument as an array; `BAD_ARGUMENT` when it is not iterable. @internal */
export function eventList<E>(events: Iterable<TimelineEvent<E>>): TimelineEvent<E>[] {
  if (
    events === null ||
    typeof events !== 'object' ||
    typeof (events as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new TimelineError('BAD_ARGUMENT', 'insertMany needs an iterable of events');
  }
  return Array.isArray(events) ? (events as TimelineEvent<E>[]) : Array.from(events);
}

/**
 * Store validated events one by one with `store`, counting each outcome: the earliest late
 * event's tick (`+∞` when none was late) and the ticks the late ones travel back from `now`.
 * @internal
 */
export function storeBatch<E>(
  list: readonly TimelineEvent<E>[],
  store: (event: TimelineEvent<E>) => InsertResult,
  now: number,
): { result: InsertManyResult; lateTick: number; travelled: number } {
  const result: InsertManyResult = { scheduled: 0, late: 0, duplicates: 0, tooOld: 0 };
  let lateTick = Number.POSITIVE_INFINITY;
  let travelled = 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    switch (store(e)) {
      case 'scheduled':
        result.scheduled++;
        break;
      case 'late':
        result.late++;
        travelled += now - e.tick;
        if (e.tick < lateTick) lateTick = e.tick;
        break;
      case 'duplicate':
        result.duplicates++;
        break;
      case 'too-old':
        result.tooOld++;
        break;
    }
  }
  return { result, lateTick, travelled };
}
