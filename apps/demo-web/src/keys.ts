import { type RectangleKey, RectangleKeys } from '@symmetric/core';

/**
 * The app key for a keyboard event's `key`: arrows or WASD set the direction, space (or `x`)
 * stops the rectangle; anything else is `undefined`.
 */
export function keyFromEvent(key: string): RectangleKey | undefined {
  switch (key) {
    case 'ArrowLeft':
    case 'a':
    case 'A':
      return RectangleKeys.left;
    case 'ArrowRight':
    case 'd':
    case 'D':
      return RectangleKeys.right;
    case 'ArrowUp':
    case 'w':
    case 'W':
      return RectangleKeys.up;
    case 'ArrowDown':
    case 's':
    case 'S':
      return RectangleKeys.down;
    case ' ':
    case 'x':
    case 'X':
      return RectangleKeys.stop;
    default:
      return undefined;
  }
}
