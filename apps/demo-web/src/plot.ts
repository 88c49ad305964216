/** One sample of the plot: what happened in one interval. */
export interface PlotSample {
  /** New events (own or received) in the interval. */
  readonly events: number;
  /** Rollbacks in the interval. */
  readonly rollbacks: number;
  /** Ticks travelled back in the interval. */
  readonly ticksBack: number;
}

/**
 * A rolling timeline of the last seconds: one column per sample interval, events as blue bars
 * above the axis, rollbacks as orange bars below it (height: ticks travelled back), newest on
 * the right.
 */
export class TimelinePlot {
  private readonly samples: PlotSample[] = [];
  private last: { events: number; rollbacks: number; ticksBack: number } | undefined;

  /**
   * @param canvas where to draw
   * @param capacity samples kept (the plot's width in intervals)
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly capacity = 100,
  ) {}

  /** Adds a sample from the peer's running totals (the difference to the previous totals). */
  push(totals: { readonly events: number; readonly rollbacks: number; readonly ticksBack: number }): void {
    const prev = this.last ?? totals;
    this.samples.push({
      events: Math.max(0, totals.events - prev.events),
      rollbacks: Math.max(0, totals.rollbacks - prev.rollbacks),
      ticksBack: Math.max(0, totals.ticksBack - prev.ticksBack),
    });
    this.last = { ...totals };
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  /** The samples shown, oldest first. */
  values(): readonly PlotSample[] {
    return this.samples;
  }

  /** Draws the plot. */
  draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    const { width, height } = this.canvas;
    const mid = Math.round(height * 0.55);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#141b22';
    ctx.fillRect(0, 0, width, height);
    ctx.strokeStyle = '#2b3440';
    ctx.beginPath();
    ctx.moveTo(0, mid + 0.5);
    ctx.lineTo(width, mid + 0.5);
    ctx.stroke();
    const col = width / this.capacity;
    const offset = this.capacity - this.samples.length;
    for (const [i, s] of this.samples.entries()) {
      const x = (offset + i) * col;
      if (s.events > 0) {
        const h = Math.min(mid - 2, 8 + s.events * 8);
        ctx.fillStyle = '#3b82f6';
        ctx.fillRect(x, mid - h, Math.max(1, col - 1), h);
      }
      if (s.rollbacks > 0) {
        const h = Math.min(height - mid - 2, 4 + s.ticksBack * 2);
        ctx.fillStyle = '#f59e0b';
        ctx.fillRect(x, mid + 1, Math.max(1, col - 1), h);
      }
    }
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillStyle = '#8a96a3';
    ctx.fillText('events', 4, 11);
    ctx.fillText('rollbacks (ticks back)', 4, height - 4);
    ctx.textAlign = 'right';
    ctx.fillText('now', width - 4, 11);
    ctx.textAlign = 'left';
  }
}
