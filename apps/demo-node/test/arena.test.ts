import { checkDeterminism, RectangleKeys, Timeline, type TimelineEvent } from '@symmetric/core';
import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT,
  ARENA_PLAYER_RADIUS,
  ARENA_SCALE,
  ARENA_WIDTH,
  type ArenaState,
  arenaApp,
} from '../src/apps/index.js';

const { left, right, up, down, stop } = RectangleKeys;

/** Four players pressing keys at once, for 600 ticks. */
function busyEvents(): TimelineEvent<number>[] {
  const events: TimelineEvent<number>[] = [];
  const keys = [right, down, left, up, stop];
  for (const [i, source] of ['ann', 'bob', 'cyd', 'dee'].entries()) {
    for (let k = 0; k < 12; k++) {
      events.push({ tick: 1 + k * 45 + i * 3, source, seq: k + 1, payload: keys[(k + i) % keys.length]! });
    }
  }
  return events;
}

function run(events: readonly TimelineEvent<number>[], ticks: number): ArenaState {
  const t = new Timeline(arenaApp, { seed: 7 });
  for (const e of events) t.insert(e);
  t.advance(ticks);
  return t.state as ArenaState;
}

describe('arena app', () => {
  it('is deterministic under forced rollbacks (no hidden state, no Math.random)', () => {
    const report = checkDeterminism(arenaApp, busyEvents(), { seed: 7, ticks: 600, rollbackDepth: 6 });
    expect(report.ok, report.message).toBe(true);
  });

  it('a key from a new peer adds its disc; arrows move it; discs stay on the board', () => {
    const s = run(busyEvents(), 600);
    expect(s.players.map((p) => p.id)).toEqual(['ann', 'bob', 'cyd', 'dee']);
    const r = ARENA_PLAYER_RADIUS * ARENA_SCALE;
    for (const p of s.players) {
      expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
      expect(p.x).toBeGreaterThanOrEqual(r - 200);
      expect(p.x).toBeLessThanOrEqual(ARENA_WIDTH * ARENA_SCALE - r + 200);
      expect(p.y).toBeGreaterThanOrEqual(r - 200);
      expect(p.y).toBeLessThanOrEqual(ARENA_HEIGHT * ARENA_SCALE - r + 200);
    }
  });

  it('a player holding right crosses the board and collects the coins on its way', () => {
    const one = run([{ tick: 1, source: 'solo', seq: 1, payload: right }], 400);
    const p = one.players[0]!;
    expect(p.x).toBe(ARENA_WIDTH * ARENA_SCALE - ARENA_PLAYER_RADIUS * ARENA_SCALE);
    expect(p.ax).toBe(1);
    const moved = run(
      [
        { tick: 1, source: 'solo', seq: 1, payload: right },
        { tick: 300, source: 'solo', seq: 2, payload: stop },
      ],
      600,
    );
    expect(moved.players[0]!.vx).toBe(0);
    expect(moved.collected).toBe(moved.players[0]!.score);
  });

  it('ignores payloads that are not keys', () => {
    const s = run([{ tick: 1, source: 'x', seq: 1, payload: 99 }], 10);
    expect(s.players).toEqual([]);
  });
});
