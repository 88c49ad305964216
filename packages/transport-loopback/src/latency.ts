import { LoopbackError } from './errors.js';
import type { SeededRandom } from './random.js';

/**
 * One-way latency of a link, sampled independently per frame (FIFO is kept on top of it:
 * a frame is never delivered before the previous one on the same link direction).
 * - `constant`: always `ms`.
 * - `uniform`: uniform in `[minMs, maxMs)`.
 * - `normal`: normal with mean `meanMs` and s.d. `sdMs`, truncated at 0 (negative samples
 *   become 0).
 */
export type LatencyModel =
  | { dist: 'constant'; ms: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  | { dist: 'normal'; meanMs: number; sdMs: number };

function nonNegative(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new LoopbackError('BAD_LATENCY', `${what} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Throws {@link LoopbackError} `BAD_LATENCY` unless `model` is a well-formed {@link LatencyModel}. */
export function validateLatency(model: LatencyModel): LatencyModel {
  if (typeof model !== 'object' || model === null) {
    throw new LoopbackError('BAD_LATENCY', `latency model must be an object, got ${String(model)}`);
  }
  switch (model.dist) {
    case 'constant':
      nonNegative(model.ms, 'constant latency ms');
      return { dist: 'constant', ms: model.ms };
    case 'uniform':
      nonNegative(model.minMs, 'uniform latency minMs');
      nonNegative(model.maxMs, 'uniform latency maxMs');
      if (model.minMs > model.maxMs) {
        throw new LoopbackError('BAD_LATENCY', `uniform latency minMs ${model.minMs} > maxMs ${model.maxMs}`);
      }
      return { dist: 'uniform', minMs: model.minMs, maxMs: model.maxMs };
    case 'normal':
      nonNegative(model.meanMs, 'normal latency meanMs');
      nonNegative(model.sdMs, 'normal latency sdMs');
      return { dist: 'normal', meanMs: model.meanMs, sdMs: model.sdMs };
    default:
      throw new LoopbackError(
        'BAD_LATENCY',
        `unknown latency dist ${JSON.stringify((model as { dist?: unknown }).dist)}`,
      );
  }
}

/** One latency sample in ms (>= 0) from `model`, drawing from `rng` (nothing drawn for `constant`). */
export function sampleLatency(model: LatencyModel, rng: SeededRandom): number {
  switch (model.dist) {
    case 'constant':
      return model.ms;
    case 'uniform':
      return model.minMs + (model.maxMs - model.minMs) * rng.next();
    case 'normal': {
      const x = model.meanMs + model.sdMs * rng.nextNormal();
      return x > 0 ? x : 0;
    }
  }
}
