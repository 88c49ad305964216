/** Option parsers the bench CLIs share (commander's `InvalidArgumentError` on bad input). */
import { InvalidArgumentError } from 'commander';

/** A finite number above 0. */
export function positive(v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError('expected a positive number');
  return x;
}

/** A comma-separated list of integers of at least `min` (`example` shows one in the error). */
export function intList(min: number, example: string): (v: string) => number[] {
  return (v) => {
    const xs = v.split(',').map(Number);
    if (xs.some((x) => !Number.isInteger(x) || x < min))
      throw new InvalidArgumentError(`expected integers >= ${min}, e.g. ${example}`);
    return xs;
  };
}
