/**
 * Golden metrics: a fixed list of scenarios run through the simulator, every metric but the
 * byte count and wall time compared with values checked in under `golden/metrics.json`.
 *
 * The runtime is deterministic, so any change to these figures is a change of behaviour. A
 * refactoring must leave them untouched; a change that moves them on purpose regenerates the
 * file in a commit of its own that says why:
 *
 *     SYMMETRIC_GOLDEN=update npx vitest run packages/sim/test/golden.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Metrics, runScenario } from '../src/index.js';
import { goldenScenarios } from './golden/scenarios.js';

const file = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'metrics.json');
const updating = process.env.SYMMETRIC_GOLDEN === 'update';

/** Every metric but `bytes` and `wallMs` (the two that may move without a change of behaviour). */
function comparable(m: Metrics): Record<string, unknown> {
  const { bytes: _bytes, wallMs: _wall, ...rest } = m;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

function readGolden(): Record<string, Record<string, unknown>> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  } catch {
    return {};
  }
}

const golden = readGolden();
const fresh: Record<string, Record<string, unknown>> = {};

describe('golden metrics (behaviour preserved)', () => {
  for (const scenario of goldenScenarios) {
    it(`${scenario.name}: every metric but bytes and wall time as checked in`, async () => {
      const m = await runScenario(scenario, { includeWall: false });
      const got = comparable(m);
      fresh[scenario.name] = got;
      if (updating) {
        writeFileSync(file, `${JSON.stringify({ ...golden, ...fresh }, null, 2)}\n`);
        return;
      }
      expect(golden[scenario.name], `no golden values for ${scenario.name}`).toBeDefined();
      expect(got).toEqual(golden[scenario.name]);
    });
  }

  it('the golden file lists exactly the golden scenarios', () => {
    if (updating) return;
    expect(Object.keys(golden).sort()).toEqual(goldenScenarios.map((s) => s.name).sort());
  });
});
