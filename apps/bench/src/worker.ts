import { parentPort } from 'node:worker_threads';
import { runScenario } from '@symmetric/sim';

/** Worker entry: runs one scenario per message and posts its metrics back. */
parentPort?.on('message', (msg: { id: number; scenario: unknown }) => {
  runScenario(msg.scenario).then(
    (metrics) => parentPort?.postMessage({ id: msg.id, metrics }),
    (error: unknown) =>
      parentPort?.postMessage({
        id: msg.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
