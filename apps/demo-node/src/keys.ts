import { emitKeypressEvents } from 'node:readline';
import { createRandom, type RectangleKey, RectangleKeys } from '@symmetric/core';

/**
 * The app key for a terminal key name (as Node's `readline` names them): arrows or `w`/`a`/`s`/
 * `d` set the direction, `space` (or `x`) stops the rectangle; anything else is `undefined`.
 */
export function keyFromName(name: string | undefined): RectangleKey | undefined {
  switch (name) {
    case 'left':
    case 'a':
      return RectangleKeys.left;
    case 'right':
    case 'd':
      return RectangleKeys.right;
    case 'up':
    case 'w':
      return RectangleKeys.up;
    case 'down':
    case 's':
      return RectangleKeys.down;
    case 'space':
    case 'x':
      return RectangleKeys.stop;
    default:
      return undefined;
  }
}

/** Names of the keys, indexed by key value (for logs). */
export const KEY_NAMES: readonly string[] = ['left', 'right', 'up', 'down', 'stop'];

/**
 * Emits random keys: the next one after a delay drawn uniformly in `[0, 2 × 60 000 / ratePerMinute)`
 * ms (the paper's event process), the key uniform over the five keys, both from a PRNG seeded
 * with `seed`. Returns the function that stops it.
 */
export function startRandomKeys(
  emit: (key: RectangleKey) => void,
  options: { readonly ratePerMinute: number; readonly seed: number },
): () => void {
  const random = createRandom(options.seed);
  const meanMs = 60_000 / options.ratePerMinute;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    timer = setTimeout(
      () => {
        if (stopped) return;
        emit(random.int(5) as RectangleKey);
        next();
      },
      random.next() * 2 * meanMs,
    );
  };
  next();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/**
 * Reads keys from a terminal: arrows / WASD / space become app keys (`onKey`), `q`, Escape or
 * Ctrl-C call `onQuit`. Puts the terminal in raw mode until the returned function is called.
 */
export function startKeyboard(
  input: NodeJS.ReadStream,
  onKey: (key: RectangleKey) => void,
  onQuit: () => void,
): () => void {
  emitKeypressEvents(input);
  if (input.isTTY) input.setRawMode(true);
  const listener = (_str: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
    if (key === undefined) return;
    if ((key.ctrl === true && key.name === 'c') || key.name === 'q' || key.name === 'escape') {
      onQuit();
      return;
    }
    const k = keyFromName(key.name);
    if (k !== undefined) onKey(k);
  };
  input.on('keypress', listener);
  input.resume();
  return () => {
    input.off('keypress', listener);
    if (input.isTTY) input.setRawMode(false);
    input.pause();
  };
}
