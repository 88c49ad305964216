/**
 * The store conformance checks as plain async functions, for any test runner or a bare page
 * (`@symmetric/storage/conformance` registers the same checks with vitest):
 *
 * ```ts
 * import { runStoreChecks } from '@symmetric/storage/checks';
 * const results = await runStoreChecks(harness); // [{ group, name, ok, error? }, ...]
 * ```
 *
 * @packageDocumentation
 * @module @symmetric/storage/checks
 */
import { basicChecks, type CheckBody } from './conformance/basics.js';
import { CheckContext, type StoreCheck } from './conformance/context.js';
import type { StoreHarness } from './conformance/harness.js';
import { damageChecks, formatCheck, scopeChecks } from './conformance/integrity.js';
import { compactionChecks, crashCheck, durabilityChecks, snapshotChecks } from './conformance/lifecycle.js';
import { propertyChecks } from './conformance/properties.js';

export { CheckFailure, deepEqual } from './conformance/assert.js';
export type { StoreCheck } from './conformance/context.js';
export type { StoreHarness } from './conformance/harness.js';

/** The outcome of one check. */
export interface CheckResult {
  readonly group: string;
  readonly name: string;
  readonly ok: boolean;
  /** The failure, when it failed. */
  readonly error?: string;
}

/**
 * The conformance checks for the store `harness` opens: every group, with the crash, format
 * and damage checks included when the harness offers the hook they need.
 */
export function storeChecks(harness: StoreHarness): StoreCheck[] {
  const groups: [string, readonly (readonly [string, CheckBody])[]][] = [
    ['basics', basicChecks],
    ['snapshots', snapshotChecks],
    ['compaction', compactionChecks],
    ['durability', harness.crash === undefined ? durabilityChecks : [...durabilityChecks, crashCheck]],
    [
      'scope and integrity',
      [
        ...scopeChecks,
        ...(harness.setFormatVersion === undefined ? [] : [formatCheck]),
        ...(harness.damage === undefined ? [] : damageChecks),
      ],
    ],
    ['properties', propertyChecks(harness.propertyRuns ?? 20)],
  ];
  return groups.flatMap(([group, checks]) =>
    checks.map(([name, body]) => ({
      group,
      name,
      async run() {
        const ctx = new CheckContext(harness);
        try {
          await body(ctx);
        } finally {
          await ctx.finish();
        }
      },
    })),
  );
}

/** Runs every check one after the other and reports each outcome (never throws). */
export async function runStoreChecks(harness: StoreHarness): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of storeChecks(harness)) {
    try {
      await check.run();
      results.push({ group: check.group, name: check.name, ok: true });
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      results.push({ group: check.group, name: check.name, ok: false, error });
    }
  }
  return results;
}
