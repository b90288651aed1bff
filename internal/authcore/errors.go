package authcore

import "errors"

// Sentinel errors of token extraction and configuration. The public
// packages re-export them under the same names, so errors.Is works across
// adapters.
var (
	// ErrNoToken: the request carries no bearer token at all.
	ErrNoToken = errors.New("cognitokit: no bearer token")

	// ErrAmbiguousToken: the request carries more than one token (two
	// Authorization headers, two cookies of the same name, or a header and
	// a cookie that disagree). RFC 6750 section 2 allows exactly one.
	ErrAmbiguousToken = errors.New("cognitokit: more than one bearer token")

	// ErrBadAuthorization: the Authorization header names the Bearer
	// scheme but does not hold exactly one credential ("Bearer",
	// "Bearer a b").
	ErrBadAuthorization = errors.New("cognitokit: malformed bearer credential")

	// ErrNoClaims: the context holds no verified claims (the request was
	// anonymous, or the authentication middleware is not installed).
	ErrNoClaims = errors.New("cognitokit: no verified claims in the context")

	// ErrInvalidConfig is wrapped by every constructor error.
	ErrInvalidConfig = errors.New("cognitokit: invalid configuration")
)
