/**
 * `@symmetric/sim`: run whole networks of Symmetric peers in virtual time. A scenario (JSON:
 * topology, latency, Δ, event load, start jitter, churn, partitions) goes in; metrics (rollback
 * %, its perfect-clock lower bound, pace mismatch, recovery time, convergence, traffic) come out,
 * byte-identical for the same scenario and seed. The same runtime code that runs on real
 * sockets runs here over `@symmetric/transport-loopback`.
 *
 * The scenario driver itself, for running scenarios over another network (real sockets), is
 * `@symmetric/sim/driver`.
 *
 * @packageDocumentation
 * @module @symmetric/sim
 */
export type { GossipModelOptions, GossipModelStats, GossipTypeCount, SimulatedGossip } from './broadcast.js';
export { type CliIo, runCli } from './cli-main.js';
export { isScenarioError, ScenarioError, type ScenarioErrorCode } from './errors.js';
export { formatMetrics, metricsJson } from './format.js';
export type { AfterRecoveryStats, Metrics, PaperRecoveryStats, RecoveryStats, SkewStats } from './metrics.js';
export type { RunRecordsMode } from './run-records.js';
export { type RunOptions, runScenario } from './runner.js';
export {
  type ChurnSpec,
  type DelaySpec,
  delayMs,
  type EventsSpec,
  type HistorySpec,
  type JoinSpec,
  type LatencyModel,
  type PartitionSpec,
  parseScenario,
  type Scenario,
  type TopologySpec,
} from './scenario.js';
export type { OfflineMetrics } from './stores.js';
export type { Edge } from './topology.js';
export type { TraceEvent } from './trace.js';
