/**
 * `@symmetric/storage-indexeddb`: a Symmetric `PeerStore` in the browser's IndexedDB
 * (through `idb`). One database per store, one strict-durability transaction per batch,
 * checksummed records; passes the `@symmetric/storage` conformance suite in Chromium.
 *
 * @packageDocumentation
 * @module @symmetric/storage-indexeddb
 */

export {
  DATABASE_VERSION,
  type EventRow,
  type IndexedDbStoreOptions,
  openIndexedDbStore,
  type PeerStoreSchema,
  type SnapshotRow,
} from './indexeddb.js';
