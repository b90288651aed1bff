// Package auth holds what the transports of cognitokit share and what your
// code names: the [TokenVerifier] interface, the [Rejection] an error
// handler receives, its [Kind], and the sentinel errors of token
// extraction. Package middleware (net/http), echoauth (Echo) and grpcauth
// (gRPC) all use these types and values, so an error handler or an
// errors.Is check reads the same whichever transport produced it:
//
//	authenticate, err := middleware.New(v, middleware.Config{
//		ErrorHandler: func(w http.ResponseWriter, r *http.Request, rej *auth.Rejection) {
//			if rej.Kind == auth.KindForbidden {
//				http.Error(w, "Ask an admin for access.", rej.Status)
//				return
//			}
//			middleware.WriteError(w, rej)
//		},
//	})
//
// The package is a leaf: it imports only package verifier, and no
// transport. The engine that turns a token into a verdict is internal; its
// verdicts are the same for the three transports, which a shared test
// table checks.
//
// # Kinds of rejection
//
//	Kind              HTTP (middleware, echoauth)              gRPC (grpcauth)
//	KindMissing       401, no error code                       Unauthenticated
//	KindBadRequest    400 invalid_request                      Unauthenticated
//	KindInvalidToken  401 invalid_token                        Unauthenticated
//	KindForbidden     403 insufficient_scope (scope="…")       PermissionDenied
//	KindUnavailable   503 with Retry-After                     Unavailable with RetryInfo
//
// # One vocabulary
//
// A concept has one name, and one shape where the transport allows, in
// every package:
//
//	concept               middleware (net/http)    echoauth (Echo)               grpcauth (gRPC)                weblogin (web sign-in)
//	verifier              auth.TokenVerifier       Config.Verifier               auth.TokenVerifier             oauth.Config.IDTokenVerifier
//	authenticate          New(v, Config)           WithConfig, ToMiddleware      New(v, Config): interceptors   New(Config), RequireLogin
//	behind an ALB         NewALB(albv, Config)     Config.ALB                    (see package alb)              -
//	any of groups         RequireAnyGroup(g...)    RequireAnyGroup(g...)         RequireAnyGroup(g...)          Handler.RequireAnyGroup(g...)
//	all of groups         RequireAllGroups(g...)   RequireAllGroups(g...)        RequireAllGroups(g...)         Handler.RequireAllGroups(g...)
//	any of scopes         RequireAnyScope(s...)    RequireAnyScope(s...)         RequireAnyScope(s...)          -
//	all of scopes         RequireAllScopes(s...)   RequireAllScopes(s...)        RequireAllScopes(s...)         -
//	ID or access token    RequireTokenUse(use)     RequireTokenUse(use)          RequireTokenUse(use)           - (sessions are ID tokens)
//	custom check          RequireFunc(check)       RequireFunc(check)            RequireFunc(check)             -
//	any policy            Require(p)               Require(p)                    Config.Policy, Config.Methods  -
//	claims of a request   ClaimsFromContext(ctx)   ClaimsFromContext(c)          ClaimsFromContext(ctx)         SessionFromContext(ctx)
//	claims as your type   ClaimsAs[T](ctx)         ClaimsAs[T](c)                ClaimsAs[T](ctx)               Session.IDClaims(), then Decode
//	answer a rejection    Config.ErrorHandler      Config.ErrorHandler           (status codes above)           Config.ErrorPage
//	the default answer    WriteError(w, rej)       ErrorResponse(c, err)         -                              -
//	no claims             ErrNoClaims (ClaimsAs)   ErrNoClaims (ClaimsAs)        ErrNoClaims (ClaimsAs)         ErrNoClaims (Session.IDClaims)
//	bad configuration     ErrInvalidConfig         ErrInvalidConfig              ErrInvalidConfig               ErrInvalidConfig
//
// The shapes follow each transport: a route requirement is
// func(http.Handler) http.Handler in net/http and weblogin, an
// echo.MiddlewareFunc in Echo, and a verifier.Policy for Config.Methods in
// gRPC, where requirements are per method. Every Require… helper panics on
// an empty list, an empty or unquotable name, an unknown token use or a
// nil check, since requirements are constants written at wiring time.
// echoauth is configured as echo-jwt is (WithConfig panics, ToMiddleware
// returns the error), with the verifier in its Config, and its default
// answer is an *echo.HTTPError returned to Echo rather than a response
// written. The ErrInvalidConfig
// of middleware, echoauth and grpcauth are the same value. The names say
// any-of or all-of: RequireAnyGroup("admin", "support") lets either group
// in, RequireAllGroups("admin", "support") only members of both; the
// fields of verifier.Policy (AnyGroups, AllGroups, AnyScopes, AllScopes)
// and the Claims helpers (HasAnyGroup, HasAllScopes, ...) use the same
// words.
//
// Behind an Application Load Balancer that authenticates users, the
// identity comes from the headers it forwards, not from a bearer token:
// middleware.NewALB and echoauth's Config.ALB verify them with package
// verifier/alb (the signed x-amzn-oidc-data, never the bare
// x-amzn-oidc-identity) and then behave as in bearer mode, with the same
// ClaimsFromContext, Require… helpers and rejections;
// alb.IdentityFromContext returns the user and access-token claims.
//
// Claims getters return ok false when the request has no claims (an
// anonymous request under Config.Optional, a skipped request, a public gRPC
// method, a route outside the middleware); check it before using the
// claims. ClaimsAs fails with [ErrNoClaims] then.
//
// # Mistakes in the wiring
//
// A route requirement needs the authentication middleware in front of it.
// Served without it, it cannot tell a good token from a bad one, so it
// answers 500 (never 401, which would tell a client with a valid token
// that it sent none) and logs, on slog.Default at Error level, an error
// wrapping [ErrNoMiddleware] that names the requirement and the missing
// middleware.
//
// A nil context given to an entry point that takes one (grpcauth's
// Authenticate, AuthFunc and TokenCredentials, ClaimsAs) is an error
// wrapping [ErrInvalidInput], never a panic; ClaimsFromContext(nil)
// reports no claims. verifier.Verify does the same with
// verifier.ErrInvalidInput, and so do package oauth, srpclient and
// identitypool with their own ErrInvalidInput.
//
// # Custom verifiers
//
// Any [TokenVerifier] can stand in for a *verifier.Verifier, in tests or
// for tokens checked by other means: in the three transports, and as
// oauth.Config.IDTokenVerifier (which weblogin uses), where the oauth
// client still checks the token use, the client, the nonce and at_hash
// itself. Build its claims with
// verifier.ParseUnverifiedClaims from the payload it has checked, so that
// ClaimsAs, Claims.Get and Claims.Decode read them as they read verified
// claims, and return errors that match the sentinels of package verifier
// to choose the answer (see [TokenVerifier]).
//
// # Names before v1
//
// These names still work and are deprecated:
//
//	old name                                                new name
//	middleware.Rejection, echoauth.Rejection                auth.Rejection
//	TokenVerifier of middleware, echoauth and grpcauth      auth.TokenVerifier
//	ErrNoToken, ErrAmbiguousToken, ErrBadAuthorization
//	and ErrNoClaims of middleware, echoauth and grpcauth    the same names in package auth
//	middleware.RequireGroups, echoauth.RequireGroups        RequireAnyGroup
//	middleware.RequireScopes, echoauth.RequireScopes        RequireAnyScope
//	echoauth.Claims                                         echoauth.ClaimsFromContext
//	weblogin.Handler.RequireGroup                           weblogin.Handler.RequireAnyGroup
//	weblogin.Session.Claim(name)                            weblogin.Session.IDClaims, then String(name)
//
// grpcauth.RequireTokenUse now returns a verifier.Policy and panics on a
// bad value, like the RequireTokenUse of the other transports, instead of
// returning (verifier.Policy, error).
package auth
