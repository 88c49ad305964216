/**
 * Codec CPU per frame under the scale benchmark's traffic: `peers` peers (default 400) on a
 * 4-regular circulant graph flood `events` frames of one event each (a source id, a seq, a tick,
 * a 1-byte rectangle key). Each peer has its own codec (its own id registry, every codec sharing
 * the process's id strings) and one encoder and one decoder per link, as a runtime does.
 *
 * Three phases: `define` (each source's first event: every link defines the source), `refer`
 * (later events of known sources: per-link table references), and `mixed` (sync and hash frames
 * between event frames). Prints CPU ns per frame (encode + decode) of each phase, the median of
 * `rounds` rounds, and a digest of every byte encoded and every frame decoded (identical for any
 * two builds that put the same bytes on the wire).
 *
 * `npm run build -w @symmetric/codec && node bench/flood.ts [peers] [rounds] [build/index.js ...] [digest]`
 * (several builds take turns round by round in one process, each its own digest; `digest` adds
 * every encoded byte to it).
 */
import { pathToFileURL } from 'node:url';

type Codec = {
  encoder(): { encode(frame: unknown): Uint8Array; dispose(): void };
  decoder(): { decode(bytes: Uint8Array): unknown; dispose(): void };
};
type CodecModule = {
  createCodec(options: { payload: unknown }): Codec;
  rectangleKeyCodec: unknown;
};

const peers = Number(process.argv[2] ?? 400);
const rounds = Number(process.argv[3] ?? 5);
const args = process.argv.slice(4);
/** Digest every byte (off: only lengths and decoded fields, so the timing is mostly the codec's). */
const full = args.includes('digest');
const paths = args.filter((a) => a !== 'digest');
if (paths.length === 0) paths.push(new URL('../dist/index.js', import.meta.url).href);
const builds: CodecModule[] = [];
for (const path of paths) {
  builds.push((await import(path.startsWith('file:') ? path : pathToFileURL(path).href)) as CodecModule);
}

/** FNV-1a over the bytes and numbers fed to it (a digest of a run's output). */
let digest = 0x811c9dc5;
function mix(v: number): void {
  digest = Math.imul(digest ^ (v & 0xffff_ffff), 0x01000193) >>> 0;
}
function mixString(s: string): void {
  for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
}

/** Neighbours of peer `i` on the circulant graph C(n; 1, 7). */
function neighbours(i: number, n: number): number[] {
  return [(i + 1) % n, (i + n - 1) % n, (i + 7) % n, (i + n - 7) % n];
}

interface Link {
  readonly to: number;
  readonly encoder: ReturnType<Codec['encoder']>;
  readonly decoder: ReturnType<Codec['decoder']>;
}

function round(mod: CodecModule): Record<string, number> {
  const codecs = Array.from({ length: peers }, () => mod.createCodec({ payload: mod.rectangleKeyCodec }));
  const links: Link[][] = [];
  for (let i = 0; i < peers; i++) {
    links.push(
      neighbours(i, peers).map((to) => ({
        to,
        encoder: codecs[i]!.encoder(),
        decoder: codecs[to]!.decoder(),
      })),
    );
  }
  const sources = Array.from(
    { length: peers },
    (_, i) => `p${i}~${((i * 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`,
  );
  const seen = new Int32Array(peers);
  let stamp = 0;
  let frames = 0;

  /** Flood one event of `source` (peer `from`) over the graph; returns the frames sent. */
  function flood(from: number, seq: number, tick: number, extra: boolean): void {
    stamp++;
    seen[from] = stamp;
    const queue = [from];
    const came = [-1];
    for (let q = 0; q < queue.length; q++) {
      const at = queue[q]!;
      for (const link of links[at]!) {
        if (link.to === came[q]) continue;
        const bytes = link.encoder.encode({
          type: 'events',
          events: [{ source: sources[from]!, seq, tick, payload: (seq + from) % 5 }],
        });
        frames++;
        mix(bytes.length);
        if (full) for (let k = 0; k < bytes.length; k++) mix(bytes[k]!);
        const frame = link.decoder.decode(bytes) as {
          events: { source: string; seq: number; tick: number; payload: number }[];
        };
        const ev = frame.events[0]!;
        mixString(ev.source);
        mix(ev.seq);
        mix(ev.tick);
        mix(ev.payload);
        if (extra) {
          const sync = link.encoder.encode({
            type: 'sync',
            time: tick * 20,
            tick,
            echo: { time: 5, holdMs: 1 },
          });
          link.decoder.decode(sync);
          const hash = link.encoder.encode({ type: 'hash', reports: [{ tick, hash: '0123456789abcdef' }] });
          link.decoder.decode(hash);
          frames += 2;
          mix(sync.length + hash.length);
        }
        if (seen[link.to] === stamp) continue;
        seen[link.to] = stamp;
        queue.push(link.to);
        came.push(at);
      }
    }
  }

  const out: Record<string, number> = {};
  const phase = (name: string, run: () => void): void => {
    const before = frames;
    const t0 = process.cpuUsage();
    run();
    const t = process.cpuUsage(t0);
    out[name] = ((t.user + t.system) * 1000) / (frames - before);
  };
  phase('define', () => {
    for (let s = 0; s < peers; s++) flood(s, 1, 100 + s, false);
  });
  phase('refer', () => {
    for (let s = 0; s < peers; s++) flood(s, 2, 200 + s, false);
  });
  phase('mixed', () => {
    for (let s = 0; s < peers; s += 8) flood(s, 3, 300 + s, true);
  });
  for (const l of links)
    for (const link of l) {
      link.encoder.dispose();
      link.decoder.dispose();
    }
  out.frames = frames;
  return out;
}

// Builds take turns round by round, so that each sees the same machine load.
const results: Record<string, number>[][] = builds.map(() => []);
const digests: number[] = builds.map(() => 0x811c9dc5);
for (let r = 0; r < rounds; r++) {
  for (let b = 0; b < builds.length; b++) {
    digest = digests[b]!;
    results[b]!.push(round(builds[b]!));
    digests[b] = digest;
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
for (let b = 0; b < builds.length; b++) {
  console.log(`${paths[b]}: frames per round ${results[b]![0]!.frames}, digest ${digests[b]!.toString(16)}`);
  for (const key of ['define', 'refer', 'mixed']) {
    const xs = results[b]!.map((r) => r[key]!);
    console.log(
      `  ${key.padEnd(7)} ${median(xs).toFixed(0).padStart(6)} ns/frame  (${xs.map((x) => x.toFixed(0)).join(' ')})`,
    );
  }
}
