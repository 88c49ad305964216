/**
 * The per-source tables' insertion order ({@link SlotOrder}, in `@symmetric/core`, whose
 * timeline orders its per-source log the same way), re-exported for the modules of this package
 * that still import it from here.
 * @internal
 */
export { NO_SLOT, SlotOrder, tableSize } from '@symmetric/core';
