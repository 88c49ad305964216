/**
 * Fuzz engine shared by the CI fuzz test (test/fuzz.test.ts, against src) and the long fuzz run
 * (bench/fuzz.ts, against dist). It takes the codec module as an argument so it imports nothing
 * itself. Plain erasable TypeScript: runs under `node` directly.
 *
 * Inputs are random byte strings and mutations (bit flips, truncation, insertion, deletion,
 * overwrites with boundary bytes, splices) of valid frames taken from recorded link sequences;
 * the decoder is first brought to the state the link had before that frame, so mutated peer-id
 * references hit real table entries. The property: `decode` returns a frame or throws a
 * `CodecError` whose code is not `INTERNAL`; and a frame it returns re-encodes to bytes that a
 * fresh decoder turns into an equal frame (checked for corpora whose payload codec is canonical).
 */

declare const performance: { now(): number };

/** The parts of `@symmetric/codec` the engine drives (src in tests, dist in the bench). */
export interface FuzzApi {
  createCodec(options?: object): {
    encoder(): { encode(frame: unknown): Uint8Array };
    decoder(): { decode(bytes: Uint8Array): unknown };
  };
  CodecError: new (...args: never[]) => Error & { code: string };
  /** The envelope's version byte. */
  PROTOCOL_VERSION: number;
}

/** Valid frame sequences for one codec configuration. */
export interface FuzzCorpus {
  name: string;
  options: object;
  /** Each entry is the frames of one link, in order. */
  sequences: unknown[][];
  /** Check decode → encode → decode equality on accepted inputs (payload codec is canonical). */
  roundTrip: boolean;
}

/** What a run found. */
export interface FuzzReport {
  cases: number;
  accepted: number;
  rejectedByCode: Record<string, number>;
  /** Inputs that broke the property (hex + what happened); empty when the codec is sound. */
  violations: string[];
  ms: number;
}

/** xorshift32: deterministic, seedable, fast. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const BOUNDARY = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x02, 0x0a, 0x0b];

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function mutate(input: Uint8Array, other: Uint8Array, next: () => number): Uint8Array {
  let bytes = input.slice();
  const ops = 1 + (next() % 3);
  for (let k = 0; k < ops; k++) {
    const op = next() % 7;
    const pos = bytes.length === 0 ? 0 : next() % (bytes.length + 1);
    switch (op) {
      case 0: // bit flips
      case 1: {
        if (bytes.length === 0) break;
        const flips = 1 + (next() % 4);
        for (let i = 0; i < flips; i++) {
          const at = next() % bytes.length;
          bytes[at] = bytes[at]! ^ (1 << (next() % 8));
        }
        break;
      }
      case 2: // truncate
        bytes = bytes.slice(0, pos);
        break;
      case 3: {
        // insert random bytes
        const n = 1 + (next() % 8);
        const out = new Uint8Array(bytes.length + n);
        out.set(bytes.subarray(0, pos));
        for (let i = 0; i < n; i++) out[pos + i] = next() & 0xff;
        out.set(bytes.subarray(pos), pos + n);
        bytes = out;
        break;
      }
      case 4: {
        // delete a range
        const n = 1 + (next() % 8);
        const out = new Uint8Array(Math.max(0, bytes.length - n));
        out.set(bytes.subarray(0, Math.min(pos, out.length)));
        if (pos + n < bytes.length) out.set(bytes.subarray(pos + n), pos);
        bytes = out;
        break;
      }
      case 5: // overwrite with a boundary byte
        if (bytes.length > 0) bytes[next() % bytes.length] = BOUNDARY[next() % BOUNDARY.length]!;
        break;
      default: {
        // splice: our head + the other frame's tail
        const cut = other.length === 0 ? 0 : next() % other.length;
        const out = new Uint8Array(pos + other.length - cut);
        out.set(bytes.subarray(0, pos));
        out.set(other.subarray(cut), pos);
        bytes = out;
      }
    }
  }
  return bytes;
}

function randomBytes(next: () => number, version: number): Uint8Array {
  const n = next() % 48;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  // Half the time make it past the envelope check: this version and a real (or nearly real) type.
  if (n >= 2 && (next() & 1) === 0) {
    out[0] = version;
    out[1] = next() % 12;
  }
  return out;
}

/**
 * Run `cases` fuzz cases over the corpora (split evenly), deterministic for a given `seed`.
 * About one case in five is pure random bytes; the rest mutate recorded frames.
 */
export function runFuzz(api: FuzzApi, corpora: FuzzCorpus[], cases: number, seed: number): FuzzReport {
  const started = performance.now();
  const next = rng(seed);
  const report: FuzzReport = { cases: 0, accepted: 0, rejectedByCode: {}, violations: [], ms: 0 };
  const prepared = corpora.map((corpus) => {
    const codec = api.createCodec(corpus.options);
    const sequences = corpus.sequences
      .filter((seq) => seq.length > 0)
      .map((frames) => {
        const enc = codec.encoder();
        return frames.map((f) => enc.encode(f));
      });
    return { corpus, codec, sequences };
  });
  for (let c = 0; c < cases; c++) {
    const p = prepared[c % prepared.length]!;
    if (p.sequences.length === 0) continue;
    const seq = p.sequences[next() % p.sequences.length]!;
    const at = next() % seq.length;
    const decoder = p.codec.decoder();
    for (let i = 0; i < at; i++) decoder.decode(seq[i]!);
    let input: Uint8Array;
    if (next() % 5 === 0) input = randomBytes(next, api.PROTOCOL_VERSION);
    else {
      const otherSeq = p.sequences[next() % p.sequences.length]!;
      input = mutate(seq[at]!, otherSeq[next() % otherSeq.length]!, next);
    }
    report.cases++;
    let frame: unknown;
    try {
      frame = decoder.decode(input);
    } catch (err) {
      if (!(err instanceof api.CodecError)) {
        report.violations.push(`${p.corpus.name} ${hex(input)}: threw non-CodecError ${String(err)}`);
      } else {
        report.rejectedByCode[err.code] = (report.rejectedByCode[err.code] ?? 0) + 1;
        if (err.code === 'INTERNAL') report.violations.push(`${p.corpus.name} ${hex(input)}: ${err.message}`);
      }
      continue;
    }
    report.accepted++;
    if (
      frame === null ||
      typeof frame !== 'object' ||
      typeof (frame as { type?: unknown }).type !== 'string'
    ) {
      report.violations.push(`${p.corpus.name} ${hex(input)}: returned a non-frame`);
      continue;
    }
    if (!p.corpus.roundTrip) continue;
    try {
      const again = p.codec.decoder().decode(p.codec.encoder().encode(frame));
      if (!deepEqual(again, frame))
        report.violations.push(`${p.corpus.name} ${hex(input)}: re-encode differs`);
    } catch (err) {
      report.violations.push(`${p.corpus.name} ${hex(input)}: accepted but re-encode failed: ${String(err)}`);
    }
  }
  report.ms = performance.now() - started;
  return report;
}

/** Structural equality for decoded frames (plain objects, arrays, Uint8Array, numbers incl. -0). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
