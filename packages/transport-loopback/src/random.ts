/**
 * The network model's latency source: `@symmetric/core`'s seeded generator (never
 * `Math.random`), so a network with a given seed delays the same frames by the same amounts.
 */
import { type SeededRandom as CoreRandom, createFullStateRandom } from '@symmetric/core';

/** Seeded draws for latency sampling: uniform floats and standard normal values. */
export class SeededRandom {
  readonly #rng: CoreRandom;
  #spare: number | undefined;

  /** @param seed Any number; its low 32 bits (and the high bits, mixed in) pick the stream. */
  constructor(seed: number) {
    this.#rng = createFullStateRandom(seed);
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    return this.#rng.uint32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#rng.next();
  }

  /** Standard normal (mean 0, s.d. 1); values come in pairs, the second kept for the next call. */
  nextNormal(): number {
    const spare = this.#spare;
    if (spare !== undefined) {
      this.#spare = undefined;
      return spare;
    }
    const [z, next] = this.#rng.standardNormalPair();
    this.#spare = next;
    return z;
  }
}
