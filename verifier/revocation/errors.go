package revocation

import "errors"

// Sentinel errors. Errors never contain tokens.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = errors.New("revocation: invalid configuration")

	// ErrInvalidEntry: an [Entry] that revokes nothing or is malformed
	// (neither OriginJTI nor Subject, both, an over-long value, a
	// Subject without IssuedBefore), or a token [EntryForToken] cannot
	// read.
	ErrInvalidEntry = errors.New("revocation: invalid entry")

	// ErrNotShared: the entry was applied in this process but could not
	// be handed to Config.Sync (Redis unreachable, for example), so other
	// replicas may not know it yet. The error also wraps Sync's error.
	// Retry [List.Revoke] or sign the user out again.
	ErrNotShared = errors.New("revocation: revocation not shared with the other replicas")

	// ErrClosed: the List was closed.
	ErrClosed = errors.New("revocation: list closed")
)
