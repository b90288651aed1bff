package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// captureDefaultLog points slog.Default at a buffer for the test (the
// requirements log there: they have no logger of their own). Tests that
// call it must not run in parallel.
func captureDefaultLog(t *testing.T) *syncBuffer {
	t.Helper()
	var buf syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// A requirement served without the middleware in front answers 500 (not
// 401 "A bearer token is required" to a valid token) and logs a line
// naming itself and the missing middleware.
func TestRequireWithoutMiddleware(t *testing.T) {
	f := authtest.Get(t)
	for name, mw := range map[string]func(http.Handler) http.Handler{
		"middleware.Require":          middleware.Require(verifier.Policy{AnyGroups: []string{"admin"}}),
		"middleware.RequireAnyGroup":  middleware.RequireAnyGroup("admin"),
		"middleware.RequireAllGroups": middleware.RequireAllGroups("admin"),
		"middleware.RequireAnyScope":  middleware.RequireAnyScope("orders/read"),
		"middleware.RequireAllScopes": middleware.RequireAllScopes("orders/read"),
		"middleware.RequireTokenUse":  middleware.RequireTokenUse(verifier.TokenUseAccess),
		"middleware.RequireFunc":      middleware.RequireFunc(func(context.Context, *verifier.Claims) error { return nil }),
		"middleware.RequireGroups":    middleware.RequireGroups("admin"),
	} {
		t.Run(name, func(t *testing.T) {
			logs := captureDefaultLog(t)
			ran := false
			h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
			got := do(h, req{path: "/admin/x", headers: bearer(f.AliceAccess)})
			if got.status != 500 || ran {
				t.Fatalf("got %d (handler ran %v); want 500 without running the handler", got.status, ran)
			}
			if got.header.Get("WWW-Authenticate") != "" || strings.Contains(got.body, "bearer") || strings.Contains(got.body, "middleware") {
				t.Errorf("the 500 tells the client about tokens or wiring: %q %q", got.header.Get("WWW-Authenticate"), got.body)
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
				t.Fatalf("want one JSON log line; got %q: %v", logs.String(), err)
			}
			if line["level"] != "ERROR" || line["requirement"] != name || line["missing"] != "middleware.New" ||
				line["path"] != "/admin/x" || line["method"] != "GET" || !strings.Contains(line["error"].(string), "middleware.New") {
				t.Errorf("log line = %v; want ERROR naming %s and middleware.New", line, name)
			}
			for _, part := range strings.Split(f.AliceAccess, ".") {
				if strings.Contains(logs.String(), part) {
					t.Error("the log line contains a token segment")
				}
			}
		})
	}
}

// Skipped and anonymous requests did pass through the middleware: a
// requirement answers them 401 with the middleware's realm, not 500.
func TestRequireBehindSkipperAndOptional(t *testing.T) {
	f := authtest.Get(t)
	logs := captureDefaultLog(t)
	admin := middleware.RequireAnyGroup("admin")(hello)
	skip := mustNew(t, f.Verifier, middleware.Config{Realm: "shop", Skipper: func(*http.Request) bool { return true }})(admin)
	opt := mustNew(t, f.Verifier, middleware.Config{Realm: "shop", Optional: true})(admin)
	for name, h := range map[string]http.Handler{"skipped": skip, "optional": opt} {
		if got := do(h, req{}); got.status != 401 || got.header.Get("WWW-Authenticate") != `Bearer realm="shop"` {
			t.Errorf("%s: %d %q; want 401 with realm shop", name, got.status, got.header.Get("WWW-Authenticate"))
		}
	}
	if got := do(skip, req{path: "/healthz"}); got.status != 401 {
		t.Errorf("skipped request on a protected route: %d; want 401", got.status)
	}
	if logs.String() != "" {
		t.Errorf("logged %q on slog.Default; want nothing", logs.String())
	}
}

// An ErrorHandler can name the kinds of package auth.
func TestErrorHandlerNamesKinds(t *testing.T) {
	f := authtest.Get(t)
	var kinds []auth.Kind
	mw := mustNew(t, f.Verifier, middleware.Config{ErrorHandler: func(w http.ResponseWriter, r *http.Request, rej *auth.Rejection) {
		kinds = append(kinds, rej.Kind)
		switch rej.Kind {
		case auth.KindForbidden:
			http.Error(w, "members only", http.StatusForbidden)
		case auth.KindUnavailable:
			w.Header().Set("Retry-After", rej.RetryAfterHeader())
			http.Error(w, "later", http.StatusServiceUnavailable)
		default:
			middleware.WriteError(w, rej)
		}
	}})
	h := mw(middleware.RequireAnyGroup("admin")(hello))
	tests := []struct {
		q      req
		kind   auth.Kind
		status int
		body   string
	}{
		{req{headers: bearer(f.BobAccess)}, auth.KindForbidden, 403, "members only\n"},
		{req{headers: bearer(f.Unavailable)}, auth.KindUnavailable, 503, "later\n"},
		{req{headers: bearer(f.Expired)}, auth.KindInvalidToken, 401, ""},
		{req{}, auth.KindMissing, 401, ""},
		{req{headers: map[string][]string{"Authorization": {"Bearer a", "Bearer b"}}}, auth.KindBadRequest, 400, ""},
	}
	for _, tc := range tests {
		kinds = nil
		got := do(h, tc.q)
		if len(kinds) != 1 || kinds[0] != tc.kind || got.status != tc.status || (tc.body != "" && got.body != tc.body) {
			t.Errorf("kinds %v, %d %q; want [%v] %d %q", kinds, got.status, got.body, tc.kind, tc.status, tc.body)
		}
	}
}

// The names of before v1 still work, with the same verdicts as the new
// ones, and the moved names are the same values and types.
func TestDeprecatedNames(t *testing.T) {
	f := authtest.Get(t)
	mw := mustNew(t, f.Verifier, middleware.Config{})
	pairs := []struct {
		name     string
		old, new func(http.Handler) http.Handler
	}{
		{"RequireGroups", middleware.RequireGroups("admin", "ops"), middleware.RequireAnyGroup("admin", "ops")},
		{"RequireScopes", middleware.RequireScopes("orders/read", "orders/write"), middleware.RequireAnyScope("orders/read", "orders/write")},
	}
	for _, p := range pairs {
		for _, tok := range []string{f.AliceAccess, f.BobAccess, f.M2M, f.Expired, ""} {
			q := req{}
			if tok != "" {
				q.headers = bearer(tok)
			}
			o, n := do(mw(p.old(hello)), q), do(mw(p.new(hello)), q)
			if o.status != n.status || o.body != n.body || o.header.Get("WWW-Authenticate") != n.header.Get("WWW-Authenticate") {
				t.Errorf("%s: %d %q; the new name gives %d %q", p.name, o.status, o.body, n.status, n.body)
			}
		}
	}
	for _, e := range []struct{ old, new error }{
		{middleware.ErrNoToken, auth.ErrNoToken},
		{middleware.ErrAmbiguousToken, auth.ErrAmbiguousToken},
		{middleware.ErrBadAuthorization, auth.ErrBadAuthorization},
		{middleware.ErrNoClaims, auth.ErrNoClaims},
	} {
		if !errors.Is(e.old, e.new) || e.old != e.new {
			t.Errorf("%v is not %v", e.old, e.new)
		}
	}
	var old middleware.TokenVerifier = f.Verifier
	var _ auth.TokenVerifier = old
	var rej *middleware.Rejection = &auth.Rejection{Kind: auth.KindForbidden}
	if rej.Kind != auth.KindForbidden {
		t.Error("middleware.Rejection is not auth.Rejection")
	}
}
