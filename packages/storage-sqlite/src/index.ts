/**
 * `@symmetric/storage-sqlite`: a Symmetric `PeerStore` in one SQLite file, on Node's
 * built-in `node:sqlite` (Node 24). WAL journal, batched transactions, prepared statements,
 * checksummed records; passes the `@symmetric/storage` conformance suite.
 *
 * @packageDocumentation
 * @module @symmetric/storage-sqlite
 */

export { openSqliteStore, type SqliteStoreOptions } from './sqlite.js';
