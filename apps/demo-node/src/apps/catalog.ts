import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import { type App, type RectangleKey, type RectangleState, rectangleApp } from '@symmetric/core';
import { type ArenaState, arenaApp } from './arena.js';

/** The apps the demo runs. */
export const DEMO_APP_NAMES = ['rectangle', 'arena'] as const;

/** One of {@link DEMO_APP_NAMES}. */
export type DemoAppName = (typeof DEMO_APP_NAMES)[number];

/**
 * A demo app: the deterministic app, its `appId` (peers of different apps never share a link)
 * and a one-line summary of a state for the terminal view. Every demo app takes the same
 * one-byte key payloads (left, right, up, down, stop), so keyboards and random keys drive any.
 */
export interface DemoApp<S> {
  readonly name: DemoAppName;
  /** Title shown on pages. */
  readonly title: string;
  /** The peer's `appId`. */
  readonly appId: string;
  readonly app: App<S, RectangleKey>;
  /** One-line summary of a state (terminal view). */
  summary(state: Readonly<S>): string;
}

/**
 * The codec's one-byte rectangle-key codec, typed for {@link RectangleKey}: it encodes and
 * decodes only 0..4 (anything else is a `BAD_PAYLOAD` codec error), so every value it yields is
 * a `RectangleKey`.
 */
export const keyCodec = rectangleKeyCodec as PayloadCodec<RectangleKey>;

/** The paper's moving rectangle. */
export const rectangleDemo: DemoApp<RectangleState> = {
  name: 'rectangle',
  title: 'the shared rectangle',
  appId: 'symmetric-demo/rectangle',
  app: rectangleApp,
  summary: (s) => `x,y=${s.x},${s.y}`,
};

/** The arena game (see {@link arenaApp}). */
export const arenaDemo: DemoApp<ArenaState> = {
  name: 'arena',
  title: 'the coin arena',
  appId: 'symmetric-demo/arena',
  // The arena ignores payloads that are not keys; the key codec only yields keys.
  app: arenaApp as App<ArenaState, RectangleKey>,
  summary: (s) =>
    `players=${s.players.length} coins=${s.collected}` +
    (s.players.length > 0 ? ` best=${Math.max(...s.players.map((p) => p.score))}` : ''),
};

/** The demo app called `name`. */
export function demoApp(name: DemoAppName): DemoApp<unknown> {
  return (name === 'arena' ? arenaDemo : rectangleDemo) as DemoApp<unknown>;
}

/** True if `value` names a demo app. */
export function isDemoAppName(value: unknown): value is DemoAppName {
  return typeof value === 'string' && (DEMO_APP_NAMES as readonly string[]).includes(value);
}

/** Path of the hub's WebSocket for an app: `/symmetric` for the rectangle, `/symmetric/<name>` otherwise. */
export function wsPathOf(name: DemoAppName): string {
  return name === 'rectangle' ? '/symmetric' : `/symmetric/${name}`;
}
