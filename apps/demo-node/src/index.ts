/**
 * `@symmetric/demo-node`: Symmetric demo peers for Node. {@link runLocalDemo} runs several
 * peers in one process over real sockets and checks they converge; {@link startPeerNode} runs
 * one peer, which can also be the hub that serves the web demo and that browsers connect to;
 * {@link runCli} is the `symmetric-demo` command line over both. The demo apps (the paper's
 * rectangle and the coin arena) are also exported alone as `@symmetric/demo-node/apps`, with no
 * Node API, for the web page.
 *
 * @packageDocumentation
 */
export {
  type ArenaState,
  arenaApp,
  arenaDemo,
  DEMO_APP_NAMES,
  type DemoApp,
  type DemoAppName,
  type DemoPresence,
  demoApp,
  isDemoAppName,
  keyCodec,
  parsePresence,
  rectangleDemo,
  wsPathOf,
} from './apps/index.js';
export { type ConvergenceCheck, checkConvergence, type HashSource } from './convergence.js';
export { DemoError, type DemoErrorCode, isDemoError } from './errors.js';
export { type DialFailure, type DialFailures, describeListenFailure, trackDialFailures } from './failures.js';
export {
  createHubLibp2p,
  type HubLibp2pConfig,
  type HubLibp2pEndpoint,
  type HubLibp2pOptions,
  hubLibp2pEndpoint,
  loadHubKeys,
} from './hub-libp2p.js';
export { KEY_NAMES, keyFromName, startKeyboard, startRandomKeys } from './keys.js';
export { type LatencyOptions, withLatency } from './latency.js';
export {
  type LocalDemoOptions,
  type LocalDemoResult,
  type LocalPeerResult,
  runLocalDemo,
  TOPOLOGIES,
  type Topology,
  topologyEdges,
} from './local.js';
export {
  CONFIG_PATH,
  DEFAULT_FPS,
  DEFAULT_ROOM,
  defaultWebRoot,
  type HubConfig,
  type PeerNode,
  type PeerNodeOptions,
  startPeerNode,
  WS_PATH,
} from './node.js';
export { type CliIo, runCli } from './program.js';
export {
  createDemoTransport,
  type DemoListenOptions,
  type DemoTransport,
  parseTransportKind,
  TRANSPORT_KINDS,
  type TransportKind,
} from './transports.js';
export {
  commonHashTick,
  formatLine,
  formatTable,
  type PeerRow,
  peerRow,
  shortId,
  startView,
  type View,
  type ViewOptions,
} from './view.js';
