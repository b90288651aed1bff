package middleware

import "github.com/cognitokit/cognitokit/internal/authcore"

// Sentinel errors of token extraction, shared with package echoauth and
// grpcauth (the same values, so errors.Is works across them). Token
// rejections wrap the sentinels of package verifier.
var (
	// ErrNoToken: the request carries no bearer token (401, no error
	// code, as RFC 6750 section 3.1 asks).
	ErrNoToken = authcore.ErrNoToken
	// ErrAmbiguousToken: more than one token (two Authorization headers,
	// or a header and a cookie that disagree): 400 invalid_request.
	ErrAmbiguousToken = authcore.ErrAmbiguousToken
	// ErrBadAuthorization: "Bearer" without exactly one credential: 400
	// invalid_request.
	ErrBadAuthorization = authcore.ErrBadAuthorization
	// ErrNoClaims: the context holds no verified claims.
	ErrNoClaims = authcore.ErrNoClaims
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = authcore.ErrInvalidConfig
)

// Rejection is the verdict for a request that may not proceed: HTTP
// status, RFC 6750 error code, client-safe description, needed scopes,
// WWW-Authenticate challenge, Retry-After seconds, a reason label for logs
// and metrics, and the underlying error (Err, never to be sent to
// clients). It implements error and unwraps to Err, so errors.Is(rej,
// verifier.ErrExpired) works.
type Rejection = authcore.Rejection
