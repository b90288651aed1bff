package auth

import (
	"context"
	"strconv"

	"github.com/cognitokit/cognitokit/verifier"
)

// TokenVerifier verifies a bearer token and returns its claims. A
// [*verifier.Verifier] implements it; so can your own type, for tests or
// for tokens checked elsewhere.
//
// Implementations must be safe for concurrent use. They should return
// errors matching the sentinels of package verifier, which decide the
// answer: errors matching [verifier.ErrKeysUnavailable] or
// [verifier.ErrRevocationUnavailable] mean "cannot judge now" (503,
// codes.Unavailable), a [*verifier.PolicyError] means "valid
// but not allowed" (403, codes.PermissionDenied), and anything else means
// "bad token" (401, codes.Unauthenticated). Error messages are logged,
// never sent to clients, and must not contain the token. Build the
// returned claims with [verifier.ParseUnverifiedClaims] from the payload
// you have checked, so that ClaimsAs, Claims.Get and Claims.Decode work on
// them. The transports treat the returned claims as read-only, as
// *verifier.Verifier's are (it shares them between the callers of a
// token), so a verifier may return the same claims to several requests.
//
// ctx is never nil when a transport calls Verify.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (*verifier.Claims, error)
}

// Kind is the class of a [Rejection], independent of the transport. Each
// transport maps it to its own answer: see the constants.
type Kind uint8

// The kinds of rejection.
const (
	// KindMissing: the request carries no credentials at all. HTTP 401
	// without an error code (RFC 6750 section 3.1); gRPC Unauthenticated.
	KindMissing Kind = iota + 1
	// KindBadRequest: ambiguous or malformed credentials (two tokens, or
	// "Bearer" without exactly one credential). HTTP 400
	// invalid_request; gRPC Unauthenticated.
	KindBadRequest
	// KindInvalidToken: the token is not acceptable (expired, bad
	// signature, another client, the wrong kind of token...). HTTP 401
	// invalid_token; gRPC Unauthenticated.
	KindInvalidToken
	// KindForbidden: the token is valid but a policy refuses it (a
	// missing group or scope, a failed custom check). HTTP 403
	// insufficient_scope; gRPC PermissionDenied.
	KindForbidden
	// KindUnavailable: the token could not be judged because the signing
	// keys, or its revocation status, are unavailable. HTTP 503 with Retry-After; gRPC Unavailable
	// with a RetryInfo detail.
	KindUnavailable
)

// String returns the kind's name without the prefix: "missing",
// "bad_request", "invalid_token", "forbidden" or "unavailable".
func (k Kind) String() string {
	switch k {
	case KindMissing:
		return "missing"
	case KindBadRequest:
		return "bad_request"
	case KindInvalidToken:
		return "invalid_token"
	case KindForbidden:
		return "forbidden"
	case KindUnavailable:
		return "unavailable"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// The error codes of [Rejection.Code]: RFC 6750's, plus
// "temporarily_unavailable" for 503 answers.
const (
	CodeInvalidRequest    = "invalid_request"
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"
	CodeUnavailable       = "temporarily_unavailable"
)

// Rejection is the verdict for a request that may not proceed: everything
// a transport needs to answer it. The error handlers of package middleware
// and echoauth receive one. Every field except Err is safe to send to the
// client.
//
// A Rejection is an error that unwraps to Err, so errors.Is(rej,
// verifier.ErrExpired) works.
type Rejection struct {
	// Kind is the transport-independent class.
	Kind Kind
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the RFC 6750 error code ([CodeInvalidRequest],
	// [CodeInvalidToken], [CodeInsufficientScope]), [CodeUnavailable] for
	// 503, and empty when the request carried no credentials (RFC 6750
	// section 3.1).
	Code string
	// Description is a short human-readable explanation, safe for
	// clients, such as "The token has expired.".
	Description string
	// Scopes are the scopes that would satisfy a failed scope requirement
	// (403 only).
	Scopes []string
	// Challenge is the WWW-Authenticate header value for 400, 401 and
	// 403; empty for 503.
	Challenge string
	// RetryAfter is the Retry-After delay in seconds for 503; 0 otherwise.
	RetryAfter int
	// Reason is a stable label for logs and metrics: "no_token",
	// "ambiguous_token", "bad_authorization" or a [verifier.Reason] label
	// ("expired", "missing_scope", "keys_unavailable", ...).
	Reason string
	// Err is the underlying error, for logs. Never send it to clients. It
	// never contains the token.
	Err error
}

// Error returns the reason and the client-safe description.
func (r *Rejection) Error() string {
	return "auth: request rejected (" + r.Reason + "): " + r.Description
}

// Unwrap returns the underlying error.
func (r *Rejection) Unwrap() error { return r.Err }

// RetryAfterHeader returns RetryAfter as a Retry-After header value.
func (r *Rejection) RetryAfterHeader() string { return strconv.Itoa(r.RetryAfter) }
