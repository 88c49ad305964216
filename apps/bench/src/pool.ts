import { Worker } from 'node:worker_threads';

/** A job: a scenario object in the shared format. */
export interface Job<T> {
  scenario: unknown;
  tag: T;
}

/** Progress after each finished job. */
export type Progress = (done: number, total: number, label: string) => void;

/**
 * Runs scenarios on `workers` worker threads (each a fresh `@symmetric/sim`), in submission order of
 * results. Rejects on the first failed scenario, after stopping every worker.
 */
export async function runPool<T>(
  jobs: Job<T>[],
  workers: number,
  onProgress?: Progress,
): Promise<{ tag: T; metrics: unknown }[]> {
  const results: { tag: T; metrics: unknown }[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const pool = Array.from(
    { length: Math.max(1, Math.min(workers, jobs.length)) },
    () => new Worker(new URL('./worker.js', import.meta.url)),
  );
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              const id = next++;
              worker.postMessage({ id, scenario: jobs[id]?.scenario });
            };
            worker.on('message', (msg: { id: number; metrics?: unknown; error?: string }) => {
              const job = jobs[msg.id];
              if (job === undefined) return;
              if (msg.error !== undefined) {
                reject(
                  new Error(
                    `scenario ${(job.scenario as { name?: string }).name ?? msg.id} failed: ${msg.error}`,
                  ),
                );
                return;
              }
              results[msg.id] = { tag: job.tag, metrics: msg.metrics };
              done++;
              onProgress?.(done, jobs.length, (job.scenario as { name?: string }).name ?? String(msg.id));
              feed();
            });
            worker.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
