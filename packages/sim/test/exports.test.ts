import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as driver from '../src/driver.js';
import * as sim from '../src/index.js';

describe('public surface', () => {
  it('the barrel offers running, scenarios, metrics formatting and the CLI, nothing else', () => {
    expect(Object.keys(sim).sort()).toEqual([
      'ScenarioError',
      'delayMs',
      'formatMetrics',
      'isScenarioError',
      'metricsJson',
      'parseScenario',
      'runCli',
      'runScenario',
    ]);
  });

  it('the driver subpath offers the driver, peer addressing and identities, and the virtual-time network', () => {
    expect(Object.keys(driver).sort()).toEqual([
      'driveScenario',
      'peerAddress',
      'scenarioIdentity',
      'virtualNetwork',
    ]);
  });

  it('package.json exports the barrel and ./driver, and closes ./internal/*', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './driver', './internal/*', './package.json']);
    expect(pkg.exports['./internal/*']).toBeNull();
  });
});
