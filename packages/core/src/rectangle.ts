import type { App } from './app.js';

/**
 * The keys of the paper's moving-rectangle app, as small integers so a payload codec can send
 * one byte: `left`, `right`, `up`, `down` set the direction; `stop` (the paper's space bar)
 * halts the rectangle.
 */
export const RectangleKeys = {
  left: 0,
  right: 1,
  up: 2,
  down: 3,
  stop: 4,
} as const;

/** One key of {@link RectangleKeys}: an integer 0..4. */
export type RectangleKey = (typeof RectangleKeys)[keyof typeof RectangleKeys];

/** The same constants as {@link RectangleKeys}, under the type's name (`RectangleKey.left`). */
export const RectangleKey = RectangleKeys;

/** The number of distinct keys (payloads are `0 .. RECTANGLE_KEY_COUNT - 1`). */
export const RECTANGLE_KEY_COUNT = 5;

/** State of the moving rectangle: position and direction (each of `dx`, `dy` in -1..1). */
export interface RectangleState {
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/** True if `x` is a valid {@link RectangleKey} (an integer 0..4). */
export function isRectangleKey(x: unknown): x is RectangleKey {
  return typeof x === 'number' && (x === 0 || x === 1 || x === 2 || x === 3 || x === 4);
}

/**
 * The paper's evaluation app: a rectangle at `(0, 0)`, standing still; every tick
 * `x += dx * 2, y += dy * 2`; a key sets the direction (`left`: dx = -1, dy = 0; `right`:
 * dx = 1, dy = 0; `up`: dy = -1, dx = 0; `down`: dy = 1, dx = 0; `stop`: both 0). Unknown
 * payloads are ignored. Its snapshot/restore copy four numbers and allocate nothing.
 */
export const rectangleApp: App<RectangleState, RectangleKey> = {
  init(): RectangleState {
    return { x: 0, y: 0, dx: 0, dy: 0 };
  },
  tick(s: RectangleState): void {
    s.x += s.dx * 2;
    s.y += s.dy * 2;
  },
  event(s: RectangleState, key: RectangleKey): void {
    switch (key) {
      case RectangleKeys.left:
        s.dx = -1;
        s.dy = 0;
        break;
      case RectangleKeys.right:
        s.dx = 1;
        s.dy = 0;
        break;
      case RectangleKeys.up:
        s.dx = 0;
        s.dy = -1;
        break;
      case RectangleKeys.down:
        s.dx = 0;
        s.dy = 1;
        break;
      case RectangleKeys.stop:
        s.dx = 0;
        s.dy = 0;
        break;
      default:
        break;
    }
  },
  snapshot(s: RectangleState, reuse?: RectangleState): RectangleState {
    const o = reuse ?? { x: 0, y: 0, dx: 0, dy: 0 };
    o.x = s.x;
    o.y = s.y;
    o.dx = s.dx;
    o.dy = s.dy;
    return o;
  },
  restore(snap: RectangleState, into?: RectangleState): RectangleState {
    const o = into ?? { x: 0, y: 0, dx: 0, dy: 0 };
    o.x = snap.x;
    o.y = snap.y;
    o.dx = snap.dx;
    o.dy = snap.dy;
    return o;
  },
};
