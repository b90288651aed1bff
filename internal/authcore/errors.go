package authcore

import (
	"errors"

	"github.com/cognitokit/cognitokit/middleware/auth"
)

// Sentinel errors of token extraction: the values of package auth, under
// the names the engine uses.
var (
	ErrNoToken          = auth.ErrNoToken
	ErrAmbiguousToken   = auth.ErrAmbiguousToken
	ErrBadAuthorization = auth.ErrBadAuthorization
	ErrNoClaims         = auth.ErrNoClaims
)

// ErrInvalidConfig is wrapped by every constructor error of the
// transports; each re-exports it as its own ErrInvalidConfig.
var ErrInvalidConfig = errors.New("cognitokit: invalid configuration")
