import { describe, expect, it } from 'vitest';
import { Encoder } from '../src/encoder.js';
import type { Frame } from '../src/index.js';
import { DEFAULT_LIMITS, msgpackPayloadCodec, rectangleKeyCodec } from '../src/index.js';
import { SourceTable } from '../src/source-table.js';
import { KEPT_BUFFER_BYTES, Writer } from '../src/wire.js';

/** A frontier naming `n` sources, each with a 60-character id (a key-derived id and an incarnation). */
function frontier(n: number): Frame<number> {
  const entries = Array.from({ length: n }, (_, i) => ({
    source: `12D3KooW${String(i).padStart(44, '0')}~${i}`,
    seq: i + 1,
  }));
  return { type: 'frontier', entries };
}

describe('an encoder keeps no buffer sized to the longest frame it sent', () => {
  it('a writer drops a buffer grown past what it keeps when the next frame starts', () => {
    const w = new Writer();
    w.bytes(new Uint8Array(100_000));
    expect(w.buf.length).toBeGreaterThanOrEqual(100_000);
    w.reset();
    expect(w.buf.length).toBeLessThanOrEqual(KEPT_BUFFER_BYTES);
    w.bytes(new Uint8Array(KEPT_BUFFER_BYTES));
    const kept = w.buf;
    w.reset();
    expect(w.buf).toBe(kept);
  });

  it('after a frontier naming 1,000 sources, the link keeps a small buffer and journal', () => {
    const table = new SourceTable(true);
    const tx = new Encoder<number>(DEFAULT_LIMITS, rectangleKeyCodec, msgpackPayloadCodec, table);
    const big = tx.encode(frontier(1000));
    expect(big.length).toBeGreaterThan(50_000);
    tx.encode({ type: 'frontier', entries: [] });
    const writer = Reflect.get(tx, 'w') as Writer;
    expect(writer.buf.length).toBeLessThanOrEqual(KEPT_BUFFER_BYTES);
    expect((Reflect.get(table, 'log') as Int32Array).length).toBeLessThanOrEqual(192);
    expect(table.size).toBe(1000);
  });
});
