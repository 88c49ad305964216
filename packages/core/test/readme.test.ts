import { describe, expect, it } from 'vitest';
import { checkDeterminism, dmath, RectangleKeys, rectangleApp, Timeline } from '../src/index.js';

// The examples of README.md, run as written.
describe('README examples', () => {
  it('the main example gives the values the README shows', () => {
    const tl = new Timeline(rectangleApp, { seed: 1, snapshotEvery: 10 });
    expect(tl.insert({ tick: 3, source: 'alice', seq: 1, payload: RectangleKeys.right })).toBe('scheduled');
    tl.advance(10);
    expect(tl.state.x).toBe(14);
    expect(tl.insert({ tick: 5, source: 'bob', seq: 1, payload: RectangleKeys.down })).toBe('late');
    expect(tl.state).toEqual({ x: 4, y: 10, dx: 0, dy: 1 });
    expect(tl.hash()).toMatch(/^[0-9a-f]{16}$/);
    expect(tl.stats()).toMatchObject({
      lateEvents: 1,
      ticksTravelledBack: 5,
      rollbacks: 1,
      ticksResimulated: 10,
    });
    expect(
      checkDeterminism(rectangleApp, [{ tick: 3, source: 'alice', seq: 1, payload: RectangleKeys.right }]).ok,
    ).toBe(true);
  });

  it('the smooth travel and dmath snippets run', () => {
    const tl = new Timeline(rectangleApp);
    tl.advance(20);
    const drawn: number[] = [];
    const draw = (s: { x: number }) => drawn.push(s.x);
    const lateEvents = [{ tick: 4, source: 'a', seq: 1, payload: RectangleKeys.right }];
    const travel = tl.insertSmooth(lateEvents, { stride: 2 });
    for (const frame of travel) draw(frame.state);
    expect(drawn.length).toBeGreaterThan(2);
    expect(drawn[drawn.length - 1]).toBe(32);
    const a = dmath.atan2(1, 1);
    expect(dmath.cos(a) * 2).toBeCloseTo(Math.SQRT2, 15);
  });
});
