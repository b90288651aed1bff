package redisstore

import "errors"

// Sentinel errors. Errors never contain tokens or session IDs.
var (
	// ErrInvalidConfig is wrapped by every error a constructor returns.
	ErrInvalidConfig = errors.New("redisstore: invalid configuration")

	// ErrInvalidInput: a bad argument, such as an empty subject or a nil
	// context.
	ErrInvalidInput = errors.New("redisstore: invalid input")
)
