import { rectangleKeyCodec } from '@symmetric/codec';
import { describe, expect, it } from 'vitest';
import { eventFromStore, storedEvent } from '../src/stored-event.js';

describe('stored events', () => {
  it('keep a re-stamp and the seq it stands for, signed or not', () => {
    const events = [
      { source: 'a~1', seq: 300, tick: 9, payload: 2, restamps: 4 },
      { source: 'a~1', seq: 2, tick: 9, payload: 2, restamps: 1, signature: new Uint8Array([7, 8, 9]) },
      { source: 'a~1', seq: 5, tick: 9, payload: 1 },
    ] as const;
    for (const ev of events) {
      const stored = storedEvent(ev, rectangleKeyCodec.encode(ev.payload));
      expect(eventFromStore(stored, rectangleKeyCodec)).toStrictEqual(ev);
    }
  });

  it('refuse a re-stamp cut short or naming no earlier seq', () => {
    const stored = storedEvent(
      { source: 'a~1', seq: 300, tick: 9, payload: 2, restamps: 4 },
      rectangleKeyCodec.encode(2),
    );
    const cut = { ...stored, bytes: stored.bytes.subarray(0, 3) };
    expect(() => eventFromStore(cut, rectangleKeyCodec)).toThrow(/cut short|payload/);
    const later = { ...stored, seq: 5 };
    expect(() => eventFromStore(later, rectangleKeyCodec)).toThrow(/re-stamp of seq/);
  });
});
