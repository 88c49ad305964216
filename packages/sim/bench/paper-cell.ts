// Wall time of one cell of the paper's grid (21 peers, paper topology, L = 50 ms s.d. 10,
// 25 events/min, Δ = 500 ms, 300 virtual seconds), over several seeds, plus the churn and
// partition examples. Run with `npm run bench -w @symmetric/sim` (builds first).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runScenario } from '../dist/index.js';

const runs = Number(process.env.RUNS ?? 5);
const files = ['paper-50ms-25pm-2x.json', 'paper-churn.json', 'partition.json'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), Node ${process.version}`);
console.log(
  'scenario                     seed  wall ms  µs/peer-frame  rollback %  lower bound %  pace %  converged',
);
for (const f of files) {
  const scenario = JSON.parse(readFileSync(new URL(`../scenarios/${f}`, import.meta.url), 'utf8'));
  const walls: number[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const m = await runScenario(scenario, { seed });
    const wall = m.wallMs ?? 0;
    walls.push(wall);
    const peerFrames = scenario.peers * scenario.durationS * scenario.fps;
    console.log(
      `${scenario.name.padEnd(28)} ${String(seed).padStart(4)} ${String(wall).padStart(8)} ${((wall * 1000) / peerFrames).toFixed(2).padStart(14)} ${m.rollbackPct.toFixed(4).padStart(11)} ${(m.lowerBoundPct ?? Number.NaN).toFixed(4).padStart(14)} ${m.paceMismatchPct.toFixed(3).padStart(7)}  ${m.converged}`,
    );
  }
  console.log(`${scenario.name.padEnd(28)} median wall ${median(walls)} ms over ${runs} seeds`);
}
