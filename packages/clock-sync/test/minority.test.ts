import { Clock, ClockError, type SyncMessage } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';

const FPS = 50;
const LATENCY = 10;

/**
 * A clock `me` between two honest clocks `h1`, `h2` (SYNCs both ways every 250 ms, 10 ms each
 * way) and a liar whose SYNCs are scripted. Virtual time in ms.
 */
class Room {
  readonly me: Clock;
  readonly honest = new Map<string, Clock>();
  now = 0;
  private queue: { at: number; run: () => void }[] = [];
  private lastLiarEcho: number | undefined;

  constructor(options: Partial<ConstructorParameters<typeof Clock>[0]> = {}) {
    this.me = new Clock({ fps: FPS, ...options });
    for (const id of ['h1', 'h2']) this.honest.set(id, new Clock({ fps: FPS }));
  }

  /** Run until `until` ms: every clock advances every 5 ms, SYNCs flow every 250 ms. */
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
      }
      const due = this.queue.filter((q) => q.at <= t);
      this.queue = this.queue.filter((q) => q.at > t);
      for (const q of due) q.run();
    }
  }

  /** The liar's SYNC claiming `tick`, delivered now (with a plausible echo once it has one). */
  lie(tick: number): unknown {
    const t = this.now;
    this.lastLiarEcho ??= this.me.syncFor('liar', t).time;
    const m: SyncMessage = { time: t, tick, echo: { time: this.lastLiarEcho, holdMs: 0 } };
    try {
      this.me.onSync('liar', m, t);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      this.lastLiarEcho = this.me.syncFor('liar', t).time;
    }
  }

  private at(at: number, run: () => void): void {
    this.queue.push({ at, run });
  }
}

describe('a minority lying about time cannot steer an established clock', () => {
  it('a SYNC 90,000 ticks ahead is a CLOCK_LIE: counted, nothing adopted', () => {
    const r = new Room();
    r.run(25_000);
    expect(r.me.established).toBe(true);
    const before = r.me.clockTick(r.now);
    const error = r.lie(before + 90_000);
    expect(error).toBeInstanceOf(ClockError);
    expect((error as ClockError).code).toBe('CLOCK_LIE');
    expect(r.me.stats.lies).toBe(1);
    r.run(27_000);
    expect(r.me.clockTick(r.now) - before).toBeLessThan(110);
  });

  it('a clock that may not be established (its runtime has not met the room) never is; a far lead its neighbours contradict is still a CLOCK_LIE', () => {
    const r = new Room();
    r.me.setEstablishable(false);
    r.run(25_000);
    expect(r.me.established).toBe(false);
    const before = r.me.clockTick(r.now);
    const error = r.lie(before + 90_000);
    expect((error as ClockError).code).toBe('CLOCK_LIE');
    expect(r.me.stats.lies).toBe(1);
    r.run(27_000);
    expect(r.me.clockTick(r.now) - before).toBeLessThan(110);
  });

  it('an established clock told it may not be established any more stops being so', () => {
    const r = new Room();
    r.run(25_000);
    expect(r.me.established).toBe(true);
    r.me.setEstablishable(false);
    expect(r.me.established).toBe(false);
    r.me.setEstablishable(true);
    r.run(50_000);
    expect(r.me.established).toBe(true);
  });

  it('a liar 5 s ahead (under the lie threshold) is not followed; the honest clocks still agree', () => {
    const r = new Room();
    r.run(25_000);
    const start = r.me.clockTick(r.now);
    for (let i = 0; i < 40; i++) {
      r.lie(r.me.clockTick(r.now) + 250);
      r.run(r.now + 250);
    }
    // 10 s at 50 ticks/s; nobody corroborates the lead, so the clock keeps the room's time.
    expect(r.me.clockTick(r.now) - start).toBeLessThan(515);
    expect(r.me.stats.uncorroborated).toBeGreaterThan(0);
    const h1 = r.honest.get('h1')!.clockTick(r.now);
    expect(Math.abs(r.me.clockTick(r.now) - h1)).toBeLessThan(2);
  });

  it('a liar always 0.9 s ahead moves the clock by at most its budget plus slewing, not 0.9 s a round', () => {
    const r = new Room();
    r.run(25_000);
    const start = r.me.clockTick(r.now);
    for (let i = 0; i < 120; i++) {
      r.lie(r.me.clockTick(r.now) + 45);
      r.run(r.now + 250);
    }
    // 30 s: 1,500 ticks nominal; the budget (50 ticks, +25 in 30 s) and 5 % slewing (75 ticks) bound the rest.
    expect(r.me.clockTick(r.now) - start).toBeLessThan(1500 + 50 + 25 + 75 + 5);
  });

  it('a lead corroborated by a witnessed event tick of another origin is followed at once', () => {
    const r = new Room();
    r.run(25_000);
    const ahead = r.me.clockTick(r.now) + 1000;
    // The event reaches every clock (flooding), like the SYNCs.
    for (const c of [r.me, ...r.honest.values()]) c.witness('someone-else', ahead, r.now);
    r.lie(ahead);
    r.lie(ahead + 12.5);
    r.run(r.now + 2000);
    expect(r.me.clockTick(r.now)).toBeGreaterThan(ahead);
    for (const c of [r.me, ...r.honest.values()]) expect(c.stats.lies).toBe(0);
    expect(r.honest.get('h1')!.clockTick(r.now)).toBeGreaterThan(ahead);
  });

  it('a joining clock (not yet established) still adopts one neighbour’s time at once', () => {
    const me = new Clock({ fps: FPS });
    me.advance(0);
    me.onSync('n', { time: 0, tick: 90_000 }, 10);
    expect(me.established).toBe(false);
    expect(me.clockTick(10)).toBeGreaterThanOrEqual(90_000);
  });

  it('a SYNC tick beyond 2^48 is malformed', () => {
    const me = new Clock({ fps: FPS });
    me.advance(0);
    const untouched = new Clock({ fps: FPS });
    untouched.advance(0);
    expect(() => me.onSync('n', { time: 0, tick: 2 ** 53 - 2 }, 10)).toThrow(/2\^48/);
    expect(me.clockTick(10)).toBe(untouched.clockTick(10)); // unmoved
  });
});

describe('corroboration by other neighbours', () => {
  it('a neighbour whose lead was refused still counts as heard: a liar beside it is no only neighbour', () => {
    const r = new Room();
    r.run(25_000);
    expect(r.me.established).toBe(true);
    // h1 runs 3 s ahead: nobody corroborates it and the budget does not cover it, so it is
    // suspect (it corroborates nobody); then h2 leaves.
    const h1 = r.honest.get('h1')!;
    h1.adopt(h1.clockTick(r.now) + 150, r.now);
    r.run(27_000);
    expect(r.me.stats.uncorroborated).toBeGreaterThan(0);
    r.honest.delete('h2');
    r.run(r.now + 50); // its SYNCs in flight arrive
    r.me.dropLink('h2');
    r.run(28_000);
    const before = r.me.clockTick(r.now);
    const error = r.lie(before + 90_000);
    expect(error).toBeInstanceOf(ClockError);
    expect((error as ClockError).code).toBe('CLOCK_LIE');
    r.run(30_000);
    // 2 s at 50 ticks/s, plus at most the budget and slewing toward h1: never the liar's 90,000.
    expect(r.me.clockTick(r.now) - before).toBeLessThan(300);
  });

  it('a link that opens with a lead, left as the only neighbour, does not set an established clock’s time', () => {
    const r = new Room();
    r.run(25_000);
    expect(r.me.established).toBe(true);
    // Every honest neighbour leaves (their SYNCs in flight arrive first); the liar stays alone.
    const gone = [...r.honest.keys()];
    r.honest.clear();
    r.run(r.now + 50);
    for (const id of gone) r.me.dropLink(id);
    const before = r.me.clockTick(r.now);
    for (let i = 0; i < 8; i++) {
      expect(r.lie(r.me.clockTick(r.now) + 250)).toBeUndefined(); // under the lie threshold
      r.run(r.now + 250);
    }
    // 2 s at 50 ticks/s, plus at most the budget and slewing: not the liar's 250-tick lead.
    expect(r.me.clockTick(r.now) - before).toBeLessThan(100 + 50 + 10);
    expect(r.me.stats.uncorroborated).toBeGreaterThan(0);
    const error = r.lie(r.me.clockTick(r.now) + 90_000);
    expect((error as ClockError).code).toBe('CLOCK_LIE');
  });

  /** `me` established with its one neighbour, which jumps 100 s ahead at 3 s (it met another group). */
  function soleNeighbourJumps(evidence: boolean): Clock {
    const me = new Clock({ fps: FPS, establishAfterMs: 0 });
    const n = new Clock({ fps: FPS });
    me.advance(0);
    n.advance(0);
    for (let t = 0; t <= 6000; t += 250) {
      if (t === 3000) n.fastForward(5000, t);
      // The other group's events, relayed by the neighbour: stamped 0.3 s ahead, lowered by 5 s.
      if (evidence && t >= 3000) me.witness('other-group', n.clockTick(t) + 15 - 250, t + 10);
      me.advance(t);
      n.advance(t);
      me.onSync('n', n.syncFor('me', t), t + 10);
      n.onSync('me', me.syncFor('n', t + 10), t + 20);
      if (t === 2750) expect(me.established).toBe(true);
    }
    return me;
  }

  it('the only neighbour heard is followed as far as signed events of other origins show: it is the clock’s whole view', () => {
    const me = soleNeighbourJumps(true);
    expect(me.clockTick(6020)).toBeGreaterThan(5000);
    expect(me.stats.lies).toBe(0);
  });

  it('the only neighbour heard, once it kept the clock’s time, moves it no further than the budget without such evidence', () => {
    const me = soleNeighbourJumps(false);
    // 6 s at 50 ticks/s, plus at most the budget (50 ticks) and slewing: not 100 s.
    expect(me.clockTick(6020)).toBeLessThan(301 + 50 + 15);
    expect(me.stats.uncorroborated).toBeGreaterThan(0);
    expect(me.stats.lies).toBe(0);
  });
});
