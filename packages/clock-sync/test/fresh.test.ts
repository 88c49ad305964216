import { Clock, type ClockError, type SyncMessage } from '@symmetric/clock-sync';
import { describe, expect, it } from 'vitest';

const FPS = 50;

/** A joiner's clock started at 0; neighbours' SYNCs are scripted (no echo: lower bounds only). */
function joiner(
  links: readonly string[],
  options: Partial<ConstructorParameters<typeof Clock>[0]> = {},
): Clock {
  const me = new Clock({ fps: FPS, ...options });
  me.advance(0);
  for (const l of links) me.syncFor(l, 0);
  return me;
}

/** Deliver a SYNC claiming `tick`; returns the error thrown, if any. */
function say(me: Clock, link: string, tick: number, now: number): unknown {
  const m: SyncMessage = { time: now, tick };
  try {
    me.onSync(link, m, now);
    return undefined;
  } catch (error) {
    return error;
  }
}

const ROOM = 10_000; // the room is 200 s old: beyond the 30 s lie threshold
const LIE = ROOM + 90_000;

describe('a clock not established takes a far lead only when another origin corroborates it', () => {
  it('a liar answering first waits for the other neighbours; they agree, the clock takes their time and the liar is a CLOCK_LIE', () => {
    const me = joiner(['liar', 'h1', 'h2']);
    expect(say(me, 'liar', LIE, 10)).toBeUndefined();
    expect(me.clockTick(10)).toBeLessThan(10); // waiting for h1 and h2
    expect(say(me, 'h1', ROOM, 20)).toBeUndefined();
    expect(say(me, 'h2', ROOM, 30)).toBeUndefined();
    expect(Math.abs(me.clockTick(30) - ROOM)).toBeLessThan(5);
    const error = say(me, 'liar', LIE, 250);
    expect((error as ClockError).code).toBe('CLOCK_LIE');
    expect(me.stats.lies).toBe(1);
    expect(me.clockTick(1000) - ROOM).toBeLessThan(60);
  });

  it('one neighbour behind the liar is enough to refuse its lead; a neighbour ahead of another’s claim corroborates it', () => {
    const me = joiner(['liar', 'h1']);
    say(me, 'liar', LIE, 10);
    say(me, 'h1', ROOM, 20); // h1's claim is corroborated by the liar's larger one: taken, anchored
    expect(Math.abs(me.clockTick(20) - ROOM)).toBeLessThan(5);
    expect((say(me, 'liar', LIE, 260) as ClockError).code).toBe('CLOCK_LIE');
    expect(me.clockTick(2000) - ROOM).toBeLessThan(110);
  });

  it('with the other neighbours silent, the first one heard sets the time after freshWaitMs (an eclipsed joiner)', () => {
    const me = joiner(['n', 'silent']);
    say(me, 'n', ROOM, 10);
    expect(me.clockTick(500)).toBeLessThan(30);
    say(me, 'n', ROOM + 50, 1010);
    expect(me.clockTick(1010)).toBeGreaterThanOrEqual(ROOM + 50);
  });

  it('a neighbour the runtime says does not speak for the room (as new as this clock) neither contradicts nor sets the time', () => {
    const me = joiner(['young', 'room']);
    me.setVoice('young', false);
    say(me, 'young', 3, 10);
    say(me, 'room', ROOM, 20); // the only voice: taken at once
    expect(me.clockTick(20)).toBeGreaterThanOrEqual(ROOM);
    expect(me.stats.lies).toBe(0);
  });

  it('a neighbour not known yet to speak for the room is waited for, then counted once known', () => {
    const me = joiner(['liar', 'h1', 'h2']);
    for (const l of ['liar', 'h1', 'h2']) me.setVoice(l, undefined);
    say(me, 'liar', LIE, 10);
    say(me, 'h1', ROOM, 12);
    say(me, 'h2', ROOM, 14);
    // h1 and h2 back each other (not anchoring yet); the liar's lead waits for them to be known.
    expect(me.clockTick(14)).toBeLessThan(ROOM + 5);
    me.setVoice('h1', true);
    me.setVoice('h2', true);
    say(me, 'h1', ROOM + 12.5, 260);
    // The liar, still not known to speak for the room, is waited for up to freshWaitMs, then
    // contradicted by the two that are.
    expect(say(me, 'liar', LIE + 12.5, 262)).toBeUndefined();
    expect(me.clockTick(262)).toBeLessThan(ROOM + 30);
    expect((say(me, 'liar', LIE + 50, 1012) as ClockError).code).toBe('CLOCK_LIE');
  });

  it('a signed event of another origin corroborates a lone neighbour’s lead once the clock is anchored', () => {
    const me = joiner(['h1', 'h2']);
    say(me, 'h1', ROOM, 10);
    say(me, 'h2', ROOM, 12);
    me.dropLink('h2');
    // h1 alone claims 60 s more: nothing shows it; then an event of another origin does.
    say(me, 'h1', ROOM + 3000, 300);
    expect(me.clockTick(300)).toBeLessThan(ROOM + 100);
    me.witness('other', ROOM + 3000 + 15 - 250, 400);
    say(me, 'h1', ROOM + 3005, 400);
    expect(me.clockTick(400)).toBeGreaterThanOrEqual(ROOM + 3005);
  });

  it('refutes: a far claim (a snapshot’s tick) the other neighbours contradict, without counting it or moving the clock', () => {
    const me = joiner(['liar', 'h1', 'h2']);
    say(me, 'h1', ROOM, 10);
    say(me, 'h2', ROOM, 12);
    expect(me.refutes('liar', LIE, 20)).toBe(true);
    expect(me.refutes('liar', ROOM + 100, 20)).toBe(false);
    expect(me.refutes('h1', ROOM, 20)).toBe(false);
    expect(me.stats.lies).toBe(0);
    expect(me.clockTick(20) - ROOM).toBeLessThan(5);
  });

  it('a voice keeping a timeline signed events of others left behind (new peers that started their own) contradicts nobody', () => {
    const YOUNG = 3000; // a group of new peers that started a timeline of its own 60 s ago
    const me = joiner(['young', 'room']);
    say(me, 'young', YOUNG, 10); // far ahead of this clock: waits for the room's neighbour
    say(me, 'room', ROOM, 20); // contradicted by the young voice behind it: not taken
    say(me, 'young', YOUNG + 1, 30); // corroborated by the room's clock ahead: taken, anchored
    expect(me.clockTick(30)).toBeLessThan(YOUNG + 10);
    // A signed event of a third origin shows the room 5,000 ticks past the young timeline: the
    // young voice is left behind, and the room's last SYNC is weighed again at once.
    me.witness('other', YOUNG + 5000, 40);
    expect(me.clockTick(40)).toBeGreaterThanOrEqual(ROOM);
    expect(say(me, 'room', ROOM + 2, 60)).toBeUndefined();
    expect(say(me, 'young', YOUNG + 2.5, 70)).toBeUndefined();
    expect(me.stats.lies).toBe(0);
  });

  it('a liar’s own signed events leave no honest clock behind: its lead stays a CLOCK_LIE', () => {
    const me = joiner(['liar', 'h1']);
    say(me, 'liar', LIE, 10);
    say(me, 'h1', ROOM, 20);
    me.witness('liar', LIE - 250, 30);
    expect(me.clockTick(30) - ROOM).toBeLessThan(5);
    expect((say(me, 'liar', LIE + 12.5, 260) as ClockError).code).toBe('CLOCK_LIE');
  });

  it('a lone neighbour’s first lead is the joiner’s time (nothing else to go by)', () => {
    const me = joiner(['n']);
    say(me, 'n', LIE, 10);
    expect(me.clockTick(10)).toBeGreaterThanOrEqual(LIE);
    expect(me.established).toBe(false);
  });
});
