package grpcauth

import "github.com/cognitokit/cognitokit/internal/authcore"

// Sentinel errors, the same values as in package middleware and echoauth.
var (
	// ErrNoToken: the call carries no "authorization: Bearer" metadata
	// (codes.Unauthenticated).
	ErrNoToken = authcore.ErrNoToken
	// ErrAmbiguousToken: more than one authorization value
	// (codes.Unauthenticated).
	ErrAmbiguousToken = authcore.ErrAmbiguousToken
	// ErrBadAuthorization: "Bearer" without exactly one credential
	// (codes.Unauthenticated).
	ErrBadAuthorization = authcore.ErrBadAuthorization
	// ErrNoClaims: the context holds no verified claims.
	ErrNoClaims = authcore.ErrNoClaims
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = authcore.ErrInvalidConfig
	// ErrInsecureTransport: [TokenCredentials] refused to send a token
	// over a connection without transport security.
	ErrInsecureTransport = errInsecureTransport
	// ErrNoTokenSource: [TokenCredentials] has no Source, or the source
	// returned an empty or non-Bearer token.
	ErrNoTokenSource = errNoTokenSource
)
