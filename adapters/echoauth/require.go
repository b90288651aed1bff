package echoauth

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/verifier"
)

// Require returns route middleware that lets a request through only when
// its verified claims satisfy p:
//
//	e.GET("/admin", h, echoauth.RequireGroups("admin"))
//
// Put the authentication middleware in front (e.Use or the group). A
// request without claims is answered 401, a policy failure 403
// insufficient_scope, through the middleware's ErrorHandler when it has
// one (ContinueOnIgnoredError does not apply here). Require panics if a
// group or scope name is empty or contains spaces, quotes or control
// characters.
func Require(p verifier.Policy) echo.MiddlewareFunc {
	if err := authcore.ValidatePolicy(p); err != nil {
		panic(fmt.Sprintf("echoauth.Require: %v", err))
	}
	fallback := authcore.FallbackEngine()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			st := authcore.FromContext(r.Context())
			if st == nil {
				return ErrorResponse(c, fallback.Reject(authcore.ErrNoClaims))
			}
			if rej := st.Engine.Check(r.Context(), st.Claims, p); rej != nil {
				st.Engine.Log(r.Context(), rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
				if a, ok := st.Owner.(*auth); ok && a.onError != nil {
					return a.onError(c, rej)
				}
				return ErrorResponse(c, rej)
			}
			return next(c)
		}
	}
}

// RequireGroups requires membership in at least one of groups.
func RequireGroups(groups ...string) echo.MiddlewareFunc {
	return Require(verifier.Policy{AnyGroups: nonEmpty("RequireGroups", groups)})
}

// RequireAllGroups requires membership in every one of groups.
func RequireAllGroups(groups ...string) echo.MiddlewareFunc {
	return Require(verifier.Policy{AllGroups: nonEmpty("RequireAllGroups", groups)})
}

// RequireScopes requires at least one of scopes; a failure names them in
// the challenge's scope=.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return Require(verifier.Policy{AnyScopes: nonEmpty("RequireScopes", scopes)})
}

// RequireAllScopes requires every one of scopes.
func RequireAllScopes(scopes ...string) echo.MiddlewareFunc {
	return Require(verifier.Policy{AllScopes: nonEmpty("RequireAllScopes", scopes)})
}

// RequireTokenUse requires an ID or an access token; the other kind is
// answered 401 invalid_token. It panics on any other value.
func RequireTokenUse(use verifier.TokenUse) echo.MiddlewareFunc {
	p, err := authcore.RequireTokenUse(use)
	if err != nil {
		panic("echoauth.RequireTokenUse: " + err.Error())
	}
	return Require(p)
}

// RequireFunc requires check to return nil for the verified claims; see
// middleware.RequireFunc for how its errors are answered.
func RequireFunc(check func(ctx context.Context, c *verifier.Claims) error) echo.MiddlewareFunc {
	p, err := authcore.PredicatePolicy(check)
	if err != nil {
		panic("echoauth.RequireFunc: " + err.Error())
	}
	return Require(p)
}

func nonEmpty(fn string, names []string) []string {
	if len(names) == 0 {
		panic("echoauth." + fn + ": no names given")
	}
	return names
}
