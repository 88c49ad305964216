/**
 * `@symmetric/core`: the deterministic heart of Symmetric. It holds the app contract
 * ({@link App}), the totally ordered event log, snapshots and the time machine
 * ({@link Timeline}: rollback and re-simulation when an event arrives late), a stable state
 * hash ({@link stateHash}), a seeded PRNG ({@link createRandom}), deterministic math
 * ({@link dmath}), a determinism checker ({@link checkDeterminism}) and the paper's
 * moving-rectangle app ({@link rectangleApp}).
 *
 * It uses no network, timer or DOM API: time comes in as `advance()` calls, events as
 * `insert()` calls.
 *
 * @packageDocumentation
 */

export type { App, EventContext, Random, TickContext } from './app.js';
export {
  checkDeterminism,
  type DeterminismOptions,
  type DeterminismReport,
  type NondeterministicCall,
} from './determinism.js';
export {
  acos,
  asin,
  atan,
  atan2,
  cos,
  type DMath,
  dmath,
  exp,
  hypot,
  log,
  pow,
  sin,
  sqrt,
  tan,
} from './dmath.js';
export { TimelineError, type TimelineErrorCode } from './errors.js';
export { stateHash } from './hash.js';
export { hashToWords, wordsToHash } from './hash-words.js';
export {
  createFullStateRandom,
  createRandom,
  createStreamRandom,
  deriveSeed,
  isRandomState,
  SeededRandom,
} from './random.js';
export {
  isRectangleKey,
  RECTANGLE_KEY_COUNT,
  RectangleKey,
  RectangleKeys,
  type RectangleState,
  rectangleApp,
} from './rectangle.js';
/** @internal The per-source tables' insertion order, shared with the peer runtime's tables. */
export { NO_SLOT, SlotOrder, tableSize } from './slot-order.js';
export { SourceSlotMap, type SourceSlots } from './source-slots.js';
export {
  type AppErrorInfo,
  compareEvents,
  type HistoryPrint,
  type InsertManyResult,
  type InsertResult,
  type SnapshotThinning,
  Timeline,
  type TimelineEvent,
  type TimelineOptions,
  type TimelineSnapshot,
  type TimelineStats,
  type TimelineTravel,
  type TravelFrame,
  type TravelOptions,
} from './timeline.js';
