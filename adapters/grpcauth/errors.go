package grpcauth

import (
	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/middleware/auth"
)

// Sentinel errors of this package.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns. It is the
	// same value as middleware.ErrInvalidConfig and
	// echoauth.ErrInvalidConfig.
	ErrInvalidConfig = authcore.ErrInvalidConfig
	// ErrInsecureTransport: [TokenCredentials] refused to send a token
	// over a connection without transport security.
	ErrInsecureTransport = errInsecureTransport
	// ErrNoTokenSource: [TokenCredentials] has no Source, or the source
	// returned an empty or non-Bearer token.
	ErrNoTokenSource = errNoTokenSource
)

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

// TokenVerifier verifies a bearer token and returns its claims.
//
// Deprecated: use auth.TokenVerifier, the same interface.
type TokenVerifier = auth.TokenVerifier
