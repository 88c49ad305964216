import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryReporter from '../summary-reporter.ts';

/** A stand-in for a finished test file: its state and its tests' states. */
function mod(state: string, tests: string[]): TestModule {
  return {
    state: () => state,
    children: { allTests: () => tests.map((t) => ({ result: () => ({ state: t }) })) },
  } as unknown as TestModule;
}

function summary(modules: TestModule[], unhandled: unknown[] = []): string {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  try {
    new SummaryReporter().onTestRunEnd(modules, unhandled);
  } finally {
    spy.mockRestore();
  }
  return out.join('').trim();
}

describe('summary line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts tests', () => {
    expect(summary([mod('passed', ['passed', 'passed']), mod('failed', ['passed', 'failed'])])).toBe(
      '3 passed, 1 failed',
    );
  });

  it('a file that failed with only skipped tests (its beforeAll threw) is a failure', () => {
    expect(summary([mod('failed', ['skipped', 'skipped'])])).toBe('0 passed, 1 failed, 2 skipped');
  });

  it('a file that did not load, and unhandled errors, are failures', () => {
    expect(summary([mod('failed', []), mod('passed', ['passed'])], [new Error('x')])).toBe(
      '1 passed, 2 failed',
    );
  });
});
