/**
 * `@symmetric/storage`: what a Symmetric peer keeps locally so that its room survives a
 * restart — the {@link PeerStore} interface, its record types and typed error, the
 * {@link BatchingStore} every store is built on (a medium implements {@link StoreBackend}),
 * and an in-memory store. No I/O: `@symmetric/storage-sqlite` and
 * `@symmetric/storage-indexeddb` are stores on real media. The conformance suite lives at
 * `@symmetric/storage/conformance` (vitest) and `@symmetric/storage/checks` (any runner).
 *
 * @packageDocumentation
 * @module @symmetric/storage
 */

export type {
  BackendContents,
  BackendEvent,
  BackendMeta,
  BackendSnapshot,
  BackendWrite,
  StoreBackend,
} from './backend.js';
export { BatchingStore } from './batching.js';
export { crc32 } from './crc32.js';
export { damageBlob, damageTarget, type StoreDamage } from './damage.js';
export { isStoreError, StoreError, type StoreErrorCode } from './errors.js';
export { MemoryDisk, type MemoryStoreOptions, memoryStore } from './memory.js';
export {
  checkStoreHeader,
  encodeStoreHeader,
  STORE_FORMAT_VERSION,
  type StoreHeader,
} from './records.js';
export type {
  BatchOptions,
  DroppedRecord,
  PeerIdentity,
  PeerStore,
  StoredEvent,
  StoredKey,
  StoredSnapshot,
  StoredState,
  StoreScope,
  StoreStats,
  WriteTicket,
} from './types.js';
