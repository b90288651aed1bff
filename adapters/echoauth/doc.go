// Package echoauth protects Echo (github.com/labstack/echo/v4) routes with
// Amazon Cognito tokens, following the conventions of echo-jwt.
//
// # Usage
//
//	e := echo.New()
//	e.Use(echoauth.WithConfig(echoauth.Config{
//		Verifier:    v, // a *verifier.Verifier
//		TokenLookup: "header:Authorization:Bearer ,cookie:token",
//	}))
//	e.GET("/admin", admin, echoauth.RequireAnyGroup("admin"))
//	e.GET("/orders", orders, echoauth.RequireAnyScope("orders/read"))
//
// [WithConfig] panics on an invalid Config, for wiring in main;
// [Config.ToMiddleware] returns the error instead. TokenLookup is parsed
// once, at construction; every source is consulted on each request and
// disagreeing sources are rejected, so a cookie cannot silently override a
// header.
//
// Handlers read the claims with [ClaimsFromContext] (check its ok) or
// [ClaimsAs], or with c.Get(Config.ContextKey) when that is set; code that
// only has the request context can call middleware.ClaimsFromContext.
//
// # Requirements
//
// Route requirements ([RequireAnyGroup], [RequireAllGroups],
// [RequireAnyScope], [RequireAllScopes], [RequireTokenUse], [RequireFunc]
// and the general [Require]) are Echo route middleware. The names say
// any-of or all-of. A requirement needs the authentication middleware in
// front; without it, which is a wiring bug, it answers 500 and logs an
// error naming itself and the missing middleware (auth.ErrNoMiddleware).
//
// The rejection, its kinds, the TokenVerifier interface and the extraction
// errors live in package [github.com/cognitokit/cognitokit/middleware/auth], shared
// with package middleware and grpcauth; its documentation maps the names
// of every transport.
//
// # Errors
//
// Rejections become *echo.HTTPError values with the same status codes as
// package middleware (400, 401, 403, 503) and a JSON message
// {"error": …, "error_description": …}; the WWW-Authenticate header (RFC
// 6750) or Retry-After is set on the response. A Config.ErrorHandler
// receives the *auth.Rejection and can call [ErrorResponse] for the default;
// with Config.ContinueOnIgnoredError, a nil result lets the request through
// without claims, as in echo-jwt.
//
// # CORS preflights
//
// An unauthenticated request never reaches a route's handler, including
// routes registered with e.Any or with e.Match and OPTIONS. CORS
// preflights (OPTIONS with Access-Control-Request-Method), which browsers
// send without credentials, are answered by the middleware with 204 No
// Content and no other header, so browsers refuse cross-origin calls
// unless you configured CORS. To allow them, register Echo's CORS
// middleware before this one (it answers preflights itself), or set
// Config.PreflightHandler, for example to
// middleware.CORS()(func(c echo.Context) error { return c.NoContent(204) }).
// Config.AuthenticatePreflight instead treats a preflight like any request
// (401 without a token).
//
// The verdicts are the ones of package middleware and grpcauth: the three
// share one core.
package echoauth
