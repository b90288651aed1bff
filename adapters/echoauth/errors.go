package echoauth

import (
	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
)

// ErrInvalidConfig is wrapped by every error [Config.ToMiddleware]
// returns. It is the same value as middleware.ErrInvalidConfig and
// grpcauth.ErrInvalidConfig.
var ErrInvalidConfig = authcore.ErrInvalidConfig

// The sentinel errors of token extraction now live in package auth, shared
// by every transport; these are the same values.
var (
	// Deprecated: use auth.ErrNoToken.
	ErrNoToken = auth.ErrNoToken
	// Deprecated: use auth.ErrAmbiguousToken.
	ErrAmbiguousToken = auth.ErrAmbiguousToken
	// Deprecated: use auth.ErrBadAuthorization.
	ErrBadAuthorization = auth.ErrBadAuthorization
	// Deprecated: use auth.ErrNoClaims.
	ErrNoClaims = auth.ErrNoClaims
)

// Rejection is the verdict for a request that may not proceed.
//
// Deprecated: use auth.Rejection, the same type, whose Kind an
// ErrorHandler can compare with auth.KindForbidden and the other kinds.
type Rejection = auth.Rejection

// TokenVerifier verifies a bearer token and returns its claims.
//
// Deprecated: use auth.TokenVerifier, the same interface.
type TokenVerifier = auth.TokenVerifier
