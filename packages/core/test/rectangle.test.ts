import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isRectangleKey,
  RECTANGLE_KEY_COUNT,
  RectangleKey,
  RectangleKeys,
  type RectangleState,
  rectangleApp,
  Timeline,
} from '../src/index.js';

describe('rectangleApp (the paper app)', () => {
  it('moves 2 units per tick in the direction of the last key', () => {
    const tl = new Timeline(rectangleApp);
    expect(tl.state).toEqual({ x: 0, y: 0, dx: 0, dy: 0 });
    tl.insert({ tick: 0, source: 'a', seq: 1, payload: RectangleKeys.right });
    tl.insert({ tick: 3, source: 'a', seq: 2, payload: RectangleKeys.up });
    tl.insert({ tick: 5, source: 'a', seq: 3, payload: RectangleKeys.left });
    tl.insert({ tick: 6, source: 'a', seq: 4, payload: RectangleKeys.down });
    tl.insert({ tick: 8, source: 'a', seq: 5, payload: RectangleKeys.stop });
    tl.advance(10);
    // right x3 (+6), up x2 (-4 y), left x1 (-2), down x2 (+4 y), then stopped
    expect(tl.state).toEqual({ x: 4, y: 0, dx: 0, dy: 0 });
  });

  it('encodes keys as the integers 0..4', () => {
    expect(Object.values(RectangleKeys).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(RECTANGLE_KEY_COUNT).toBe(5);
    expect(RectangleKey).toBe(RectangleKeys);
    for (let k = 0; k < 5; k++) expect(isRectangleKey(k)).toBe(true);
    for (const k of [-1, 5, 1.5, '1', null]) expect(isRectangleKey(k)).toBe(false);
  });

  it('snapshot and restore copy without aliasing, into reused objects', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer(),
        fc.constantFrom(-1, 0, 1),
        fc.constantFrom(-1, 0, 1),
        (x, y, dx, dy) => {
          const s: RectangleState = { x, y, dx, dy };
          const snap = rectangleApp.snapshot!(s);
          expect(snap).toEqual(s);
          expect(snap).not.toBe(s);
          const reuse: RectangleState = { x: 9, y: 9, dx: 9, dy: 9 };
          expect(rectangleApp.snapshot!(s, reuse)).toBe(reuse);
          expect(reuse).toEqual(s);
          const into: RectangleState = { x: 1, y: 1, dx: 1, dy: 1 };
          expect(rectangleApp.restore!(snap, into)).toBe(into);
          expect(into).toEqual(s);
          s.x++;
          expect(snap.x).toBe(x);
        },
      ),
    );
  });
});
