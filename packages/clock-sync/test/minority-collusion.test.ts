import { Clock, type SyncMessage } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';

const FPS = 50;
const LATENCY = 10;

/**
 * A clock `me` with honest neighbours (real clocks, SYNCs both ways every 250 ms, 10 ms each
 * way) and colluders that speak SYNC like honest clocks (the honest time) until told to lie.
 * Virtual time in ms; the honest clocks run at the nominal rate from tick 0.
 */
class Room {
  readonly me = new Clock({ fps: FPS });
  readonly honest = new Map<string, Clock>();
  /** Colluder → the lead (ticks) its SYNCs claim over the honest time. */
  readonly colluders = new Map<string, number>();
  /** Colluder → the lead (ticks) of the signed event ticks it hands `me` (none when absent). */
  readonly stamps = new Map<string, number>();
  now = 0;
  private queue: { at: number; run: () => void }[] = [];
  private readonly echoes = new Map<string, number>();

  constructor(honest: number, colluders: readonly string[]) {
    for (let i = 0; i < honest; i++) this.honest.set(`h${i + 1}`, new Clock({ fps: FPS }));
    for (const id of colluders) this.colluders.set(id, 0);
  }

  /** Where an undragged clock stands now. */
  honestTick(): number {
    return 0.5 + (this.now * FPS) / 1000;
  }

  run(until: number): void {
    for (; this.now <= until; this.now += 5) {
      const t = this.now;
      this.me.advance(t);
      for (const c of this.honest.values()) c.advance(t);
      if (t % 250 === 0) {
        for (const [id, c] of this.honest) {
          const toMe = c.syncFor('me', t);
          const toThem = this.me.syncFor(id, t);
          this.at(t + LATENCY, () => this.me.onSync(id, toMe, t + LATENCY));
          this.at(t + LATENCY, () => c.onSync('me', toThem, t + LATENCY));
        }
        for (const [id, lead] of this.colluders) {
          const last = this.echoes.get(id);
          this.echoes.set(id, this.me.syncFor(id, t).time);
          const m: SyncMessage = {
            time: t,
            tick: this.honestTick() + (LATENCY * FPS) / 1000 + lead,
            ...(last !== undefined ? { echo: { time: last, holdMs: 0 } } : {}),
          };
          const stamp = this.stamps.get(id);
          this.at(t + LATENCY, () => {
            if (stamp !== undefined) this.me.witness(id, this.honestTick() + stamp, t + LATENCY);
            try {
              this.me.onSync(id, m, t + LATENCY);
            } catch {
              // A CLOCK_LIE: the runtime closes that link; here it just keeps lying.
            }
          });
        }
      }
      const due = this.queue.filter((q) => q.at <= t);
      this.queue = this.queue.filter((q) => q.at > t);
      for (const q of due) q.run();
    }
  }

  private at(at: number, run: () => void): void {
    this.queue.push({ at, run });
  }
}

describe('colluding neighbours corroborate a lead only as a majority of the neighbours heard', () => {
  it('2 colluders among 5 neighbours (one claims 10 s ahead, the other signs events 10 s ahead): the clock moves at most the budget beyond nominal', () => {
    const r = new Room(3, ['c1', 'c2']);
    r.run(25_000);
    expect(r.me.established).toBe(true);
    const start = r.me.clockTick(r.now);
    r.colluders.set('c1', 500);
    r.stamps.set('c2', 500);
    r.run(85_000);
    // 60 s nominal is 3,000 ticks; the budget (50 ticks, +50 a minute) and steering bound the rest.
    expect(r.me.clockTick(r.now) - start - 3000).toBeLessThan(50 + 50 + 5);
    expect(Math.abs(r.me.clockTick(r.now) - r.honestTick())).toBeLessThan(105);
    expect(r.me.stats.uncorroborated).toBeGreaterThan(0);
    // The honest clocks, which follow `me`, are not dragged either.
    for (const h of r.honest.values()) expect(h.clockTick(r.now) - r.honestTick()).toBeLessThan(105);
  });

  it('3 colluders among 5 (one claims, two sign events ahead) are a majority: the lead is followed (the bound is tight)', () => {
    const r = new Room(2, ['c1', 'c2', 'c3']);
    r.run(25_000);
    expect(r.me.established).toBe(true);
    r.colluders.set('c1', 500);
    r.stamps.set('c2', 500);
    r.stamps.set('c3', 500);
    r.run(30_000);
    expect(r.me.clockTick(r.now) - r.honestTick()).toBeGreaterThan(400);
  });
});
