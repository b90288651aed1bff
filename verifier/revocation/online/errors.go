package online

import "errors"

// Sentinel errors.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = errors.New("online: invalid configuration")

	// ErrInvalidInput: a bad argument to [AdminSignOut] (nil context,
	// empty user pool ID or username, nil API).
	ErrInvalidInput = errors.New("online: invalid input")
)
