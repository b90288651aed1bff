package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/verifier"
)

// Require returns route middleware that lets a request through only when
// its verified claims satisfy p. Put it behind the middleware from [New]:
// the rejection is answered with that middleware's realm, error handler,
// body and logger. A request without claims (anonymous, skipped, or
// without the middleware in front) is answered 401; a policy failure 403
// with error="insufficient_scope" (and scope= for scopes); a token-use
// mismatch ([RequireTokenUse]) 401 invalid_token.
//
// Requirements compose by nesting, so one API can protect /admin with a
// group and /orders with a scope:
//
//	mux.Handle("GET /admin/", middleware.RequireGroups("admin")(adminHandler))
//	mux.Handle("GET /orders", middleware.RequireScopes("orders/read")(ordersHandler))
//
// Require panics if a group or scope name is empty or contains spaces,
// quotes or control characters, since requirements are written as
// constants at wiring time.
func Require(p verifier.Policy) func(http.Handler) http.Handler {
	if err := authcore.ValidatePolicy(p); err != nil {
		panic(fmt.Sprintf("middleware.Require: %v", err))
	}
	fallback := authcore.FallbackEngine()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := authcore.FromContext(r.Context())
			if st == nil {
				rej := fallback.Reject(authcore.ErrNoClaims)
				writeRejection(w, rej, nil)
				return
			}
			if rej := st.Engine.Check(r.Context(), st.Claims, p); rej != nil {
				if a, ok := st.Owner.(*auth); ok {
					a.reject(w, r, rej)
				} else { // the state was stored by another adapter
					st.Engine.Log(r.Context(), rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
					writeRejection(w, rej, nil)
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RequireGroups requires membership in at least one of groups.
func RequireGroups(groups ...string) func(http.Handler) http.Handler {
	return Require(verifier.Policy{AnyGroups: nonEmpty("RequireGroups", groups)})
}

// RequireAllGroups requires membership in every one of groups.
func RequireAllGroups(groups ...string) func(http.Handler) http.Handler {
	return Require(verifier.Policy{AllGroups: nonEmpty("RequireAllGroups", groups)})
}

// RequireScopes requires at least one of scopes (such as
// "orders/read"). A failure names them in the challenge's scope=.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return Require(verifier.Policy{AnyScopes: nonEmpty("RequireScopes", scopes)})
}

// RequireAllScopes requires every one of scopes.
func RequireAllScopes(scopes ...string) func(http.Handler) http.Handler {
	return Require(verifier.Policy{AllScopes: nonEmpty("RequireAllScopes", scopes)})
}

// RequireTokenUse requires an ID token (verifier.TokenUseID) or an access
// token (verifier.TokenUseAccess); the other kind is answered 401
// invalid_token. It panics on any other value.
func RequireTokenUse(use verifier.TokenUse) func(http.Handler) http.Handler {
	p, err := authcore.RequireTokenUse(use)
	if err != nil {
		panic("middleware.RequireTokenUse: " + err.Error())
	}
	return Require(p)
}

// RequireFunc requires check to return nil for the verified claims. A
// non-nil error is answered 403 insufficient_scope, unless it wraps a
// token sentinel of package verifier (such as ErrWrongTokenUse or
// ErrExpired), which is answered 401 invalid_token, or
// verifier.ErrKeysUnavailable, answered 503. The error is logged, never
// sent. check must be safe for concurrent use.
func RequireFunc(check func(ctx context.Context, c *verifier.Claims) error) func(http.Handler) http.Handler {
	p, err := authcore.PredicatePolicy(check)
	if err != nil {
		panic("middleware.RequireFunc: " + err.Error())
	}
	return Require(p)
}

func nonEmpty(fn string, names []string) []string {
	if len(names) == 0 {
		panic("middleware." + fn + ": no names given")
	}
	return names
}
