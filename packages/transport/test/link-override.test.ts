import { type Link, type TransportHandler, withLinkOverrides } from '@symmetric/transport';
import { describe, expect, it } from 'vitest';

/** A link that records what it sent and whether it was closed. */
function fakeLink(id: string): Link & { sent: number[]; closedWith: string | undefined } {
  const link = {
    id,
    direction: 'outbound' as const,
    remoteAddress: `addr-${id}`,
    remotePeerId: `peer-${id}`,
    open: true,
    sent: [] as number[],
    closedWith: undefined as string | undefined,
    send(frame: Uint8Array): boolean {
      link.sent.push(frame[0]!);
      return true;
    },
    close(reason?: string): void {
      link.open = false;
      link.closedWith = reason;
    },
  };
  return link;
}

describe('withLinkOverrides', () => {
  it('wraps each inner link once, replaces only what the override gives, forwards the rest', async () => {
    const a = fakeLink('a');
    let handler: TransportHandler | undefined;
    const inner = {
      name: 'fake',
      start: async (h: TransportHandler) => {
        handler = h;
      },
      dial: async () => a,
      addresses: () => ['here'],
      links: () => [a],
      stop: async () => {},
    };
    let overrides = 0;
    const t = withLinkOverrides(inner, (link) => {
      overrides++;
      return { send: (frame) => link.send(new Uint8Array([frame[0]! * 10])) };
    });
    const seen: Link[] = [];
    await t.start({
      onLink: (l) => seen.push(l),
      onFrame: (l) => seen.push(l),
      onClose: (l) => seen.push(l),
      onError: () => {},
    });
    handler!.onLink(a);
    handler!.onFrame(a, new Uint8Array([1]));
    const dialled = await t.dial('there');
    expect(seen[0]).toBe(seen[1]);
    expect(dialled).toBe(seen[0]);
    expect(t.links()).toEqual([dialled]);
    expect(overrides).toBe(1);
    expect(dialled).not.toBe(a);
    expect([dialled.id, dialled.direction, dialled.remoteAddress, dialled.remotePeerId]).toEqual([
      'a',
      'outbound',
      'addr-a',
      'peer-a',
    ]);
    expect(dialled.send(new Uint8Array([3]))).toBe(true);
    expect(a.sent).toEqual([30]);
    dialled.close('bye');
    expect(a.closedWith).toBe('bye');
    expect(dialled.open).toBe(false);
    expect(t.addresses()).toEqual(['here']);
    expect(t.name).toBe('fake');
  });

  it("forwards the handler's onTurnEnd when it has one, and offers none otherwise", async () => {
    const handlers: TransportHandler[] = [];
    const inner = {
      name: 'fake',
      start: async (h: TransportHandler) => {
        handlers.push(h);
      },
      dial: async () => fakeLink('a'),
      addresses: () => [],
      links: () => [],
      stop: async () => {},
    };
    const t = withLinkOverrides(inner, () => ({}));
    let ends = 0;
    const base = { onLink: () => {}, onFrame: () => {}, onClose: () => {}, onError: () => {} };
    await t.start({ ...base, onTurnEnd: () => ends++ });
    handlers[0]!.onTurnEnd?.();
    expect(ends).toBe(1);
    await t.start(base);
    expect(handlers[1]!.onTurnEnd).toBeUndefined();
    // Whether the inner transport ends its turns is the wrapper's too.
    expect(t.endsTurns).toBeUndefined();
    expect(withLinkOverrides({ ...inner, endsTurns: true }, () => ({})).endsTurns).toBe(true);
  });
});
