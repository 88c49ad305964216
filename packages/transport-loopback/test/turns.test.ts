import type { Link, TransportError, TransportHandler } from '@symmetric/transport';
import { LoopbackNetwork } from '@symmetric/transport-loopback';
import { describe, expect, it } from 'vitest';

/** A handler that logs frames (`frame <first byte>@t`) and turn ends (`end@t`). */
function turnLog(network: LoopbackNetwork, log: string[], errors: TransportError[] = []): TransportHandler {
  return {
    onLink: () => {},
    onFrame: (_link: Link, frame: Uint8Array) => log.push(`frame ${frame[0]}@${network.now()}`),
    onClose: () => {},
    onError: (error) => errors.push(error),
    onTurnEnd: () => log.push(`end@${network.now()}`),
  };
}

describe('delivery turns', () => {
  it('virtual time: one onTurnEnd after the frames due at one instant, from every link, none without frames', async () => {
    expect(new LoopbackNetwork({ time: 'virtual' }).transport('x').endsTurns).toBe(true);
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 10 } });
    const logA: string[] = [];
    const logB: string[] = [];
    const a = network.transport('A');
    const b = network.transport('B');
    const c = network.transport('C');
    await a.start(turnLog(network, logA));
    await b.start(turnLog(network, logB));
    await c.start({ onLink: () => {}, onFrame: () => {}, onClose: () => {}, onError: () => {} });
    const ab = await a.dial('B');
    const cb = await c.dial('B');
    ab.send(new Uint8Array([1]));
    ab.send(new Uint8Array([2]));
    cb.send(new Uint8Array([3]));
    network.runUntil(5);
    ab.send(new Uint8Array([4]));
    network.runUntil(100);
    expect(logB).toEqual(['frame 1@10', 'frame 2@10', 'frame 3@10', 'end@10', 'frame 4@15', 'end@15']);
    expect(logA).toEqual([]);
  });

  it('virtual time: an instant goes receiver by receiver (first frame first), each turn ending right behind its frames', async () => {
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 10 } });
    const log: string[] = [];
    const named = (who: string, onFrame?: (link: Link, frame: Uint8Array) => void): TransportHandler => ({
      onLink: () => {},
      onFrame: (link: Link, frame: Uint8Array) => {
        log.push(`${who} ${frame[0]}@${network.now()}`);
        onFrame?.(link, frame);
      },
      onClose: () => {},
      onError: () => {},
      onTurnEnd: () => log.push(`${who} end@${network.now()}`),
    });
    const a = network.transport('A');
    const b = network.transport('B');
    const c = network.transport('C');
    // B answers frame 1 at once (no latency): due at the same instant, delivered once every
    // turn of it has ended, in a turn of its own.
    await a.start(named('A'));
    await b.start(named('B', (link, frame) => frame[0] === 1 && link.send(new Uint8Array([9]))));
    await c.start(named('C'));
    const ab = await a.dial('B');
    const ac = await a.dial('C');
    const cb = await c.dial('B');
    ab.send(new Uint8Array([1]));
    ac.send(new Uint8Array([2]));
    cb.send(new Uint8Array([3]));
    ac.send(new Uint8Array([4]));
    ab.send(new Uint8Array([5]));
    network.setLatency('A', 'B', { dist: 'constant', ms: 0 });
    network.runUntil(100);
    expect(log).toEqual([
      'B 1@10',
      'B 3@10',
      'B 5@10',
      'B end@10',
      'C 2@10',
      'C 4@10',
      'C end@10',
      'A 9@10',
      'A end@10',
    ]);
  });

  it('a throwing onTurnEnd goes to onError as INTERNAL and later turns still end', async () => {
    const network = new LoopbackNetwork({ time: 'virtual', latency: { dist: 'constant', ms: 10 } });
    const log: string[] = [];
    const errors: TransportError[] = [];
    const handler = turnLog(network, log, errors);
    let throws = true;
    const b = network.transport('B');
    await b.start({
      ...handler,
      onTurnEnd: () => {
        if (throws) {
          throws = false;
          throw new Error('boom');
        }
        handler.onTurnEnd!();
      },
    });
    const a = network.transport('A');
    await a.start({ onLink: () => {}, onFrame: () => {}, onClose: () => {}, onError: () => {} });
    const ab = await a.dial('B');
    ab.send(new Uint8Array([1]));
    network.runUntil(20);
    ab.send(new Uint8Array([2]));
    network.runUntil(40);
    expect(errors.map((e) => e.code)).toEqual(['INTERNAL']);
    expect(log).toEqual(['frame 1@10', 'frame 2@30', 'end@30']);
  });

  it('real time: the frames one pump delivers end in one turn', async () => {
    const network = new LoopbackNetwork({ latency: { dist: 'constant', ms: 0 } });
    const log: string[] = [];
    const b = network.transport('B');
    await b.start({
      ...turnLog(network, log),
      onFrame: (_l, f) => log.push(`frame ${f[0]}`),
      onTurnEnd: () => log.push('end'),
    });
    const a = network.transport('A');
    await a.start({ onLink: () => {}, onFrame: () => {}, onClose: () => {}, onError: () => {} });
    const ab = await a.dial('B');
    ab.send(new Uint8Array([1]));
    ab.send(new Uint8Array([2]));
    await new Promise<void>((resolve) => {
      const host = globalThis as unknown as { setTimeout(f: () => void, ms: number): void };
      host.setTimeout(resolve, 30);
    });
    await b.stop();
    await a.stop();
    expect(log).toEqual(['frame 1', 'frame 2', 'end']);
  });
});
