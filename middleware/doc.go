// Package middleware protects net/http handlers with Amazon Cognito
// tokens: a func(http.Handler) http.Handler that works with the standard
// ServeMux, chi, gorilla/mux and anything else built on http.Handler.
//
// # Usage
//
//	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{
//		UserPoolID: "us-east-1_AbC123",
//		ClientIDs:  []string{"3k8v9ab1c2d3e4f5g6h7i8j9k0"},
//		TokenUse:   verifier.TokenUseAccess,
//	}}})
//	...
//	authenticate, err := middleware.New(v, middleware.Config{Realm: "shop"})
//	...
//	mux := http.NewServeMux()
//	mux.Handle("GET /admin/", middleware.RequireAnyGroup("admin")(admin))
//	mux.Handle("GET /orders", middleware.RequireAnyScope("orders/read")(orders))
//	http.ListenAndServe(addr, authenticate(mux))
//
// Handlers read the verified claims with [ClaimsFromContext] (check its
// ok), or decode them once per request into their own type with
// [ClaimsAs].
//
// The types and errors that handlers and error handlers name (the
// rejection and its kinds, the TokenVerifier interface, ErrNoToken and the
// other extraction errors) live in package
// [github.com/cognitokit/cognitokit/middleware/auth], shared with package echoauth
// and grpcauth; its documentation maps the names of every transport.
//
// # Behind an Application Load Balancer
//
// A service whose ALB listener rule authenticates users
// (authenticate-cognito) receives no bearer token: the ALB forwards the
// user's claims in x-amzn-oidc-data, signed with its own key, plus the
// access token and the user's sub in plain headers. [NewALB] verifies
// them with a [github.com/cognitokit/cognitokit/verifier/alb.Verifier]
// and otherwise works as [New]: the same ClaimsFromContext, route
// requirements and rejections.
//
//	albv, err := alb.New(alb.Config{ALBARNs: []string{arn}, ClientIDs: []string{clientID}, Issuer: issuer})
//	...
//	authenticate, err := middleware.NewALB(albv, middleware.Config{})
//
// Never read x-amzn-oidc-identity, or the claims in x-amzn-oidc-data
// without checking their signature: anyone who can reach the service
// without going through the ALB can send those headers with any value.
// NewALB believes only what the configured load balancer signed.
//
// # Token extraction
//
// The token comes from "Authorization: Bearer <token>" (the scheme is
// matched case-insensitively, and exactly one credential must follow), and
// optionally from a cookie (Config.Cookie), a query parameter
// (Config.QueryParam, off by default because URLs leak into logs) or a
// custom Config.Extractor. Ambiguous requests are rejected with 400
// invalid_request: two Authorization headers, two cookies of that name, or
// sources that disagree.
//
// # Policies
//
// Config.Policy applies to every request. Route requirements —
// [RequireAnyGroup], [RequireAllGroups], [RequireAnyScope],
// [RequireAllScopes], [RequireTokenUse], [RequireFunc] and the general
// [Require] — wrap single handlers and nest, so one API can protect /admin
// with a group and /orders with a scope. The names say any-of or all-of:
// RequireAnyGroup("admin", "support") lets either group in,
// RequireAllGroups("admin", "support") only members of both.
//
// A requirement needs the middleware from [New] in front of it. Served
// without it, which is a wiring bug, it answers 500 and logs an error
// naming itself and the missing middleware (auth.ErrNoMiddleware), rather
// than telling a client with a valid token that it sent none.
//
// # Responses
//
// Rejections follow RFC 6750 and never reveal internal details:
//
//   - 401 with WWW-Authenticate: Bearer realm="…" when the request has no
//     token (RFC 6750 section 3.1: no error code then);
//   - 401 with error="invalid_token" and an error_description for a bad,
//     expired or foreign token, or one of the wrong kind (ID vs access);
//   - 400 with error="invalid_request" for ambiguous credentials;
//   - 403 with error="insufficient_scope" (and scope="…" naming the scopes
//     that would do) when a policy refuses a valid token;
//   - 503 with Retry-After when the signing keys cannot be obtained
//     (verifier.ErrKeysUnavailable), so that an outage of the identity
//     provider never looks like a bad token.
//
// The body is a small JSON object, {"error": …, "error_description": …},
// replaceable with Config.ErrorBody; Config.ErrorHandler replaces the whole
// response and receives an [*auth.Rejection] with the kind
// (auth.KindForbidden, ...), status, headers, reason and underlying error.
// Responses carry Cache-Control: no-store.
//
// Anonymous requests pass with no claims when Config.Optional is set, and
// Config.Skipper exempts requests.
//
// # CORS preflights
//
// An unauthenticated request never reaches your handlers. That includes
// CORS preflights (OPTIONS with Access-Control-Request-Method), which
// browsers send without credentials and any script can send: a route
// registered without a method, such as mux.HandleFunc("/admin/delete-user",
// h), would otherwise run for them. By default the middleware answers a
// preflight itself with 204 No Content and no other header, so browsers
// refuse cross-origin calls unless you configured CORS. To allow them, put
// your CORS handler in front of the middleware (cors(auth(mux))), or set
// Config.PreflightHandler to a handler that answers preflights (never your
// application). Config.AuthenticatePreflight instead treats a preflight
// like any request (401 without a token).
//
// # Logging
//
// With Config.Logger set, each rejection is logged once through log/slog
// with its reason label (the [verifier.Reason] of the error), status,
// method and path, at Info level (Warn for 503). Tokens are never logged.
//
// # Custom verifiers
//
// Any [auth.TokenVerifier] works in place of a *verifier.Verifier. Its
// errors are mapped like the verifier's: errors matching
// verifier.ErrKeysUnavailable become 503, *verifier.PolicyError becomes
// 403, anything else 401. It builds its claims with
// verifier.ParseUnverifiedClaims from the payload it has checked.
//
// The same core drives package echoauth and grpcauth, so the three give
// the same verdict for the same token and policy.
package middleware
