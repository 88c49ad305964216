import { describe, expect, it } from 'vitest';
import { Emitter } from '../src/emitter.js';

type Events = { a: (x: number) => void; b: () => void };

describe('Emitter', () => {
  it('tells a watcher when a name gains its first listener and loses its last', () => {
    const e = new Emitter<Events>(() => {});
    const seen: boolean[] = [];
    const off0 = e.on('a', () => {});
    e.watch('a', (listened) => seen.push(listened));
    expect(seen).toEqual([true]);
    const off1 = e.on('a', () => {});
    e.on('b', () => {});
    off0();
    expect(seen).toEqual([true]);
    off1();
    expect(seen).toEqual([true, false]);
    off1();
    const off2 = e.on('a', () => {});
    expect(seen).toEqual([true, false, true]);
    off2();
    expect(seen).toEqual([true, false, true, false]);
    expect(e.has('a')).toBe(false);
  });

  it('delivers to the listeners present when the emit began; a throwing listener is reported', () => {
    const errors: unknown[] = [];
    const e = new Emitter<Events>((_name, error) => errors.push(error));
    const got: number[] = [];
    e.on('a', (x) => {
      got.push(x);
      e.on('a', (y) => got.push(-y));
      throw new Error('boom');
    });
    e.emit('a', 1);
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(1);
    e.emit('a', 2);
    expect(got).toEqual([1, 2, -2]);
  });
});
