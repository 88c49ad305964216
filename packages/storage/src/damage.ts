/**
 * Damage a store's records on purpose, the same way on every medium: the conformance suite's
 * integrity checks and the crash tests use it through each store's test hooks.
 */

/**
 * Which damage to do: flip bytes inside the most recently written event or snapshot record
 * (`corrupt-*`), cut it short as a torn write would (`tear-*`), or flip a byte of the store
 * header (`corrupt-header`).
 */
export type StoreDamage =
  | 'corrupt-last-event'
  | 'tear-last-event'
  | 'corrupt-last-snapshot'
  | 'tear-last-snapshot'
  | 'corrupt-header';

/** A damaged copy of a record blob: `corrupt` flips one byte in its middle, `tear` keeps its first half. */
export function damageBlob(blob: Uint8Array, how: 'corrupt' | 'tear'): Uint8Array {
  if (how === 'tear') return blob.slice(0, Math.floor(blob.length / 2));
  const out = blob.slice();
  const at = Math.floor(out.length / 2);
  out[at] = (out[at] as number) ^ 0x5a;
  return out;
}

/** How a {@link StoreDamage} applies: which record and which damage. */
export function damageTarget(damage: StoreDamage): {
  record: 'event' | 'snapshot' | 'header';
  how: 'corrupt' | 'tear';
} {
  switch (damage) {
    case 'corrupt-last-event':
      return { record: 'event', how: 'corrupt' };
    case 'tear-last-event':
      return { record: 'event', how: 'tear' };
    case 'corrupt-last-snapshot':
      return { record: 'snapshot', how: 'corrupt' };
    case 'tear-last-snapshot':
      return { record: 'snapshot', how: 'tear' };
    case 'corrupt-header':
      return { record: 'header', how: 'corrupt' };
  }
}
