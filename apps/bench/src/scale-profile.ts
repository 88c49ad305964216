#!/usr/bin/env node
/**
 * Where a V8 CPU profile's time went: self time by package (`packages/<name>` or
 * `node_modules/<name>`, Node's own code, GC, idle) and the heaviest functions, for the
 * profiles `scale-cli.js --cpu-prof <dir>` writes.
 *
 * `node dist/scale-profile.js <file.cpuprofile> [--top <n>] [--package <name>]`
 */
import { readFileSync } from 'node:fs';

/** The parts of a `.cpuprofile` read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a script URL's time is counted in. */
export function bucketOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program)';
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node';
  const pkg = /\/packages\/([^/]+)\//.exec(url);
  if (pkg !== null) return pkg[1]!;
  const app = /\/apps\/([^/]+)\//.exec(url);
  if (app !== null) return `apps/${app[1]!}`;
  const mod = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (mod !== null) return mod[1]!;
  return url;
}

/** Self time (ms) by bucket and by function of one profile. */
export function summarize(profile: CpuProfile): {
  totalMs: number;
  byBucket: Map<string, number>;
  byFunction: Map<string, number>;
} {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const bucket = bucketOf(url, functionName);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + ms);
    const file = url.split('/').slice(-1)[0] ?? '';
    const key = `${bucket} ${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  return { totalMs, byBucket, byFunction };
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (file !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const topIdx = args.indexOf('--top');
  const top = topIdx >= 0 ? Number.parseInt(args[topIdx + 1] ?? '25', 10) : 25;
  const pkgIdx = args.indexOf('--package');
  const only = pkgIdx >= 0 ? args[pkgIdx + 1] : undefined;
  const { totalMs, byBucket, byFunction } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number): string => `${((100 * ms) / totalMs).toFixed(2).padStart(6)} %`;
  process.stdout.write(`${file}: ${(totalMs / 1000).toFixed(1)} s sampled\n\nself time by package:\n`);
  for (const [b, ms] of [...byBucket].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`  ${pct(ms)}  ${(ms / 1000).toFixed(1).padStart(7)} s  ${b}\n`);
  process.stdout.write(`\nheaviest functions${only === undefined ? '' : ` of ${only}`}:\n`);
  const fns = [...byFunction]
    .filter(([k]) => only === undefined || k.startsWith(`${only} `))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [k, ms] of fns) process.stdout.write(`  ${pct(ms)}  ${k}\n`);
}
