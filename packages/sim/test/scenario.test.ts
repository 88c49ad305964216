import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScenarioError, ScenarioError, type ScenarioErrorCode } from '../src/errors.js';
import { parseScenario } from '../src/scenario.js';

const base = {
  name: 'paper-50ms-25pm-2x',
  seed: 1,
  peers: 21,
  topology: { kind: 'paper-21' },
  fps: 50,
  durationS: 300,
  warmupS: 30,
  quietTailS: 10,
  startJitterS: 10,
  latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  delay: { ms: 500 },
  events: { perMinute: 25, app: 'rectangle' },
};

function errorOf(doc: unknown): ScenarioError {
  try {
    parseScenario(doc);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

function expectError(doc: unknown, code: ScenarioErrorCode, field: string): void {
  const e = errorOf(doc);
  expect({ code: e.code, field: e.field }).toEqual({ code, field });
  expect(isScenarioError(e)).toBe(true);
}

describe('parseScenario', () => {
  it('accepts the README example shape and fills defaults', () => {
    const s = parseScenario(JSON.stringify(base));
    expect(s.peers).toBe(21);
    expect(s.delay).toEqual({ ms: 500 });
    expect(s.events).toEqual({ perMinute: 25, app: 'rectangle', firstAfterS: 1 });
    expect(s.partitions).toEqual([]);
    expect(s.driftPpm).toBe(0);
    expect(s.churn).toBeUndefined();
    const min = parseScenario({
      peers: 3,
      edges: [
        [0, 1],
        [1, 2],
      ],
      fps: 50,
      durationS: 10,
      latency: { dist: 'constant', ms: 5 },
      delay: { auto: true },
      events: { perMinute: 0 },
    });
    expect(min).toMatchObject({ seed: 1, warmupS: 0, quietTailS: 0, startJitterS: 0, name: '' });
    expect(min.events.app).toBe('rectangle');
    expect(min.delay).toEqual({ auto: true });
  });

  it('accepts churn, partitions, joins, drift and history', () => {
    const s = parseScenario({
      ...base,
      churn: { onlineMeanS: 40, offlineMeanS: 20, restart: true },
      partitions: [
        {
          atS: 60,
          healAtS: 90,
          groups: [
            [0, 1, 2],
            [3, 4],
          ],
        },
      ],
      joins: [{ peer: 20, atS: 100 }],
      driftPpm: 50,
      history: { horizonTicks: 3000 },
    });
    expect(s.churn).toEqual({
      onlineMeanS: 40,
      offlineMeanS: 20,
      restart: true,
      backForTail: true,
      restartWaitsForNeighbour: true,
    });
    expect(s.partitions[0]!.groups).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(s.joins).toEqual([{ peer: 20, atS: 100 }]);
    expect(s.history).toEqual({ horizonTicks: 3000 });
  });

  it('is idempotent: a parsed scenario parses to itself', () => {
    const full = {
      ...base,
      churn: { onlineMeanS: 40, offlineMeanS: 20, peers: [1, 2] },
      partitions: [{ atS: 60, healAtS: 90, groups: [[0, 1, 2]] }],
      joins: [{ peer: 20, atS: 100 }],
      driftPpm: [...Array(21).keys()],
      history: 'full',
    };
    const once = parseScenario(full);
    expect(parseScenario(once)).toEqual(once);
    expect(parseScenario(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('names the bad field', () => {
    expectError('{nope', 'BAD_JSON', '');
    expectError([], 'WRONG_TYPE', '');
    expectError({ ...base, durationSec: 5 }, 'UNKNOWN_FIELD', 'durationSec');
    expectError({ ...base, peers: undefined }, 'MISSING_FIELD', 'peers');
    expectError({ ...base, peers: '21' }, 'WRONG_TYPE', 'peers');
    expectError({ ...base, peers: 2.5 }, 'WRONG_TYPE', 'peers');
    expectError({ ...base, fps: 0 }, 'OUT_OF_RANGE', 'fps');
    expectError({ ...base, latency: { dist: 'normal', meanMs: 50 } }, 'MISSING_FIELD', 'latency.sdMs');
    expectError(
      { ...base, latency: { dist: 'normal', meanMs: 50, sdMs: -1 } },
      'OUT_OF_RANGE',
      'latency.sdMs',
    );
    expectError({ ...base, latency: { dist: 'pareto', ms: 5 } }, 'OUT_OF_RANGE', 'latency.dist');
    expectError({ ...base, latency: { ms: 5 } }, 'MISSING_FIELD', 'latency.dist');
    expectError(
      { ...base, latency: { dist: 'constant', ms: 5, jitter: 1 } },
      'UNKNOWN_FIELD',
      'latency.jitter',
    );
    expectError(
      { ...base, latency: { dist: 'uniform', minMs: 80, maxMs: 20 } },
      'INCONSISTENT',
      'latency.maxMs',
    );
    expectError({ ...base, topology: { kind: 'torus' } }, 'OUT_OF_RANGE', 'topology.kind');
    expectError({ ...base, peers: 20 }, 'INCONSISTENT', 'peers');
    expectError({ ...base, edges: [[0, 1]] }, 'INCONSISTENT', 'topology');
    expectError({ ...base, topology: undefined }, 'MISSING_FIELD', 'topology');
    expectError({ ...base, topology: undefined, edges: [[0, 21]] }, 'OUT_OF_RANGE', 'edges[0][1]');
    expectError({ ...base, topology: undefined, edges: [[3, 3]] }, 'OUT_OF_RANGE', 'edges[0]');
    expectError(
      {
        ...base,
        topology: undefined,
        edges: [
          [0, 1],
          [1, 0],
        ],
      },
      'INCONSISTENT',
      'edges[1]',
    );
    expectError({ ...base, topology: undefined, edges: [[0, 1, 2]] }, 'OUT_OF_RANGE', 'edges[0]');
    expectError(
      { ...base, peers: 5, topology: { kind: 'random-regular', degree: 3 } },
      'INCONSISTENT',
      'topology.degree',
    );
    expectError(
      { ...base, peers: 5, topology: { kind: 'random-regular', degree: 5 } },
      'OUT_OF_RANGE',
      'topology.degree',
    );
    expectError({ ...base, delay: {} }, 'MISSING_FIELD', 'delay.ms');
    expectError({ ...base, delay: { ms: 5, auto: true } }, 'INCONSISTENT', 'delay');
    expectError({ ...base, delay: { auto: false } }, 'OUT_OF_RANGE', 'delay.auto');
    expectError({ ...base, delay: 500 }, 'WRONG_TYPE', 'delay');
    expectError({ ...base, events: { perMinute: -1 } }, 'OUT_OF_RANGE', 'events.perMinute');
    expectError({ ...base, warmupS: 300 }, 'INCONSISTENT', 'warmupS');
    expectError({ ...base, quietTailS: 301 }, 'INCONSISTENT', 'quietTailS');
    expectError({ ...base, startJitterS: 300 }, 'INCONSISTENT', 'startJitterS');
    expectError(
      { ...base, churn: { onlineMeanS: 0, offlineMeanS: 20 } },
      'OUT_OF_RANGE',
      'churn.onlineMeanS',
    );
    expectError({ ...base, churn: { onlineMeanS: 40 } }, 'MISSING_FIELD', 'churn.offlineMeanS');
    expectError(
      { ...base, churn: { onlineMeanS: 1, offlineMeanS: 1, peers: [1, 1] } },
      'INCONSISTENT',
      'churn.peers[1]',
    );
    expectError(
      { ...base, partitions: [{ atS: 60, healAtS: 50, groups: [[0]] }] },
      'INCONSISTENT',
      'partitions[0].healAtS',
    );
    expectError(
      { ...base, partitions: [{ atS: 60, healAtS: 90, groups: [[0, 1], [1]] }] },
      'INCONSISTENT',
      'partitions[0].groups[1][0]',
    );
    expectError(
      { ...base, partitions: [{ atS: 60, healAtS: 90, groups: [[0], [99]] }] },
      'OUT_OF_RANGE',
      'partitions[0].groups[1][0]',
    );
    expectError(
      { ...base, partitions: [{ atS: 60, healAtS: 90, groups: [[]] }] },
      'OUT_OF_RANGE',
      'partitions[0].groups[0]',
    );
    expectError({ ...base, joins: [{ peer: 3, atS: 400 }] }, 'OUT_OF_RANGE', 'joins[0].atS');
    expectError({ ...base, driftPpm: [1, 2] }, 'INCONSISTENT', 'driftPpm');
    expectError({ ...base, driftPpm: 'fast' }, 'WRONG_TYPE', 'driftPpm');
    expectError({ ...base, history: 'some' }, 'WRONG_TYPE', 'history');
    expectError({ ...base, history: { horizonTicks: 0 } }, 'OUT_OF_RANGE', 'history.horizonTicks');
    expectError({ ...base, seed: -1 }, 'OUT_OF_RANGE', 'seed');
  });

  it('error messages carry the field', () => {
    const e = errorOf({ ...base, latency: { dist: 'normal', meanMs: 50, sdMs: -1 } });
    expect(e.message.startsWith('latency.sdMs:')).toBe(true);
    expect(e.name).toBe('ScenarioError');
  });

  it('never throws anything but ScenarioError, whatever the input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseScenario(v);
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.record({ key: fc.constantFrom(...Object.keys(base)), value: fc.jsonValue() }),
        ({ key, value }) => {
          try {
            parseScenario({ ...base, [key]: value });
          } catch (e) {
            expect(e).toBeInstanceOf(ScenarioError);
            const root = (e as ScenarioError).field.split(/[.[]/)[0];
            // Changing peers or durationS can make another field inconsistent; anything else is blamed itself.
            if (key === 'peers' || key === 'durationS') expect(Object.keys(base)).toContain(root);
            else expect(root).toBe(key);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
