import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFullStateRandom,
  createRandom,
  createStreamRandom,
  deriveSeed,
  isRandomState,
  TimelineError,
} from '../src/index.js';

describe('createRandom (sfc32)', () => {
  it('gives the same sequence for the same seed, a different one for another seed', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        const c = createRandom(seed + 1 <= Number.MAX_SAFE_INTEGER ? seed + 1 : seed - 1);
        const sa = Array.from({ length: 8 }, () => a.uint32());
        expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(sa);
        expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(sa);
      }),
    );
  });

  it('is stable across versions (replays and peers depend on it)', () => {
    const seq = (seed: number) => {
      const r = createRandom(seed);
      return [r.uint32(), r.uint32(), r.uint32()];
    };
    expect(seq(0)).toEqual([591558436, 2737234123, 107644106]);
    expect(seq(-42)).toEqual([3351710071, 651584683, 41240654]);
    expect(seq(2 ** 40 + 3)).toEqual([575813606, 2957082306, 3991958409]);
  });

  it('captures and restores its state exactly', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(100), (seed, skip) => {
        const r = createRandom(seed);
        for (let i = 0; i < skip; i++) r.uint32();
        const st = r.getState();
        expect(isRandomState(st)).toBe(true);
        const next = [r.next(), r.int(7), r.uint32()];
        const other = createRandom(12345);
        other.setState(st);
        expect([other.next(), other.int(7), other.uint32()]).toEqual(next);
      }),
    );
  });

  it('stays within its ranges and covers them', () => {
    const r = createRandom(7);
    const counts = new Array<number>(6).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 60_000; i++) {
      const f = r.next();
      if (!(f >= 0 && f < 1)) outOfRange++;
      const d = r.int(6);
      counts[d]!++;
      const u = r.uint32();
      if (!(Number.isInteger(u) && u >= 0 && u < 2 ** 32)) outOfRange++;
    }
    expect(outOfRange).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(r.int(1)).toBe(0);
    const big = r.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  it('throws typed errors on bad arguments', () => {
    const r = createRandom(1);
    for (const n of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) {
      expect(() => r.int(n)).toThrow(TimelineError);
    }
    expect(() => createRandom(0.5)).toThrow(TimelineError);
    expect(() => r.setState([1, 2, 3])).toThrow(TimelineError);
    expect(() => r.setState([1, 2, 3, -1])).toThrow(TimelineError);
    expect(isRandomState([1, 2, 3, 4.5])).toBe(false);
  });
});

describe('createStreamRandom (labelled streams of a run)', () => {
  it('is deterministic per seed and label, and labels give independent streams', () => {
    const a = createStreamRandom(7, 'x');
    const b = createStreamRandom(7, 'x');
    const c = createStreamRandom(7, 'y');
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    const r = createStreamRandom(1);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(5);
      expect(k >= 0 && k < 5 && Number.isInteger(k)).toBe(true);
    }
    const e = createStreamRandom(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += e.exponential(40);
    expect(sum / 20000).toBeGreaterThan(38);
    expect(sum / 20000).toBeLessThan(42);
  });

  it('is stable across versions (recorded simulator runs depend on it)', () => {
    const draws = (seed: number, label: string) => {
      const r = createStreamRandom(seed, label);
      return [
        deriveSeed(seed, label),
        r.uint32(),
        r.uint32(),
        r.uint32(),
        r.normal(10, 2),
        r.exponential(3),
        r.uniform(1, 2),
        r.int(5),
      ];
    };
    expect(draws(0, '')).toEqual([
      313969398, 4062759338, 3604491405, 3833698464, 9.904283963741094, 9.097359991312068, 1.5577238462865353,
      3,
    ]);
    expect(draws(7, 'events/3')).toEqual([
      528187562, 1573103511, 242585640, 2092485158, 3.9568754683347906, 4.026479592675275, 1.2882244826760143,
      3,
    ]);
    expect(draws(2 ** 40 + 3, 'start-jitter')).toEqual([
      573553026, 3873972958, 824979782, 59200663, 13.377352374732446, 2.1219157794202177, 1.9850811883807182,
      3,
    ]);
    expect(draws(-5, 'x')).toEqual([
      2631155160, 4034331967, 1616597548, 1615417505, 10.336302621011825, 0.05914260490134939,
      1.562681743176654, 1,
    ]);
  });

  it('shuffles in place into a permutation, the same one for the same stream', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = createStreamRandom(5, 's').shuffle([...items]);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(createStreamRandom(5, 's').shuffle([...items])).toEqual(a);
    expect(a).not.toEqual(items);
  });
});

describe('createFullStateRandom (loopback latency draws)', () => {
  it('is stable across versions (a loopback network with a seed delays frames the same)', () => {
    // Draw order: two uint32, three normal values (two pairs, the last second value unused), a float.
    const pinned = (seed: number) => {
      const r = createFullStateRandom(seed);
      const u = [r.uint32(), r.uint32()];
      const [z0, z1] = r.standardNormalPair();
      const [z2] = r.standardNormalPair();
      return [...u, z0, z1, z2, r.next()];
    };
    expect(pinned(0)).toEqual([
      4205396811, 3543653536, -0.20592806772009897, -0.7921266182170815, -0.37619724242703245,
      0.17115427274256945,
    ]);
    expect(pinned(12345)).toEqual([
      2345461488, 1344865159, 0.5007260753314628, -1.4520854803165784, -1.0055680188059535, 0.858712628018111,
    ]);
    expect(pinned(2 ** 40 + 3)).toEqual([
      1200545535, 1865483957, 0.006647538004697723, -1.3744570423683078, 1.2741458233143257,
      0.8088808681350201,
    ]);
    expect(pinned(-9)).toEqual([
      938038872, 1638737279, -1.670102028947149, -0.8483379166234739, 0.45079688332273987,
      0.06404918455518782,
    ]);
    expect(pinned(1)).not.toEqual(pinned(2));
  });

  it('gives normal values with the right mean and spread', () => {
    const r = createFullStateRandom(77);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 10_000; i++) {
      for (const z of r.standardNormalPair()) {
        sum += z;
        sq += z * z;
      }
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.05);
    expect(Math.abs(sq / 20_000 - 1)).toBeLessThan(0.05);
  });
});
