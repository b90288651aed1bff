package cognitotest

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/boltstore"
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
)

// The sentinel errors returned by the Go API of this package (the helpers
// that create pools, clients and users and mint tokens). Every error returned
// by a helper wraps exactly one of them, so tests match with [errors.Is].
//
// Errors of the emulated Cognito API are not Go errors of this package: they
// travel over HTTP with the AWS wire shape, and the AWS SDK turns them into
// its own typed exceptions such as *types.NotAuthorizedException.
var (
	// ErrInvalidConfig reports a helper argument that is malformed or
	// inconsistent: a bad pool ID, an unknown auth flow, a password that
	// violates the pool's policy, ...
	ErrInvalidConfig = emulator.ErrInvalidConfig

	// ErrNotFound reports a pool, app client, user, group or resource server
	// that does not exist.
	ErrNotFound = emulator.ErrNotFound

	// ErrAlreadyExists reports a pool, app client, user or group that
	// already exists.
	ErrAlreadyExists = emulator.ErrAlreadyExists

	// ErrClosed reports a call on a server that has been closed.
	ErrClosed = emulator.ErrClosed

	// ErrDataInUse reports a data directory ([WithDataDir]) that another
	// server uses: another "cognito local --data", or a server of this
	// process that is not closed.
	ErrDataInUse = boltstore.ErrLocked

	// ErrDataFormat reports a data directory written by a newer emulator
	// (a newer format version, or kinds of records or fields this one does
	// not know), or not by the emulator at all. The server does not start,
	// and does not change the directory.
	ErrDataFormat = state.ErrFormat

	// ErrDataCorrupt reports a data directory whose file is damaged, or is
	// not an emulator's data file. The server does not start, and does not
	// change the directory.
	ErrDataCorrupt = state.ErrCorrupt

	// ErrCiphertext reports a code of a custom sender trigger that
	// [DecryptCode] cannot decrypt with the KMS key ID it was given.
	ErrCiphertext = userpool.ErrCiphertext
)

func invalidf(format string, args ...any) error { return emulator.Invalidf(format, args...) }

func notFoundf(format string, args ...any) error { return emulator.NotFoundf(format, args...) }
