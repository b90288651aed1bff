// Package auth is the old home of package
// [github.com/cognitokit/cognitokit/middleware/auth]; every name here
// forwards to it, so values and types are identical (errors.Is and type
// switches see no difference).
//
// Deprecated: import github.com/cognitokit/cognitokit/middleware/auth
// instead. This package will be removed before v1.
package auth

import "github.com/cognitokit/cognitokit/middleware/auth"

// TokenVerifier forwards to [auth.TokenVerifier].
//
// Deprecated: use [auth.TokenVerifier] from middleware/auth.
type TokenVerifier = auth.TokenVerifier

// Kind forwards to [auth.Kind].
//
// Deprecated: use [auth.Kind] from middleware/auth.
type Kind = auth.Kind

// Rejection forwards to [auth.Rejection].
//
// Deprecated: use [auth.Rejection] from middleware/auth.
type Rejection = auth.Rejection

// The kinds of rejection, forwarded.
//
// Deprecated: use the constants of middleware/auth.
const (
	KindMissing      = auth.KindMissing
	KindBadRequest   = auth.KindBadRequest
	KindInvalidToken = auth.KindInvalidToken
	KindForbidden    = auth.KindForbidden
	KindUnavailable  = auth.KindUnavailable
)

// The error codes of [Rejection.Code], forwarded.
//
// Deprecated: use the constants of middleware/auth.
const (
	CodeInvalidRequest    = auth.CodeInvalidRequest
	CodeInvalidToken      = auth.CodeInvalidToken
	CodeInsufficientScope = auth.CodeInsufficientScope
	CodeUnavailable       = auth.CodeUnavailable
)

// The sentinel errors, forwarded: each is the same value as its
// middleware/auth counterpart.
//
// Deprecated: use the errors of middleware/auth.
var (
	ErrNoToken          = auth.ErrNoToken
	ErrAmbiguousToken   = auth.ErrAmbiguousToken
	ErrBadAuthorization = auth.ErrBadAuthorization
	ErrNoClaims         = auth.ErrNoClaims
	ErrNoMiddleware     = auth.ErrNoMiddleware
	ErrInvalidInput     = auth.ErrInvalidInput
)
