import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain line `N passed, N failed` (plus `, N skipped` when any) over every test
 * case of the run, so CI logs show the count in a form any reader understands. A test file
 * that failed without a failed test in it (it did not load, or a `beforeAll` threw and its
 * tests never ran) counts as one failure, so the line never says `0 failed` for a red run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
