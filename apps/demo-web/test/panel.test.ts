import type { PeerOptions } from '@symmetric/peer';
import { describe, expect, it } from 'vitest';
import type { PageConfig } from '../src/config.js';
import { joinLink } from '../src/invite.js';
import { withSendLag } from '../src/lag.js';
import { TimelinePlot } from '../src/plot.js';
import { Roster } from '../src/roster.js';

type Transport = PeerOptions<unknown, unknown>['transports'][number];
type Link = ReturnType<Transport['links']>[number];
type Handler = Parameters<Transport['start']>[0];

function fakeTransport() {
  const sent: { n: number; at: number }[] = [];
  const link: Link = {
    id: 'l1',
    direction: 'outbound',
    remoteAddress: 'ws://hub',
    remotePeerId: undefined,
    open: true,
    send: (frame) => {
      sent.push({ n: frame[0]!, at: performance.now() });
      return true;
    },
    close: () => {},
  };
  let handler: Handler | undefined;
  const transport: Transport = {
    name: 'fake',
    start: async (h) => {
      handler = h;
    },
    dial: async () => link,
    addresses: () => [],
    links: () => [link],
    stop: async () => {},
  };
  return { transport, link, sent, handler: () => handler! };
}

describe('withSendLag', () => {
  it('sends at once without lag, later and in order with lag, and hands the peer one wrapper per link', async () => {
    const fake = fakeTransport();
    const lagged = withSendLag(fake.transport);
    const seen: Link[] = [];
    await lagged.transport.start({
      onLink: (l) => seen.push(l),
      onFrame: (l) => seen.push(l),
      onClose: () => {},
      onError: () => {},
    });
    fake.handler().onLink(fake.link);
    fake.handler().onFrame(fake.link, new Uint8Array([0]));
    const dialled = await lagged.transport.dial('ws://hub');
    expect(seen[0]).toBe(seen[1]);
    expect(dialled).toBe(seen[0]);
    expect(lagged.transport.links()[0]).toBe(dialled);
    expect(dialled.id).toBe('l1');

    const t0 = performance.now();
    dialled.send(new Uint8Array([1]));
    expect(fake.sent.map((s) => s.n)).toEqual([1]);

    lagged.setLagMs(40);
    expect(lagged.lagMs()).toBe(40);
    dialled.send(new Uint8Array([2]));
    lagged.setLagMs(0);
    // Queued behind the lagged frame: order per link is kept.
    dialled.send(new Uint8Array([3]));
    expect(fake.sent.map((s) => s.n)).toEqual([1]);
    await new Promise((r) => setTimeout(r, 80));
    expect(fake.sent.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(fake.sent[1]!.at - t0).toBeGreaterThanOrEqual(35);
  });
});

describe('Roster', () => {
  const presence = (name: string, tick: number, check: { tick: number; hash: string } | null) => ({
    name,
    kind: 'page',
    cursor: null,
    tick,
    check,
  });

  it('lists the hub as direct with its ping, the others via the hub, ticks behind, and the same-state check', () => {
    const roster = new Roster(50);
    const data = new Map<string, unknown>([
      ['hub1', { ...presence('the hub', 500, { tick: 450, hash: 'aa' }), kind: 'hub' }],
      ['p2', presence('Ada', 490, { tick: 450, hash: 'aa' })],
      ['p3', presence('Bob', 480, { tick: 400, hash: 'zz' })],
    ]);
    for (const [id, d] of data) roster.arrived(id, d, 1_000);
    const source = {
      tick: 510,
      presence: () => data,
      neighbours: () => [
        {
          peerId: 'hub1',
          linkId: 'l',
          transport: 'ws',
          direction: 'outbound' as const,
          remoteAddress: 'ws://hub',
          rttMs: 12,
        },
      ],
      stateHashAt: (t: number) => ({ 450: 'aa', 400: 'bb' })[t],
    };
    // 200 ms after the presence arrived: 10 ticks later at 50 fps.
    const entries = roster.entries(source, 1_200);
    expect(entries.map((e) => [e.name, e.kind, e.link, e.pingMs, e.ticksBehind, e.check?.same])).toEqual([
      ['the hub', 'hub', 'direct', 12, 0, true],
      ['Ada', 'page', 'via hub', undefined, 10, true],
      ['Bob', 'page', 'via hub', undefined, 20, false],
    ]);
    expect(Roster.check(entries)).toEqual({ same: 2, differ: 1, compared: 3, tick: 450 });
  });

  it('ignores presence that is not a demo peer’s', () => {
    const roster = new Roster(50);
    roster.arrived('x', { cursor: 'nope' }, 0);
    const entries = roster.entries(
      { tick: 10, presence: () => new Map([['x', 42]]), neighbours: () => [], stateHashAt: () => undefined },
      0,
    );
    expect(entries).toEqual([
      {
        peerId: 'x',
        name: 'x',
        kind: 'unknown',
        link: 'via hub',
        pingMs: undefined,
        ticksBehind: undefined,
        check: undefined,
      },
    ]);
  });
});

describe('TimelinePlot', () => {
  it('keeps the differences of the running totals, newest last, at most its capacity', () => {
    const plot = new TimelinePlot({ getContext: () => null } as unknown as HTMLCanvasElement, 3);
    plot.push({ events: 5, rollbacks: 1, ticksBack: 4 });
    plot.push({ events: 7, rollbacks: 1, ticksBack: 4 });
    plot.push({ events: 7, rollbacks: 3, ticksBack: 10 });
    plot.push({ events: 8, rollbacks: 3, ticksBack: 10 });
    expect(plot.values()).toEqual([
      { events: 2, rollbacks: 0, ticksBack: 0 },
      { events: 0, rollbacks: 2, ticksBack: 6 },
      { events: 1, rollbacks: 0, ticksBack: 0 },
    ]);
  });
});

describe('joinLink', () => {
  const base: PageConfig = {
    app: 'arena',
    transport: 'ws',
    hub: 'ws://10.0.0.2:8080/symmetric/arena',
    hubFromQuery: false,
    room: 'demo',
    fps: 50,
    name: 'Ada',
    lagMs: 100,
    delay: 'auto',
  };
  const location = { origin: 'http://10.0.0.2:8080', pathname: '/' } as Location;

  it('carries the app and the room, the hub only when the page was given one, never the name or the lag', () => {
    expect(joinLink(location, base)).toBe('http://10.0.0.2:8080/?app=arena&room=demo');
    expect(joinLink(location, { ...base, hubFromQuery: true })).toBe(
      'http://10.0.0.2:8080/?app=arena&room=demo&hub=ws%3A%2F%2F10.0.0.2%3A8080%2Fsymmetric%2Farena',
    );
  });
});
