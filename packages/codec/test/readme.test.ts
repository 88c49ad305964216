import { expect, it } from 'vitest';
import { createCodec, LengthPrefixedReader, lengthPrefix, rectangleKeyCodec } from '../src/index.js';

// The README example, with its printed values asserted.
it('README example', () => {
  const codec = createCodec({ payload: rectangleKeyCodec });
  const tx = codec.encoder();
  const rx = codec.decoder();
  const alice = '12D3KooWGzh9bdSGW8bMTCqW6oRJ4Qk4Wd3XzVvL1Hc';
  const events = [
    { source: alice, seq: 1, tick: 310, payload: 2 },
    { source: alice, seq: 2, tick: 322, payload: 0 },
  ];
  const bytes = tx.encode({ type: 'events', events });
  expect(bytes.length).toBe(55);
  expect(rx.decode(bytes)).toStrictEqual({ type: 'events', events });

  const reader = new LengthPrefixedReader({ maxFrameBytes: codec.limits.maxFrameBytes });
  const third = { source: alice, seq: 3, tick: 340, payload: 4 };
  const stream = lengthPrefix(tx.encode({ type: 'events', events: [third] }));
  const frames = reader.push(stream);
  expect(frames.map((f) => f.length)).toStrictEqual([9]);
  expect(rx.decode(frames[0]!)).toStrictEqual({ type: 'events', events: [third] });
});
