package auth

import "errors"

// Sentinel errors of the transports. Package middleware, echoauth and
// grpcauth return these values, so errors.Is works whichever transport
// produced the error. Rejections of the token itself wrap the sentinels of
// package verifier instead.
var (
	// ErrNoToken: the request carries no bearer token at all. HTTP 401
	// without an error code, as RFC 6750 section 3.1 asks; gRPC
	// Unauthenticated.
	ErrNoToken = errors.New("auth: no bearer token")

	// ErrAmbiguousToken: the request carries more than one token (two
	// Authorization headers, two cookies of the same name, or a header
	// and a cookie that disagree). RFC 6750 section 2 allows exactly one.
	// HTTP 400 invalid_request; gRPC Unauthenticated.
	ErrAmbiguousToken = errors.New("auth: more than one bearer token")

	// ErrBadAuthorization: the Authorization header names the Bearer
	// scheme but does not hold exactly one credential ("Bearer",
	// "Bearer a b"). HTTP 400 invalid_request; gRPC Unauthenticated.
	ErrBadAuthorization = errors.New("auth: malformed bearer credential")

	// ErrNoClaims: the context holds no verified claims: the request was
	// anonymous (optional credentials, a skipped request, a public gRPC
	// method) or never passed through the authentication middleware.
	// ClaimsAs returns it.
	ErrNoClaims = errors.New("auth: no verified claims in the context")

	// ErrNoMiddleware: a route requirement (Require, RequireAnyGroup, ...)
	// ran without the authentication middleware in front of it. That is
	// a wiring bug, not a client error: the request is answered 500 and
	// logged (slog.Default, Error level) with the name of the missing
	// middleware.
	ErrNoMiddleware = errors.New("auth: route requirement without the authentication middleware in front")

	// ErrInvalidInput: a bad argument, such as a nil context given to
	// grpcauth's Authenticate or ClaimsAs. Pass context.Background() or
	// the request's context.
	ErrInvalidInput = errors.New("auth: invalid input")
)
