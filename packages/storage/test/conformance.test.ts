import { type BatchingStore, MemoryDisk, memoryStore, type PeerStore } from '@symmetric/storage';
import { runStoreConformance } from '@symmetric/storage/conformance';

// The in-memory store runs the whole suite, every hook included.
let disk = new MemoryDisk();
let n = 0;
runStoreConformance('memory', {
  location: () => `store-${n++}`,
  open: (name, scope, options) => memoryStore({ ...scope, ...options, disk, name }),
  crash: (store: PeerStore) => (store as BatchingStore).abandon(),
  damage: (name, damage) => disk.damage(name, damage),
  setFormatVersion: (name, version) => disk.setFormatVersion(name, version),
  cleanup: () => {
    disk = new MemoryDisk();
  },
  propertyRuns: 60,
});
