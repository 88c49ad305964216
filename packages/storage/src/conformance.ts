/**
 * The store conformance suite: one call registers a vitest `describe` block with every check
 * a Symmetric `PeerStore` must pass — what it keeps and returns (identity, own and held
 * events, order, validation), snapshots, compaction, durability (tickets, batches, flush,
 * close, a crash), scope and integrity (another room, app or format version refused; damaged
 * records dropped and reported), and fast-check properties against a reference model.
 *
 * ```ts
 * import { runStoreConformance } from '@symmetric/storage/conformance';
 * runStoreConformance('my-store', { location: () => freshPath(), open: (at, scope, o) => openMyStore(at, scope, o) });
 * ```
 *
 * The same checks run without vitest through `@symmetric/storage/checks`.
 *
 * @packageDocumentation
 * @module @symmetric/storage/conformance
 */
import { describe, it } from 'vitest';
import { storeChecks } from './checks.js';
import type { StoreHarness } from './conformance/harness.js';

export { type CheckResult, runStoreChecks, type StoreCheck, storeChecks } from './checks.js';
export type { StoreHarness } from './conformance/harness.js';

/**
 * Registers the conformance suite for one store as a vitest `describe` block named
 * `store conformance: <name>`, one nested block per group. Call it at the top level of a test file.
 *
 * @param name Shown in the test names.
 * @param harness Opens the stores under test and offers the optional hooks (see {@link StoreHarness}).
 */
export function runStoreConformance(name: string, harness: StoreHarness): void {
  describe(`store conformance: ${name}`, () => {
    const checks = storeChecks(harness);
    for (const group of new Set(checks.map((c) => c.group))) {
      describe(group, () => {
        for (const check of checks.filter((c) => c.group === group)) it(check.name, () => check.run());
      });
    }
  });
}
