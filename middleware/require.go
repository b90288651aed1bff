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
// body and logger. A request without claims (anonymous under
// Config.Optional, or skipped) is answered 401; a policy failure 403 with
// error="insufficient_scope" (and scope= for scopes); a token-use
// mismatch ([RequireTokenUse]) 401 invalid_token.
//
// Requirements compose by nesting, so one API can protect /admin with a
// group and /orders with a scope:
//
//	mux.Handle("GET /admin/", middleware.RequireAnyGroup("admin")(adminHandler))
//	mux.Handle("GET /orders", middleware.RequireAnyScope("orders/read")(ordersHandler))
//
// Served without the middleware from [New] in front (a wiring bug), a
// requirement answers every request 500 and logs, on slog.Default at Error
// level, an error wrapping auth.ErrNoMiddleware that names it: it cannot
// tell a good token from a bad one, and must not tell a client with a
// valid token that it has none.
//
// Require panics if a group or scope name is empty or contains spaces,
// quotes or control characters, since requirements are written as
// constants at wiring time.
func Require(p verifier.Policy) func(http.Handler) http.Handler {
	return require("middleware.Require", p)
}

func require(name string, p verifier.Policy) func(http.Handler) http.Handler {
	if err := authcore.ValidatePolicy(p); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic(name + ": nil next handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			st := authcore.FromContext(ctx)
			if st == nil {
				authcore.NoMiddleware(ctx, name, "middleware.New", slog.String("method", r.Method), slog.String("path", r.URL.Path))
				writeServerError(w)
				return
			}
			if rej := st.Engine.Check(ctx, st.Claims, p); rej != nil {
				if a, ok := st.Owner.(*authenticator); ok {
					a.reject(w, r, rej)
				} else { // the state was stored by another adapter
					st.Engine.Log(ctx, rej, slog.String("method", r.Method), slog.String("path", r.URL.Path))
					writeRejection(w, rej, nil)
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// writeServerError answers 500 without saying why: the reason is in the
// log, for the operator.
func writeServerError(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(`{"error":"server_error","error_description":"Internal server error."}` + "\n"))
}

// RequireAnyGroup requires membership in at least one of groups (any-of):
// RequireAnyGroup("admin", "support") lets admins and support staff in.
func RequireAnyGroup(groups ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireAnyGroup", verifier.Policy{AnyGroups: nonEmpty("RequireAnyGroup", groups)})
}

// RequireAllGroups requires membership in every one of groups (all-of).
func RequireAllGroups(groups ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireAllGroups", verifier.Policy{AllGroups: nonEmpty("RequireAllGroups", groups)})
}

// RequireAnyScope requires at least one of scopes (any-of), such as
// "orders/read". A failure names them in the challenge's scope=.
func RequireAnyScope(scopes ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireAnyScope", verifier.Policy{AnyScopes: nonEmpty("RequireAnyScope", scopes)})
}

// RequireAllScopes requires every one of scopes (all-of). A failure names
// the missing ones in the challenge's scope=.
func RequireAllScopes(scopes ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireAllScopes", verifier.Policy{AllScopes: nonEmpty("RequireAllScopes", scopes)})
}

// RequireGroups requires membership in at least one of groups.
//
// Deprecated: the name reads as all-of but means any-of; use
// RequireAnyGroup (the same requirement) or RequireAllGroups.
func RequireGroups(groups ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireGroups", verifier.Policy{AnyGroups: nonEmpty("RequireGroups", groups)})
}

// RequireScopes requires at least one of scopes.
//
// Deprecated: the name reads as all-of but means any-of; use
// RequireAnyScope (the same requirement) or RequireAllScopes.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return require("middleware.RequireScopes", verifier.Policy{AnyScopes: nonEmpty("RequireScopes", scopes)})
}

// RequireTokenUse requires an ID token (verifier.TokenUseID) or an access
// token (verifier.TokenUseAccess); the other kind is answered 401
// invalid_token. It panics on any other value.
func RequireTokenUse(use verifier.TokenUse) func(http.Handler) http.Handler {
	p, err := authcore.RequireTokenUse(use)
	if err != nil {
		panic("middleware.RequireTokenUse: " + err.Error())
	}
	return require("middleware.RequireTokenUse", p)
}

// RequireFunc requires check to return nil for the verified claims. A
// non-nil error is answered 403 insufficient_scope, unless it wraps a
// token sentinel of package verifier (such as ErrWrongTokenUse or
// ErrExpired), which is answered 401 invalid_token, or
// verifier.ErrKeysUnavailable, answered 503. The error is logged, never
// sent. check must be safe for concurrent use. It panics if check is nil.
func RequireFunc(check func(ctx context.Context, c *verifier.Claims) error) func(http.Handler) http.Handler {
	p, err := authcore.PredicatePolicy(check)
	if err != nil {
		panic("middleware.RequireFunc: " + err.Error())
	}
	return require("middleware.RequireFunc", p)
}

func nonEmpty(fn string, names []string) []string {
	if len(names) == 0 {
		panic("middleware." + fn + ": no names given")
	}
	return names
}
