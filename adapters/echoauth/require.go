package echoauth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/verifier"
)

// Require returns route middleware that lets a request through only when
// its verified claims satisfy p:
//
//	e.GET("/admin", h, echoauth.RequireAnyGroup("admin"))
//
// Put the authentication middleware in front (e.Use or the group). A
// request without claims (anonymous under Config.Optional, or skipped) is
// answered 401, a policy failure 403 insufficient_scope, through the
// middleware's ErrorHandler when it has one (ContinueOnIgnoredError does
// not apply here).
//
// Served without the authentication middleware in front (a wiring bug), a
// requirement answers every request 500, with an *echo.HTTPError whose
// Internal error wraps auth.ErrNoMiddleware, and logs that error on
// slog.Default at Error level: it cannot tell a good token from a bad one.
//
// Require panics if a group or scope name is empty or contains spaces,
// quotes or control characters.
func Require(p verifier.Policy) echo.MiddlewareFunc {
	return require("echoauth.Require", p)
}

// requirement is one route requirement. Echo applies route middleware on
// every request, so the closure it builds per request captures only this
// pointer and next.
type requirement struct {
	name string // for the log line when the middleware is missing
	p    verifier.Policy
}

func require(name string, p verifier.Policy) echo.MiddlewareFunc {
	if err := authcore.ValidatePolicy(p); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	rq := &requirement{name: name, p: p}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return rq.serve(c, next) }
	}
}

func (rq *requirement) serve(c echo.Context, next echo.HandlerFunc) error {
	r := c.Request()
	ctx := r.Context()
	st := authcore.FromContext(ctx)
	if st == nil {
		err := authcore.NoMiddleware(ctx, rq.name, "the echoauth middleware (echoauth.WithConfig or Config.ToMiddleware)",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return &echo.HTTPError{Code: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError), Internal: err}
	}
	if rej := st.Engine.Check(ctx, st.Claims, rq.p); rej != nil {
		st.Engine.Log(ctx, rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
		if a, ok := st.Owner.(*authenticator); ok && a.onError != nil {
			return a.onError(c, rej)
		}
		return ErrorResponse(c, rej)
	}
	return next(c)
}

// RequireAnyGroup requires membership in at least one of groups (any-of).
func RequireAnyGroup(groups ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireAnyGroup", verifier.Policy{AnyGroups: nonEmpty("RequireAnyGroup", groups)})
}

// RequireAllGroups requires membership in every one of groups (all-of).
func RequireAllGroups(groups ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireAllGroups", verifier.Policy{AllGroups: nonEmpty("RequireAllGroups", groups)})
}

// RequireAnyScope requires at least one of scopes (any-of); a failure
// names them in the challenge's scope=.
func RequireAnyScope(scopes ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireAnyScope", verifier.Policy{AnyScopes: nonEmpty("RequireAnyScope", scopes)})
}

// RequireAllScopes requires every one of scopes (all-of).
func RequireAllScopes(scopes ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireAllScopes", verifier.Policy{AllScopes: nonEmpty("RequireAllScopes", scopes)})
}

// RequireGroups requires membership in at least one of groups.
//
// Deprecated: the name reads as all-of but means any-of; use
// RequireAnyGroup (the same requirement) or RequireAllGroups.
func RequireGroups(groups ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireGroups", verifier.Policy{AnyGroups: nonEmpty("RequireGroups", groups)})
}

// RequireScopes requires at least one of scopes.
//
// Deprecated: the name reads as all-of but means any-of; use
// RequireAnyScope (the same requirement) or RequireAllScopes.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return require("echoauth.RequireScopes", verifier.Policy{AnyScopes: nonEmpty("RequireScopes", scopes)})
}

// RequireTokenUse requires an ID or an access token; the other kind is
// answered 401 invalid_token. It panics on any other value.
func RequireTokenUse(use verifier.TokenUse) echo.MiddlewareFunc {
	p, err := authcore.RequireTokenUse(use)
	if err != nil {
		panic("echoauth.RequireTokenUse: " + err.Error())
	}
	return require("echoauth.RequireTokenUse", p)
}

// RequireFunc requires check to return nil for the verified claims; see
// middleware.RequireFunc for how its errors are answered. It panics if
// check is nil.
func RequireFunc(check func(ctx context.Context, c *verifier.Claims) error) echo.MiddlewareFunc {
	p, err := authcore.PredicatePolicy(check)
	if err != nil {
		panic("echoauth.RequireFunc: " + err.Error())
	}
	return require("echoauth.RequireFunc", p)
}

func nonEmpty(fn string, names []string) []string {
	if len(names) == 0 {
		panic("echoauth." + fn + ": no names given")
	}
	return names
}
