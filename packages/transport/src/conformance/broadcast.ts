/**
 * The room broadcast tier, for transports that offer {@link Transport.broadcast}: what
 * `publish` and `onMessage` promise (best effort, never to the publisher, listeners that
 * survive a restart, `false` when not running, `FRAME_TOO_LARGE` above the limit).
 */
import { describe, expect, it } from 'vitest';
import type { Link, RoomBroadcast, Transport, TransportError } from '../transport.js';
import { isTransportError } from '../transport.js';
import { POLL_MS } from './clock.js';
import type { Member, SuiteContext } from './context.js';
import { checkFrame, makeFrame, tagOf, thrownBy } from './frames.js';

/** One message as a listener heard it. */
interface Heard {
  readonly message: Uint8Array;
  readonly from: string | undefined;
}

/** Size of the messages the tier publishes. */
const MESSAGE_BYTES = 48;

function channelOf(t: Transport, label: string): RoomBroadcast {
  const channel = t.broadcast;
  if (channel === undefined) {
    throw new Error(`${label}: the harness declares broadcast: true, but transport.broadcast is undefined`);
  }
  return channel;
}

/** Registers the room broadcast tier (inside the suite's `describe`). */
export function registerBroadcastTier(ctx: SuiteContext): void {
  /** Members linked pairwise; `links[i][j]` is member `i`'s link to member `j`. */
  async function mesh(count: number): Promise<{ members: Member[]; links: Link[][] }> {
    const members: Member[] = [];
    for (let i = 0; i < count; i++) members.push(await ctx.started(`member${i}`));
    const links: Link[][] = members.map(() => []);
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const [out, inbound] = await ctx.connect(members[i]!, members[j]!);
        links[i]![j] = out;
        links[j]![i] = inbound;
      }
    }
    return { members, links };
  }

  /** Every message `channel`'s listeners hear, from now on. */
  function listen(channel: RoomBroadcast): { heard: Heard[]; stop: () => void } {
    const heard: Heard[] = [];
    const stop = channel.onMessage((message, from) => {
      heard.push({ message, from });
    });
    return { heard, stop };
  }

  /**
   * Publishes fresh messages tagged `tag` on `channel` (one every 100 ms) until `done()`; the
   * channel is best effort, so one message may be lost.
   */
  async function publishUntil(
    channel: RoomBroadcast,
    tag: number,
    done: () => boolean,
    what: string,
  ): Promise<number> {
    const deadline = ctx.clock.now() + ctx.timeout;
    let sent = 0;
    while (!done()) {
      if (ctx.clock.now() > deadline)
        throw new Error(`timed out after ${ctx.timeout} ms waiting for ${what}`);
      expect(channel.publish(makeFrame(tag, sent, MESSAGE_BYTES))).toBe(true);
      sent++;
      for (let waited = 0; waited < 100 && !done(); waited += POLL_MS) await ctx.sleep(POLL_MS);
    }
    return sent;
  }

  describe('room broadcast', () => {
    it(
      'is offered with a positive maxMessageBytes; publish returns false (never throws) before start and after stop',
      async () => {
        const t = await ctx.fresh();
        const channel = channelOf(t, 'fresh transport');
        expect(Number.isInteger(channel.maxMessageBytes)).toBe(true);
        expect(channel.maxMessageBytes).toBeGreaterThanOrEqual(MESSAGE_BYTES);
        expect(channel.publish(makeFrame(1, 0, MESSAGE_BYTES))).toBe(false);

        const rec = ctx.recorder('A');
        await ctx.within(t.start(rec), ctx.timeout, 'start()');
        expect(channel.publish(makeFrame(1, 1, MESSAGE_BYTES))).toBe(true);
        await ctx.within(t.stop(), ctx.timeout, 'stop()');
        expect(thrownBy(() => channel.publish(makeFrame(1, 2, MESSAGE_BYTES)))).toBeUndefined();
        expect(channel.publish(makeFrame(1, 3, MESSAGE_BYTES))).toBe(false);
      },
      ctx.testTimeout,
    );

    it(
      'a published message reaches every other member intact and never the publisher; `from` names the publisher when given',
      async () => {
        const { members, links } = await mesh(3);
        const channels = members.map((m) => channelOf(m.t, m.rec.label));
        const ears = channels.map((c) => listen(c));
        const heardFrom = (receiver: number, tag: number): Heard[] =>
          ears[receiver]!.heard.filter((h) => tagOf(h.message) === tag);

        for (let p = 0; p < members.length; p++) {
          const others = members.map((_, r) => r).filter((r) => r !== p);
          await publishUntil(
            channels[p]!,
            p,
            () => others.every((r) => heardFrom(r, p).length > 0),
            `member${p}'s message at every other member`,
          );
        }
        await ctx.sleep(100); // copies still on their way must not reach a publisher either

        for (let r = 0; r < members.length; r++) {
          expect(heardFrom(r, r)).toEqual([]); // never delivered to the publisher
          const senders = new Map<number, string | undefined>();
          for (const { message, from } of ears[r]!.heard) {
            const tag = tagOf(message)!;
            const index = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0);
            expect(message).toBeInstanceOf(Uint8Array);
            expect(checkFrame(message, tag, index, MESSAGE_BYTES)).toBeUndefined();
            expect(from === undefined || typeof from === 'string').toBe(true);
            const authenticated = links[r]![tag]?.remotePeerId;
            if (from !== undefined && authenticated !== undefined) expect(from).toBe(authenticated);
            if (senders.has(tag)) expect(from).toBe(senders.get(tag)); // one publisher, one name
            senders.set(tag, from);
          }
          const names = [...senders.values()].filter((n) => n !== undefined);
          expect(new Set(names).size).toBe(names.length); // two publishers, two names
        }
        for (const ear of ears) ear.stop();
      },
      ctx.testTimeout,
    );

    it(
      'listeners survive stop and start; an unsubscribed listener hears nothing more',
      async () => {
        const a = await ctx.started('A');
        const b = await ctx.started('B');
        await ctx.connect(b, a);
        const channelA = channelOf(a.t, 'A');
        const channelB = channelOf(b.t, 'B');
        const kept = listen(channelA);
        const dropped = listen(channelA);
        await publishUntil(channelB, 7, () => kept.heard.length > 0, "B's message before the restart");
        dropped.stop();
        const droppedBefore = dropped.heard.length;
        expect(droppedBefore).toBeGreaterThan(0);

        await ctx.within(a.t.stop(), ctx.timeout, 'stop()');
        expect(channelA.publish(makeFrame(9, 0, MESSAGE_BYTES))).toBe(false);
        const keptBefore = kept.heard.length;
        const rec = ctx.recorder('A restarted');
        await ctx.within(a.t.start(rec), ctx.timeout, 'start() after stop()');
        const address = a.t.addresses()[0];
        if (address === undefined) throw new Error('A: addresses() is empty after the restart');
        await ctx.connect(b, { t: a.t, rec, address });
        expect(channelOf(a.t, 'A restarted')).toBe(channelA);

        await publishUntil(
          channelB,
          8,
          () => kept.heard.some((h) => tagOf(h.message) === 8),
          "B's message after A's restart",
        );
        expect(kept.heard.length).toBeGreaterThan(keptBefore);
        expect(dropped.heard).toHaveLength(droppedBefore);
        kept.stop();
      },
      ctx.testTimeout,
    );

    it(
      'publish throws FRAME_TOO_LARGE above maxMessageBytes, accepts a message of exactly that size, and keeps working',
      async () => {
        const { members } = await mesh(2);
        const [a, b] = members as [Member, Member];
        const channelA = channelOf(a.t, 'A');
        const earB = listen(channelOf(b.t, 'B'));
        const max = channelA.maxMessageBytes;

        const threw = thrownBy(() => channelA.publish(new Uint8Array(max + 1)));
        expect(isTransportError(threw)).toBe(true);
        expect((threw as TransportError).code).toBe('FRAME_TOO_LARGE');
        expect(channelA.publish(new Uint8Array(max))).toBe(true);
        await publishUntil(
          channelA,
          5,
          () => earB.heard.some((h) => tagOf(h.message) === 5 && h.message.length === MESSAGE_BYTES),
          "A's message after the oversized one",
        );
        expect(earB.heard.every((h) => h.message.length <= max)).toBe(true);
        earB.stop();
      },
      ctx.testTimeout,
    );
  });
}
