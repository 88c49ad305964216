import type { CloseInfo, Link, TransportError, TransportHandler } from '@symmetric/transport';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { expect, it } from 'vitest';

// The README's virtual-time example, checked.
it('README example: virtual time, FIFO across a latency change, cut and heal', async () => {
  const net = new LoopbackNetwork({
    time: 'virtual',
    seed: 1,
    latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  });
  const alice = net.transport('alice');
  const bob = net.transport('bob');

  const log: string[] = [];
  const handler = (who: string): TransportHandler => ({
    onLink: (link: Link) => log.push(`${who} link ${link.direction}`),
    onFrame: (_link: Link, frame: Uint8Array) => log.push(`${who} got ${frame.length} B`),
    onClose: (_link: Link, info: CloseInfo) =>
      log.push(`${who} closed (${info.local ? 'local' : 'remote'}: ${info.reason})`),
    onError: (error: TransportError) => log.push(`${who} error ${error.code}`),
  });
  await alice.start(handler('alice'));
  await bob.start(handler('bob'));
  const link = await alice.dial('bob');
  expect(log).toEqual(['bob link inbound', 'alice link outbound']);

  link.send(new Uint8Array([1, 2, 3]));
  net.setLatency('alice', 'bob', { dist: 'constant', ms: 5 });
  link.send(new Uint8Array(100));
  net.runUntil(1_000);
  net.cut('alice', 'bob');
  net.heal('alice', 'bob');
  expect(log.slice(2)).toEqual([
    'bob got 3 B',
    'bob got 100 B',
    'alice closed (remote: network cut)',
    'bob closed (remote: network cut)',
  ]);
  expect(net.stats()).toMatchObject({ framesSent: 2, bytesSent: 103, framesDelivered: 2, framesDropped: 0 });
  await expect(alice.dial('bob')).resolves.toBeDefined();
});
