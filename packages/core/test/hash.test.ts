import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stateHash, TimelineError } from '../src/index.js';

// The package is built without DOM/Node types; the test runtime (Node) has it.
declare function structuredClone<T>(value: T): T;

describe('stateHash', () => {
  it('is 16 lowercase hex characters', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stateHash(v)).toMatch(/^[0-9a-f]{16}$/);
      }),
    );
  });

  it('equal values hash equally, whatever the key order or the copy', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (raw) => {
        // JSON turns -0 into 0 (a different number for the hash), so start from JSON's view.
        const obj = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(stateHash(reversed)).toBe(stateHash(obj));
        expect(stateHash(structuredClone(obj))).toBe(stateHash(obj));
        expect(stateHash(JSON.parse(JSON.stringify(obj)))).toBe(stateHash(obj));
      }),
    );
  });

  it('tells apart values that differ (no collisions among many small states)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.jsonValue(), { selector: (v) => JSON.stringify(v), maxLength: 60 }),
        (values) => {
          const hashes = new Set(values.map(stateHash));
          expect(hashes.size).toBe(values.length);
        },
      ),
    );
  });

  it('distinguishes types and structure that JSON would blur', () => {
    const values: unknown[] = [
      0,
      -0,
      1,
      '1',
      1n,
      true,
      null,
      undefined,
      [],
      {},
      [undefined],
      { a: undefined },
      [1, 2],
      [[1], 2],
      [1, [2]],
      'ab',
      ['a', 'b'],
      new Map([[1, 2]]),
      new Set([1, 2]),
      new Set([2, 1]),
      new Date(5),
      new Float64Array([1, 2]),
      new Float32Array([1, 2]),
      new Int32Array([1, 2]),
      new Uint8Array([1, 2]),
      new Uint8Array([1, 2, 0]),
      new Int16Array([1, 2]),
      new BigInt64Array([1n, 2n]),
      new ArrayBuffer(2),
      0.1,
      0.1 + 2 ** -56,
      2 ** 31,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ];
    const hashes = values.map(stateHash);
    expect(new Set(hashes).size).toBe(values.length);
  });

  it('hashes every NaN alike, in numbers and in typed arrays', () => {
    const a = new Float64Array([Number.NaN]);
    const b = new Float64Array(1);
    new Uint32Array(b.buffer)[0] = 1;
    new Uint32Array(b.buffer)[1] = 0xfff00000; // a negative NaN with a payload
    expect(Number.isNaN(b[0])).toBe(true);
    expect(stateHash(b)).toBe(stateHash(a));
    expect(stateHash({ x: Number.NaN })).toBe(stateHash({ x: b[0] }));
  });

  it('hashes typed arrays by content, not by their buffer', () => {
    const big = new Float64Array([9, 1, 2, 9]);
    expect(stateHash(big.subarray(1, 3))).toBe(stateHash(new Float64Array([1, 2])));
    const bytes = new Uint8Array([7, 1, 2, 3, 4, 5]);
    expect(stateHash(bytes.subarray(1))).toBe(stateHash(new Uint8Array([1, 2, 3, 4, 5])));
  });

  it('is stable across versions (the hash crosses the wire between peers)', () => {
    // Pinned outputs: if one changes, peers on different versions would report false
    // desyncs, so a change here needs a protocol version bump.
    expect(GOLDEN.map(([v]) => stateHash(v))).toEqual(GOLDEN.map(([, h]) => h));
  });

  it('refuses functions, symbols and cycles with a typed error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const v of [() => 1, Symbol('s'), { f: () => 1 }, cyclic]) {
      try {
        stateHash(v);
        throw new Error('no error');
      } catch (err) {
        expect(err).toBeInstanceOf(TimelineError);
        expect((err as TimelineError).code).toBe('UNHASHABLE');
      }
    }
  });
});

const GOLDEN: [unknown, string][] = [
  [null, 'a6dddbff0b898e13'],
  [0, '134fd673949f8913'],
  [-0, 'd87507e21a41d5e6'],
  [0.1, 'b03aaf1352b05d7d'],
  ['symmetric', 'a50cc4fcf85e4058'],
  [{ x: 0, y: 0, dx: 0, dy: 0 }, '6fcff4e765e0ca11'],
  [[1, 'a', true, null, undefined], '0022b7e6ef298d16'],
  [new Float64Array([1.5, -2]), 'c730beb46ca751b5'],
  [new Map([['k', [1, 2]]]), 'c52b5105f91925b8'],
  [123456789012345678901234567890n, '47b8a6fedb7d7c8c'],
];
