/**
 * The demo apps, shared by the Node peers and the web page (`@symmetric/demo-node/apps`: no
 * Node API in here): the paper's rectangle, the coin arena, and the presence data every demo
 * peer publishes.
 *
 * @packageDocumentation
 */
export {
  ARENA_COIN_RADIUS,
  ARENA_COINS,
  ARENA_HEIGHT,
  ARENA_MAX_PLAYERS,
  ARENA_PLAYER_RADIUS,
  ARENA_SCALE,
  ARENA_WIDTH,
  type ArenaCoin,
  type ArenaPlayer,
  type ArenaState,
  arenaApp,
} from './arena.js';
export {
  arenaDemo,
  DEMO_APP_NAMES,
  type DemoApp,
  type DemoAppName,
  demoApp,
  isDemoAppName,
  keyCodec,
  rectangleDemo,
  wsPathOf,
} from './catalog.js';
export { checkTick, type DemoPresence, parsePresence } from './presence.js';
