/**
 * A diagnostic: the sizes of the tables inside running peers. It walks a peer's object graph
 * (own properties, up to a depth) and sums, per property path, the sizes of every Map, Set and
 * array found there, and of every table that says its size (a numeric `size`: the tables kept
 * in typed columns by slot, such as the known event ids and what each neighbour holds). Printed at intervals (the long-churn benchmark's `--sizes`, the chaos
 * soak's `SYMMETRIC_SOAK_SIZES`), it shows which per-source or per-link table grows with the
 * session instead of with the horizon.
 */

/** Per property path (`driver.currentTimeline.log.logs.sources`), the summed size over the walked roots. */
export type SizeTable = Map<string, number>;

const SKIP = new Set(['app', 'codec', 'transport', 'network', 'options', 'identity', 'secretKey']);

function sizeOf(v: unknown): number | undefined {
  if (v instanceof Map || v instanceof Set) return v.size;
  if (Array.isArray(v)) return v.length;
  return undefined;
}

/** The size a table in typed columns says it has (a numeric `size`), if `v` is one. */
function columnsSize(v: object): number | undefined {
  if (ArrayBuffer.isView(v)) return undefined;
  const size = (v as { size?: unknown }).size;
  return typeof size === 'number' ? size : undefined;
}

/**
 * Add to `into` the table sizes reachable from `root` (a peer, or anything) within `depth`
 * property steps. Each object is counted once per `seen` set (pass one set for several peers
 * sharing objects); paths name the first way it was reached. Paths name internals: they may
 * change from release to release.
 */
export function tableSizes(
  root: unknown,
  into: SizeTable,
  depth = 6,
  seen = new WeakSet<object>(),
): SizeTable {
  const walk = (v: unknown, path: string, d: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    const n = sizeOf(v);
    if (n !== undefined) {
      into.set(path, (into.get(path) ?? 0) + n);
      if (d <= 0) return;
      // Look one level into the values (a Map of records holding Maps, an array of records).
      let i = 0;
      const values =
        v instanceof Map ? v.values() : v instanceof Set ? v.values() : (v as unknown[]).values();
      for (const x of values) {
        if (i++ >= 2_000) break;
        walk(x, `${path}[]`, d - 1);
      }
      return;
    }
    const columns = columnsSize(v);
    if (columns !== undefined) into.set(path, (into.get(path) ?? 0) + columns);
    if (ArrayBuffer.isView(v) || d <= 0) return;
    for (const key of Object.keys(v)) {
      if (SKIP.has(key)) continue;
      let x: unknown;
      try {
        x = (v as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      walk(x, path === '' ? key : `${path}.${key}`, d - 1);
    }
  };
  walk(root, '', depth);
  return into;
}

/**
 * Lines for the paths whose size is at least `min`, largest first, with the size at `before`
 * (an earlier table) beside it when given.
 */
export function sizeLines(now: SizeTable, before?: SizeTable, min = 50): string[] {
  return [...now.entries()]
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([path, n]) =>
        `${String(n).padStart(9)}${before === undefined ? '' : ` (was ${before.get(path) ?? 0})`}  ${path}`,
    );
}
