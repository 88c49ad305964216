import {
  type App,
  type EventContext,
  isRectangleKey,
  RectangleKeys,
  type TickContext,
} from '@symmetric/core';

/** One player of the arena: a disc steered by its peer's keys. Lengths in 1/16 px. */
export interface ArenaPlayer {
  /** Peer id of the player's peer (the event's `ctx.source`). */
  readonly id: string;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Held direction, each -1..1 (set by the arrow keys, both 0 after `stop`). */
  ax: number;
  ay: number;
  /** Coins collected. */
  score: number;
}

/** A coin on the floor; touching it scores and moves it somewhere else (`ctx.random`). */
export interface ArenaCoin {
  x: number;
  y: number;
}

/** State of the arena: the players (in the order they joined) and the coins. */
export interface ArenaState {
  players: ArenaPlayer[];
  coins: ArenaCoin[];
  /** Coins collected in total (all players). */
  collected: number;
}

/** Fixed-point scale: positions and speeds are integers in 1/16 of a board pixel. */
export const ARENA_SCALE = 16;
/** Board size in pixels. */
export const ARENA_WIDTH = 800;
/** Board size in pixels. */
export const ARENA_HEIGHT = 480;
/** Player disc radius in pixels. */
export const ARENA_PLAYER_RADIUS = 18;
/** Coin radius in pixels. */
export const ARENA_COIN_RADIUS = 9;
/** Coins on the board at any time. */
export const ARENA_COINS = 4;
/** Most players (later joiners are ignored). */
export const ARENA_MAX_PLAYERS = 32;

const W = ARENA_WIDTH * ARENA_SCALE;
const H = ARENA_HEIGHT * ARENA_SCALE;
const R = ARENA_PLAYER_RADIUS * ARENA_SCALE;
const C = ARENA_COIN_RADIUS * ARENA_SCALE;
/** Speed added per tick along the held direction. */
const ACCEL = 6;
/** Largest speed per axis (1/16 px per tick). */
const MAX_SPEED = 96;

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Integer square root (`Math.sqrt` is correctly rounded in IEEE 754, so the same everywhere). */
function isqrt(n: number): number {
  return Math.floor(Math.sqrt(n));
}

function placeCoin(coin: ArenaCoin, random: TickContext['random']): void {
  coin.x = C + random.int(W - 2 * C);
  coin.y = C + random.int(H - 2 * C);
}

function movePlayer(p: ArenaPlayer): void {
  // Accelerate along the held direction, lose 1/16 of the speed to friction, cap the speed.
  p.vx = clamp(p.vx + p.ax * ACCEL, -MAX_SPEED, MAX_SPEED);
  p.vy = clamp(p.vy + p.ay * ACCEL, -MAX_SPEED, MAX_SPEED);
  p.vx -= Math.trunc(p.vx / 16);
  p.vy -= Math.trunc(p.vy / 16);
  if (p.ax === 0 && p.ay === 0 && Math.abs(p.vx) < 4 && Math.abs(p.vy) < 4) {
    p.vx = 0;
    p.vy = 0;
  }
  p.x += p.vx;
  p.y += p.vy;
  // Walls: bounce with half the speed.
  if (p.x < R) {
    p.x = R;
    p.vx = Math.trunc(-p.vx / 2);
  } else if (p.x > W - R) {
    p.x = W - R;
    p.vx = Math.trunc(-p.vx / 2);
  }
  if (p.y < R) {
    p.y = R;
    p.vy = Math.trunc(-p.vy / 2);
  } else if (p.y > H - R) {
    p.y = H - R;
    p.vy = Math.trunc(-p.vy / 2);
  }
}

/** Two overlapping discs push each other apart and swap the speed along the line between them. */
function collide(a: ArenaPlayer, b: ArenaPlayer): void {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const d2 = dx * dx + dy * dy;
  if (d2 >= 4 * R * R) return;
  const d = Math.max(1, isqrt(d2));
  const overlap = 2 * R - d;
  // Unit normal in 1/1024 steps; coincident discs separate along x.
  const nx = d2 === 0 ? 1024 : Math.trunc((dx * 1024) / d);
  const ny = d2 === 0 ? 0 : Math.trunc((dy * 1024) / d);
  const push = Math.ceil(overlap / 2);
  a.x -= Math.trunc((nx * push) / 1024);
  a.y -= Math.trunc((ny * push) / 1024);
  b.x += Math.trunc((nx * push) / 1024);
  b.y += Math.trunc((ny * push) / 1024);
  // Exchange the normal components of the speeds (equal masses, elastic).
  const va = Math.trunc((a.vx * nx + a.vy * ny) / 1024);
  const vb = Math.trunc((b.vx * nx + b.vy * ny) / 1024);
  const dv = vb - va;
  if (dv >= 0) return; // already separating
  a.vx += Math.trunc((dv * nx) / 1024);
  a.vy += Math.trunc((dv * ny) / 1024);
  b.vx -= Math.trunc((dv * nx) / 1024);
  b.vy -= Math.trunc((dv * ny) / 1024);
}

/**
 * A small arena game with deterministic integer physics: every peer that presses a key gets a
 * disc (placed with `ctx.random`); the arrow keys (the rectangle's key payloads, one byte each)
 * set the direction it accelerates in, `stop` lets friction halt it. Discs bounce off the walls
 * and off each other; touching one of the {@link ARENA_COINS} coins scores a point and the coin
 * reappears at a random place. Everything is integer arithmetic on 1/16-pixel units, iterated in
 * join order, so every peer computes the same state bit for bit.
 */
export const arenaApp: App<ArenaState, number> = {
  init(): ArenaState {
    const coins: ArenaCoin[] = [];
    // Fixed starting coins (the seeded PRNG takes over once they are collected).
    for (let i = 0; i < ARENA_COINS; i++) coins.push({ x: ((i * 2 + 1) * W) / (2 * ARENA_COINS), y: H / 2 });
    return { players: [], coins, collected: 0 };
  },
  tick(s: ArenaState, ctx: TickContext): void {
    for (const p of s.players) movePlayer(p);
    for (let i = 0; i < s.players.length; i++) {
      for (let j = i + 1; j < s.players.length; j++) collide(s.players[i]!, s.players[j]!);
    }
    const reach = (R + C) * (R + C);
    for (const p of s.players) {
      for (const coin of s.coins) {
        const dx = coin.x - p.x;
        const dy = coin.y - p.y;
        if (dx * dx + dy * dy < reach) {
          p.score++;
          s.collected++;
          placeCoin(coin, ctx.random);
        }
      }
    }
  },
  event(s: ArenaState, key: number, ctx: EventContext): void {
    if (!isRectangleKey(key)) return;
    let p = s.players.find((q) => q.id === ctx.source);
    if (p === undefined) {
      if (s.players.length >= ARENA_MAX_PLAYERS) return;
      p = {
        id: ctx.source,
        x: R + ctx.random.int(W - 2 * R),
        y: R + ctx.random.int(H - 2 * R),
        vx: 0,
        vy: 0,
        ax: 0,
        ay: 0,
        score: 0,
      };
      s.players.push(p);
    }
    switch (key) {
      case RectangleKeys.left:
        p.ax = -1;
        p.ay = 0;
        break;
      case RectangleKeys.right:
        p.ax = 1;
        p.ay = 0;
        break;
      case RectangleKeys.up:
        p.ax = 0;
        p.ay = -1;
        break;
      case RectangleKeys.down:
        p.ax = 0;
        p.ay = 1;
        break;
      default:
        p.ax = 0;
        p.ay = 0;
        break;
    }
  },
};
