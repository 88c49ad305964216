import type { RectangleState } from '@symmetric/core';

/** A remote peer's cursor, in board coordinates (0..1 on each axis), with its name. */
export interface Cursor {
  readonly peerId: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/** Rectangle size in canvas pixels. */
const RECT_W = 48;
const RECT_H = 32;

/** A stable colour for a peer id: one of 16 well-separated hues and two lightnesses, from a string hash. */
export function colourOf(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  const n = h >>> 0;
  return `hsl(${(n % 16) * 22.5} 80% ${(n >>> 4) % 2 === 0 ? 62 : 72}%)`;
}

/** Short display form of a peer id. */
export function shortId(id: string): string {
  return id.length <= 8 ? id : id.slice(0, 6);
}

/** `a mod m` in `[0, m)`. */
function wrap(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Clears the board and draws its grid. */
export function drawGrid(ctx: CanvasRenderingContext2D): void {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = '#1e2731';
  ctx.lineWidth = 1;
  for (let x = 0; x <= width; x += 40) {
    ctx.beginPath();
    ctx.moveTo(x + 0.5, 0);
    ctx.lineTo(x + 0.5, height);
    ctx.stroke();
  }
  for (let y = 0; y <= height; y += 40) {
    ctx.beginPath();
    ctx.moveTo(0, y + 0.5);
    ctx.lineTo(width, y + 0.5);
    ctx.stroke();
  }
}

/**
 * Draws the rectangle app: the grid and the shared rectangle (its position wraps around the
 * board, as the app's plane is unbounded) with a trail showing its direction.
 */
export function drawRectangle(ctx: CanvasRenderingContext2D, state: Readonly<RectangleState>): void {
  const { width, height } = ctx.canvas;
  drawGrid(ctx);

  // The app's (0, 0) is the board's centre; positions wrap around the edges.
  const cx = wrap(state.x + width / 2, width);
  const cy = wrap(state.y + height / 2, height);
  // Draw at the wrapped position and, near an edge, again on the other side.
  for (const ox of [0, -width, width]) {
    for (const oy of [0, -height, height]) {
      const x = cx + ox - RECT_W / 2;
      const y = cy + oy - RECT_H / 2;
      if (x > width || y > height || x + RECT_W < 0 || y + RECT_H < 0) continue;
      if (state.dx !== 0 || state.dy !== 0) {
        ctx.fillStyle = 'rgba(59, 130, 246, 0.25)';
        ctx.fillRect(x - state.dx * 24, y - state.dy * 24, RECT_W, RECT_H);
      }
      ctx.fillStyle = '#3b82f6';
      ctx.fillRect(x, y, RECT_W, RECT_H);
      ctx.strokeStyle = '#93c5fd';
      ctx.lineWidth = 2;
      ctx.strokeRect(x + 1, y + 1, RECT_W - 2, RECT_H - 2);
    }
  }
}

/** Draws the other peers' cursors (an arrow in the peer's colour and its name). */
export function drawCursors(ctx: CanvasRenderingContext2D, cursors: readonly Cursor[]): void {
  const { width, height } = ctx.canvas;
  ctx.font = '12px ui-monospace, monospace';
  for (const c of cursors) {
    const x = c.x * width;
    const y = c.y * height;
    const colour = colourOf(c.peerId);
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 4, y + 16);
    ctx.lineTo(x + 8, y + 10);
    ctx.lineTo(x + 15, y + 9);
    ctx.closePath();
    ctx.fill();
    ctx.fillText(c.name, x + 12, y + 24);
  }
}
