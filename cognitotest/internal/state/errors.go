package state

import "errors"

// Errors of the state package.
var (
	// ErrClosed reports a transaction on a closed store.
	ErrClosed = errors.New("state: store closed")
	// ErrReadOnly reports a write in a read-only transaction.
	ErrReadOnly = errors.New("state: write in a read-only transaction")
	// ErrFormat reports a store written in another format: by a newer
	// emulator, or not by this one at all. Open never writes to such a
	// store.
	ErrFormat = errors.New("state: unsupported data format")
	// ErrCorrupt reports a record that cannot be decoded, or a store
	// that cannot be read.
	ErrCorrupt = errors.New("state: corrupt data")
	// ErrCommit reports that the store could not commit a transaction; the
	// state is as it was before the transaction.
	ErrCommit = errors.New("state: commit failed")
)
