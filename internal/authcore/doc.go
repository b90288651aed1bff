// Package authcore is the transport-independent core shared by
// [github.com/cognitokit/cognitokit/middleware],
// [github.com/cognitokit/cognitokit/adapters/echoauth] and
// [github.com/cognitokit/cognitokit/adapters/grpcauth], so that the three
// give the same verdict for the same token and policy.
//
// The types and errors that users name (the rejection, its kinds, the
// TokenVerifier interface, the extraction errors) live in the public leaf
// package [github.com/cognitokit/cognitokit/middleware/auth]; this package aliases
// them under short names and keeps the engine.
//
// # Verdicts
//
// [Engine.Authenticate] verifies a token with a [TokenVerifier], applies a
// [verifier.Policy] and returns either the claims or a [*Rejection]. A
// rejection carries everything a transport needs to answer: the HTTP status
// (400, 401, 403 or 503), the RFC 6750 error code, a description that is
// safe to show to clients, the scopes a 403 needs, the WWW-Authenticate
// challenge, the Retry-After delay and a [verifier.Reason] label for logs and
// metrics. The gRPC adapter maps its [Kind] to a status code.
//
// # Extraction
//
// [ParseLookup] parses echo-jwt's TokenLookup syntax
// ("header:Authorization:Bearer ,cookie:token") into [Source] values once,
// and [Lookup.Extract] applies them to a request, rejecting ambiguous input
// (two Authorization headers, a header and a cookie that disagree) with
// [ErrAmbiguousToken]. [ParseBearer] parses one Authorization value.
// Whether a header value holds more than one credential ([Token.Single])
// is checked by the engine: before a custom verifier, and only after a
// rejection for *verifier.Verifier, which refuses such tokens itself, so
// that an accepted token is never scanned for it.
//
// # Context
//
// The adapters store a [*State] in the request context with [NewContext]
// (one allocation for the context and the state); [FromContext] reads it
// back, whichever adapter stored it.
package authcore
