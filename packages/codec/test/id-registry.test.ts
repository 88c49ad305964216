import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdRegistry } from '../src/id-registry.js';

type Op = { kind: 'acquire'; id: number } | { kind: 'retain'; id: number } | { kind: 'release'; id: number };

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('acquire' as const, 'retain' as const, 'release' as const),
  id: fc.nat(6),
});

describe('IdRegistry (slots of the ids a codec interns)', () => {
  it('names each held id by one slot, looked up as often as asked, and gives it back with its last holder', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
        const registry = new IdRegistry();
        const holders = new Map<string, number>();
        for (const o of ops) {
          // A fresh string each time (as a decoder makes): the registry compares ids by value.
          const id = `peer-${o.id}`.slice(0);
          const held = holders.get(id) ?? 0;
          if (o.kind === 'acquire') {
            registry.acquire(id);
            holders.set(id, held + 1);
          } else if (held > 0) {
            const slot = registry.slotOf(id);
            if (o.kind === 'retain') {
              expect(registry.retain(slot)).toBe(slot);
              holders.set(id, held + 1);
            } else {
              registry.release(slot);
              if (held === 1) holders.delete(id);
              else holders.set(id, held - 1);
            }
          }
          expect(registry.size).toBe(holders.size);
          const slots = new Set<number>();
          for (let k = 0; k <= 6; k++) {
            const name = `peer-${k}`;
            const slot = registry.slotOf(name);
            expect(slot >= 0).toBe(holders.has(name));
            // Asked twice in a row, the same answer.
            expect(registry.slotOf(name)).toBe(slot);
            if (slot >= 0) {
              expect(registry.id(slot)).toBe(name);
              slots.add(slot);
            }
          }
          expect(slots.size).toBe(holders.size);
        }
      }),
      // A run is up to 200 operations (100 on average, where the default size gave about 5), each
      // checked against all 7 ids: fewer runs check more operations than before.
      { numRuns: 100 },
    );
  });
});

describe('IdRegistry lookups (by the ids process numbers)', () => {
  type Many = { registry: number; kind: 'acquire' | 'release'; id: number };
  const many: fc.Arbitrary<Many> = fc.record({
    registry: fc.nat(2),
    kind: fc.constantFrom('acquire' as const, 'acquire' as const, 'release' as const),
    // More ids than the 64 slots a registry starts with room for.
    id: fc.nat(150),
  });

  it('keep every held id findable through growth and removals, several registries sharing the numbers', () => {
    fc.assert(
      fc.property(fc.array(many, { maxLength: 1_000, size: 'max' }), (ops) => {
        const registries = [new IdRegistry(), new IdRegistry(), new IdRegistry()];
        const models = registries.map(() => new Map<string, number>());
        for (const o of ops) {
          const r = registries[o.registry]!;
          const m = models[o.registry]!;
          const id = `many-${o.id}`;
          const held = m.get(id) ?? 0;
          if (o.kind === 'acquire') {
            const slot = r.acquire(id);
            if (held > 0) expect(slot).toBe(r.slotOf(id));
            m.set(id, held + 1);
          } else if (held > 0) {
            r.release(r.slotOf(id));
            if (held === 1) m.delete(id);
            else m.set(id, held - 1);
          }
        }
        registries.forEach((r, i) => {
          const m = models[i]!;
          expect(r.size).toBe(m.size);
          const slots = new Set<number>();
          for (let k = 0; k <= 150; k++) {
            const id = `many-${k}`;
            const slot = r.slotOf(id);
            expect(slot >= 0).toBe(m.has(id));
            if (slot >= 0) {
              expect(r.id(slot)).toBe(id);
              expect(slots.has(slot)).toBe(false);
              slots.add(slot);
              expect(slot).toBeLessThan(r.capacity);
            }
          }
        });
      }),
      { numRuns: 200 },
    );
  });
});
