import { IdRegistry, type WireEvent } from '@symmetric/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PeerContext } from '../src/context.js';
import { printOrder } from '../src/history-rank.js';
import { KnownEvents } from '../src/known.js';
import type { LinkEntry, LinkTable } from '../src/links.js';
import { PrintExchange } from '../src/print-exchange.js';
import { QuotaGuard } from '../src/quota-guard.js';
import { RateLimit, resolveQuotas } from '../src/quotas.js';
import { newRemoteFrontier, type RemoteFrontier } from '../src/remote-frontier.js';
import { HoldsTable, SourceSeqs } from '../src/source-seqs.js';

type Print = { tick: number; count: number; digest: number };
const p = (tick: number, count: number, digest = count * 7): Print => ({ tick, count, digest });

/** A neighbour whose frontier arrived with `prints`. */
const remote = (prints: readonly Print[]): RemoteFrontier => ({
  ...newRemoteFrontier(new IdRegistry()),
  prints,
  received: true,
});

describe("PrintExchange.order: kept until either side's prints change", () => {
  it('equals the order recomputed after every change of our prints made in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('push'), fc.constant('shift'), fc.constant('readopt')), {
          maxLength: 40,
          size: 'max',
        }),
        fc.nat(3),
        (changes, skew) => {
          const mine: Print[] = [p(10, 1), p(20, 2), p(30, 3)];
          const x = new PrintExchange(() => mine);
          // Theirs: equal to ours at first, then another history from mark 40 on.
          const theirs = [p(10, 1), p(20, 2), p(30, 3), p(40, 4 + skew), p(50, 5 + skew)];
          const r = remote(theirs);
          let next = 40;
          for (const c of changes) {
            if (c === 'push') {
              mine.push(p(next, next / 10));
              next += 10;
            } else if (c === 'shift' && mine.length > 1) mine.shift();
            else if (c === 'readopt') {
              // An adopted snapshot's prints: the same marks, other digests, in the same array.
              const marks = mine.map((q) => q.tick);
              mine.length = 0;
              for (const t of marks) mine.push(p(t, t / 10, t));
            }
            expect(x.order(r)).toBe(printOrder(mine, r.prints));
            expect(x.order(r)).toBe(printOrder(mine, r.prints));
          }
        },
      ),
    );
  });

  it('notices prints replaced at the same marks (the same first and last ticks)', () => {
    const mine: Print[] = [p(10, 1), p(20, 2), p(30, 3)];
    const x = new PrintExchange(() => mine);
    const r = remote([p(10, 1), p(20, 2), p(30, 3)]);
    expect(x.order(r)).toBe('equal');
    mine[0] = p(10, 1);
    mine[2] = p(30, 3, 99);
    mine[1] = p(20, 2, 98);
    expect(x.order(r)).toBe(printOrder(mine, r.prints));
    expect(x.order(r)).not.toBe('equal');
  });
});

describe('SourceSeqs: the slot-taking writes', () => {
  it('setAt and advance act as set and the Map rule on every slot, looked up or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ source: fc.nat(8), seq: fc.nat(6), kind: fc.nat(3) }), {
          maxLength: 80,
          size: 'max',
        }),
        (ops) => {
          const slots = new IdRegistry();
          const other = new SourceSeqs(slots); // holds some sources: their slots exist already
          const seqs = new SourceSeqs(slots);
          const model = new Map<string, number>();
          for (const o of ops) {
            const source = `s${o.source}`;
            const slot = slots.slotOf(source);
            if (o.kind === 0) {
              other.set(source, o.seq);
            } else if (o.kind === 1) {
              seqs.setAt(slot, source, o.seq);
              model.set(source, o.seq);
            } else if (o.kind === 2) {
              const advanced = seqs.advance(slot, source, o.seq);
              const next = o.seq === (model.get(source) ?? 0) + 1;
              expect(advanced).toBe(next);
              if (next) model.set(source, o.seq);
            } else {
              expect(seqs.delete(source)).toBe(model.delete(source));
            }
            expect([...seqs]).toEqual([...model]);
            for (let s = 0; s <= 8; s++) {
              const id = `s${s}`;
              expect(seqs.get(id)).toBe(model.get(id));
              expect(seqs.has(id)).toBe(model.has(id));
              expect(seqs.seqAt(slots.slotOf(id))).toBe(model.get(id) ?? 0);
            }
          }
        },
      ),
    );
  });

  it('a seq of 0 is held (not read as none), and widens past 16 and 32 bits', () => {
    const seqs = new SourceSeqs(new IdRegistry());
    seqs.set('a', 0);
    expect(seqs.has('a')).toBe(true);
    expect(seqs.get('a')).toBe(0);
    seqs.set('b', 0xfffe);
    expect(seqs.get('b')).toBe(0xfffe);
    seqs.set('b', 0xffff);
    expect(seqs.get('b')).toBe(0xffff);
    expect(seqs.get('a')).toBe(0);
    seqs.set('b', 2 ** 32 - 1);
    expect(seqs.get('b')).toBe(2 ** 32 - 1);
    expect(seqs.get('a')).toBe(0);
    expect(() => seqs.set('c', -1)).toThrow(RangeError);
  });
});

describe('KnownEvents.addAt', () => {
  it('records as add does, whichever slot the caller looked up', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ source: fc.nat(5), seq: fc.integer({ min: 1, max: 8 }), forget: fc.boolean() }),
          {
            maxLength: 60,
            size: 'max',
          },
        ),
        (ops) => {
          const a = new KnownEvents();
          const b = new KnownEvents();
          let now = 0;
          for (const o of ops) {
            const source = `s${o.source}`;
            now += 10;
            if (o.forget && o.seq > 6) {
              a.forget(source, a.max(source), now);
              b.forget(source, b.max(source), now);
              continue;
            }
            expect(b.addAt(b.registry.slotOf(source), source, o.seq, now)).toBe(a.add(source, o.seq, now));
            expect([...b.ids()]).toEqual([...a.ids()]);
            for (let s = 0; s <= 5; s++) {
              const id = `s${s}`;
              expect(b.ranges(id)).toEqual(a.ranges(id));
              expect(b.knows(id)).toBe(a.knows(id));
            }
          }
          // The sweep reads the times recorded.
          a.sweep(now - 50, () => false, now);
          b.sweep(now - 50, () => false, now);
          expect([...b.ids()]).toEqual([...a.ids()]);
        },
      ),
    );
  });
});

describe('QuotaGuard: the event and byte rates', () => {
  it('refuses exactly where a RateLimit of the same rate refuses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.nat(400), n: fc.integer({ min: 1, max: 60 }), bytes: fc.boolean() }), {
          maxLength: 60,
          size: 'max',
        }),
        (frames) => {
          const quotas = resolveQuotas({ eventsPerSecondPerLink: 20, bytesPerSecondPerLink: 300 });
          const stats = { quotaViolations: 0 };
          let closed = 0;
          const eventIds = new KnownEvents();
          eventIds.add('known', 1, 0); // (no new sources: only the rate counts)
          const ctx = {
            options: { quotas },
            eventIds,
            stats,
          } as unknown as PeerContext<unknown, unknown>;
          const links = {
            linkError: () => {
              closed++;
            },
          } as unknown as LinkTable<unknown>;
          const guard = new QuotaGuard(ctx, links);
          const link = {
            key: 'l',
            peerId: 'n',
            openedAt: 0,
            quotaUse: undefined,
            eventsLevel: 0,
            eventsAt: Number.NaN,
            bytesLevel: 0,
            bytesAt: Number.NaN,
            lastHeard: 0,
          } as unknown as LinkEntry<unknown>;
          const eventRate = new RateLimit(quotas.eventsPerSecondPerLink);
          const byteRate = new RateLimit(quotas.bytesPerSecondPerLink);
          const events: WireEvent<unknown>[] = [];
          let now = 0;
          let refusals = 0;
          for (const f of frames) {
            now += f.dt;
            if (f.bytes) {
              const ok = byteRate.take(f.n * 10, now);
              expect(guard.bytes(link, f.n * 10, now)).toBe(ok);
              if (!ok) refusals++;
            } else {
              events.length = 0;
              for (let i = 0; i < f.n; i++) events.push({ source: 'known', seq: 1, tick: 0, payload: 0 });
              const ok = eventRate.take(f.n, now);
              expect(guard.events(link, events, now)).toBe(ok);
              if (!ok) refusals++;
            }
          }
          expect(stats.quotaViolations).toBe(refusals);
          expect(closed).toBe(refusals);
        },
      ),
    );
  });
});

describe('HoldsTable: the links of a peer in one table', () => {
  it('every link keeps its own seqs as a Map would, across new columns, growth, widening and closed links', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            link: fc.nat(6),
            source: fc.nat(40),
            seq: fc.oneof(fc.nat(6), fc.constant(0xfffe), fc.constant(0xffff), fc.constant(2 ** 32 + 5)),
            kind: fc.nat(9),
          }),
          { maxLength: 120, size: 'max' },
        ),
        (ops) => {
          const slots = new IdRegistry();
          const table = new HoldsTable(2);
          const links: (SourceSeqs | undefined)[] = [];
          const models: Map<string, number>[] = [];
          for (const o of ops) {
            const source = `s${o.source}`;
            let seqs = links[o.link];
            if (seqs === undefined) {
              seqs = links[o.link] = new SourceSeqs(slots, table);
              models[o.link] = new Map();
            }
            const model = models[o.link]!;
            if (o.kind <= 4) {
              seqs.set(source, o.seq);
              model.set(source, o.seq);
            } else if (o.kind <= 6) {
              const advanced = seqs.advance(slots.slotOf(source), source, o.seq);
              const next = o.seq === (model.get(source) ?? 0) + 1;
              expect(advanced).toBe(next);
              if (next) model.set(source, o.seq);
            } else if (o.kind <= 8) {
              expect(seqs.delete(source)).toBe(model.delete(source));
            } else {
              // The link closes: its column goes back to the table; the next link takes it.
              seqs.dispose();
              expect(seqs.size).toBe(0);
              links[o.link] = undefined;
            }
            for (let l = 0; l < links.length; l++) {
              const other = links[l];
              if (other === undefined) continue;
              expect([...other]).toEqual([...models[l]!]);
            }
          }
          // Every slot a link held is given back once no link holds it.
          for (const seqs of links) seqs?.dispose();
          expect(slots.size).toBe(0);
        },
      ),
    );
  });
});
