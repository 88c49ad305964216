/**
 * The fixed scenarios behind the golden-metrics test: paper cells at 2x and 1x, the paper's
 * churn variant, a partition that heals, churn that keeps state, a late joiner, a long line,
 * automatic Δ and a compacting history horizon. Short enough to run in CI on every change.
 */
const paper = {
  seed: 1,
  peers: 21,
  topology: { kind: 'paper-21' },
  fps: 50,
  durationS: 120,
  warmupS: 15,
  quietTailS: 10,
  startJitterS: 5,
  latency: { dist: 'normal', meanMs: 50, sdMs: 10 },
  delay: { ms: 500 },
  events: { perMinute: 60, app: 'rectangle' },
} as const;

/** Scenario objects in the shared scenario format, each with a unique name. */
export const goldenScenarios = [
  {
    ...paper,
    name: 'paper-50ms-25pm-2x',
    durationS: 300,
    warmupS: 30,
    startJitterS: 10,
    events: { perMinute: 25, app: 'rectangle' },
  },
  {
    ...paper,
    name: 'paper-100ms-200pm-1x',
    latency: { dist: 'normal', meanMs: 100, sdMs: 20 },
    delay: { ms: 500 },
    events: { perMinute: 200, app: 'rectangle' },
  },
  {
    ...paper,
    name: 'paper-churn-restart',
    durationS: 150,
    churn: { onlineMeanS: 40, offlineMeanS: 20, restart: true },
  },
  {
    ...paper,
    name: 'paper-churn-restart-seed-3',
    seed: 3,
    durationS: 150,
    churn: { onlineMeanS: 40, offlineMeanS: 20, restart: true },
  },
  {
    ...paper,
    name: 'partition-heal',
    partitions: [{ atS: 40, healAtS: 60, groups: [[0, 1, 2, 3, 4, 5, 6, 7]] }],
  },
  {
    ...paper,
    name: 'churn-keep-state',
    durationS: 100,
    churn: { onlineMeanS: 15, offlineMeanS: 8, restart: false, peers: [0, 4, 14, 20] },
  },
  { ...paper, name: 'late-join', joins: [{ peer: 20, atS: 70 }] },
  {
    ...paper,
    name: 'isolated-start',
    events: { perMinute: 200, app: 'rectangle' },
    partitions: [{ atS: 0, healAtS: 30, groups: [[20]] }],
  },
  {
    ...paper,
    name: 'long-line-40',
    peers: 40,
    topology: { kind: 'line' },
    latency: { dist: 'normal', meanMs: 20, sdMs: 4 },
    delay: { ms: 400 },
    durationS: 90,
  },
  { ...paper, name: 'delay-auto', delay: { auto: true }, durationS: 90 },
  {
    ...paper,
    name: 'horizon-compacting',
    history: { horizonTicks: 1000 },
    events: { perMinute: 200, app: 'rectangle' },
  },
];
