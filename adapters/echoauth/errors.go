package echoauth

import "github.com/cognitokit/cognitokit/internal/authcore"

// Sentinel errors of token extraction, the same values as in package
// middleware and grpcauth. Token rejections wrap the sentinels of package
// verifier.
var (
	// ErrNoToken: the request carries no token (401 without an error
	// code).
	ErrNoToken = authcore.ErrNoToken
	// ErrAmbiguousToken: more than one token (two Authorization headers, or
	// TokenLookup sources that disagree): 400 invalid_request.
	ErrAmbiguousToken = authcore.ErrAmbiguousToken
	// ErrBadAuthorization: "Bearer" without exactly one credential: 400
	// invalid_request.
	ErrBadAuthorization = authcore.ErrBadAuthorization
	// ErrNoClaims: the context holds no verified claims.
	ErrNoClaims = authcore.ErrNoClaims
	// ErrInvalidConfig is wrapped by every error [Config.ToMiddleware]
	// returns.
	ErrInvalidConfig = authcore.ErrInvalidConfig
)

// Rejection is the verdict for a request that may not proceed; the
// ErrorHandler receives one as its error. See the field documentation in
// package middleware: it is the same type.
type Rejection = authcore.Rejection
