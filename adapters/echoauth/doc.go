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
//	e.GET("/admin", admin, echoauth.RequireGroups("admin"))
//	e.GET("/orders", orders, echoauth.RequireScopes("orders/read"))
//
// [WithConfig] panics on an invalid Config, for wiring in main;
// [Config.ToMiddleware] returns the error instead. TokenLookup is parsed
// once, at construction; every source is consulted on each request and
// disagreeing sources are rejected, so a cookie cannot silently override a
// header.
//
// Handlers read the claims with [Claims] (or c.Get(Config.ContextKey) when set),
// and code that only has the request context can call
// middleware.ClaimsFromContext.
//
// # Errors
//
// Rejections become *echo.HTTPError values with the same status codes as
// package middleware (400, 401, 403, 503) and a JSON message
// {"error": …, "error_description": …}; the WWW-Authenticate header (RFC
// 6750) or Retry-After is set on the response. A Config.ErrorHandler
// receives the [*Rejection] and can call [ErrorResponse] for the default;
// with Config.ContinueOnIgnoredError, a nil result lets the request through
// without claims, as in echo-jwt.
//
// The verdicts are the ones of package middleware and grpcauth: the three
// share one core.
package echoauth
