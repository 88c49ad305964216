import {
  ARENA_COIN_RADIUS,
  ARENA_PLAYER_RADIUS,
  ARENA_SCALE,
  type ArenaState,
} from '@symmetric/demo-node/apps';
import { colourOf, drawGrid } from './draw.js';

/**
 * Draws the arena: the grid, the coins, every player's disc in its peer's colour with its name
 * and score (this page's own disc ringed in white), and the scoreboard in the corner.
 */
export function drawArena(
  ctx: CanvasRenderingContext2D,
  state: Readonly<ArenaState>,
  me: string,
  nameOf: (peerId: string) => string,
): void {
  drawGrid(ctx);
  const s = ARENA_SCALE;
  for (const coin of state.coins) {
    ctx.beginPath();
    ctx.arc(coin.x / s, coin.y / s, ARENA_COIN_RADIUS, 0, Math.PI * 2);
    ctx.fillStyle = '#facc15';
    ctx.fill();
    ctx.strokeStyle = '#a16207';
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  ctx.font = '12px ui-monospace, monospace';
  ctx.textAlign = 'center';
  for (const p of state.players) {
    const x = p.x / s;
    const y = p.y / s;
    ctx.beginPath();
    ctx.arc(x, y, ARENA_PLAYER_RADIUS, 0, Math.PI * 2);
    ctx.fillStyle = colourOf(p.id);
    ctx.fill();
    if (p.id === me) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 3;
      ctx.stroke();
    }
    // The held direction as a small arrow head inside the disc.
    if (p.ax !== 0 || p.ay !== 0) {
      ctx.beginPath();
      ctx.moveTo(x + p.ax * 12, y + p.ay * 12);
      ctx.lineTo(x + p.ay * 6 - p.ax * 2, y - p.ax * 6 - p.ay * 2);
      ctx.lineTo(x - p.ay * 6 - p.ax * 2, y + p.ax * 6 - p.ay * 2);
      ctx.closePath();
      ctx.fillStyle = 'rgba(15, 20, 25, 0.7)';
      ctx.fill();
    }
    ctx.fillStyle = '#d6dde6';
    ctx.fillText(`${nameOf(p.id)} · ${p.score}`, x, y - ARENA_PLAYER_RADIUS - 6);
  }
  ctx.textAlign = 'left';
  const ranked = [...state.players].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, 6);
  ctx.fillStyle = 'rgba(15, 20, 25, 0.75)';
  ctx.fillRect(8, 8, 170, 20 + ranked.length * 16);
  ctx.fillStyle = '#8a96a3';
  ctx.fillText(`coins collected: ${state.collected}`, 16, 22);
  for (const [i, p] of ranked.entries()) {
    ctx.fillStyle = colourOf(p.id);
    ctx.fillText(`${String(p.score).padStart(3)}  ${nameOf(p.id)}`, 16, 38 + i * 16);
  }
}
