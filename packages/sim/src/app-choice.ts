/**
 * The app a scenario runs: the built-in rectangle (with its key codec and random keys) or the
 * app the caller passes with its own event generator.
 * @internal
 */
import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import { type App, rectangleApp, type SeededRandom } from '@symmetric/core';
import type { DriveOptions } from './driver.js';
import { ScenarioError } from './errors.js';
import type { Scenario } from './scenario.js';

/** The app, its payload codec and its random-event generator for a scenario. @internal */
export function resolveApp<S, E>(
  sc: Scenario,
  options: DriveOptions<S, E>,
): {
  app: App<S, E>;
  payloadCodec: PayloadCodec<E> | undefined;
  randomEvent: (r: SeededRandom, peer: number) => E;
} {
  if (options.app !== undefined) {
    if (options.randomEvent === undefined) {
      throw new ScenarioError(
        'UNSUPPORTED',
        'events.app',
        'a custom app needs options.randomEvent to draw events',
      );
    }
    return { app: options.app, payloadCodec: options.payloadCodec, randomEvent: options.randomEvent };
  }
  if (sc.events.app !== 'rectangle') {
    throw new ScenarioError(
      'UNSUPPORTED',
      'events.app',
      `unknown app "${sc.events.app}": only "rectangle" is built in; pass options.app to run your own`,
    );
  }
  return {
    app: rectangleApp as unknown as App<S, E>,
    payloadCodec: (options.payloadCodec ?? rectangleKeyCodec) as PayloadCodec<E>,
    randomEvent: (options.randomEvent ?? ((r: SeededRandom) => r.int(5) as E)) as (
      r: SeededRandom,
      peer: number,
    ) => E,
  };
}
