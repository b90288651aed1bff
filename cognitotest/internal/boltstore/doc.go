// Package boltstore is the emulator's durable [state.Store]: one bbolt
// (go.etcd.io/bbolt) file, "cognito.db" in a data directory, with a bucket
// per kind of record.
//
// # Why bbolt
//
// The state package needs a store of bytes by kind and key with
// transactions that are atomic and durable when they return; it encodes
// the records itself and loads them all into memory at start, so the store
// is written to on every change and read only once. bbolt is exactly that:
// a B+tree of buckets in one file, one writer at a time (the state
// serializes its writers anyway), copy-on-write pages and a meta page
// written last, so that a crash leaves the last committed transaction, and
// an fsync (fdatasync) before Update returns. It is pure Go, has no schema
// to migrate and no SQL to parse, takes an exclusive file lock (so two
// emulators cannot share a data directory), and is the store etcd runs on.
// A pure-Go SQLite (modernc.org/sqlite) would give the same guarantees
// with a larger dependency (a C library translated to Go, several MB), a
// query language the emulator would not use, and a schema per record kind
// to keep in step with the records; the records are JSON documents
// already, which is what a key-value store holds.
//
// # Durability
//
// [Store.Update] returns after bbolt has committed and synced the
// transaction (bbolt's default: NoSync and NoGrowSync off), so a write the
// emulator acknowledged survives kill -9 and a power cut. A new data file
// is synced with its directory, so that the file itself survives.
//
// # Refusing damaged files
//
// [Open] reads an existing file first in read-only mode, under a shared
// lock: it checks bbolt's meta pages, loads the free list, reads every
// bucket and record, and runs bbolt's consistency check (which catches a
// damaged free list: writes would overwrite pages in use). A file that is not
// a bbolt file, or is damaged, is refused with an error wrapping
// [state.ErrCorrupt], and is never opened for writing, so the emulator
// never changes it. bbolt can panic, or fault on its memory map, when it
// reads a damaged file; Open turns such a panic into ErrCorrupt (with
// [runtime/debug.SetPanicOnFault] for faults). bbolt's Tx.Check reads in a
// goroutine of its own, where a panic cannot be recovered, so Open first
// reads, in its own goroutine, every page Check asserts on. What the
// records mean (the
// format version, kinds and fields this emulator does not know) is checked
// by [state.Open].
//
// # Locking
//
// bbolt locks the file (flock): exclusively for writing, shared for
// reading. A second emulator on the same directory, in this process or
// another, waits at most [Options.Timeout] for the lock and then fails with
// [ErrLocked].
package boltstore
