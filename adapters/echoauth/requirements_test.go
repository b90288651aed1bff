package echoauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// syncBuffer is a strings.Builder safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captureDefaultLog points slog.Default at a buffer for the test. Tests
// that call it must not run in parallel.
func captureDefaultLog(t *testing.T) *syncBuffer {
	t.Helper()
	var buf syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// A requirement served without the middleware in front answers 500 and
// logs a line naming itself and the missing middleware.
func TestRequireWithoutMiddleware(t *testing.T) {
	f := authtest.Get(t)
	for name, mw := range map[string]echo.MiddlewareFunc{
		"echoauth.Require":          echoauth.Require(verifier.Policy{AnyGroups: []string{"admin"}}),
		"echoauth.RequireAnyGroup":  echoauth.RequireAnyGroup("admin"),
		"echoauth.RequireAllGroups": echoauth.RequireAllGroups("admin"),
		"echoauth.RequireAnyScope":  echoauth.RequireAnyScope("orders/read"),
		"echoauth.RequireAllScopes": echoauth.RequireAllScopes("orders/read"),
		"echoauth.RequireTokenUse":  echoauth.RequireTokenUse(verifier.TokenUseAccess),
		"echoauth.RequireFunc":      echoauth.RequireFunc(func(context.Context, *verifier.Claims) error { return nil }),
		"echoauth.RequireScopes":    echoauth.RequireScopes("orders/read"),
	} {
		t.Run(name, func(t *testing.T) {
			logs := captureDefaultLog(t)
			var herr error
			e := newEchoWith(nil, mw)
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				herr = err
				e.DefaultHTTPErrorHandler(err, c)
			}
			got := serve(e, req{path: "/admin/x", headers: bearer(f.AliceAccess)})
			if got.status != 500 || strings.HasPrefix(got.body, "hello") {
				t.Fatalf("got %d %q; want 500 without running the handler", got.status, got.body)
			}
			if got.header.Get("WWW-Authenticate") != "" || strings.Contains(got.body, "echoauth") {
				t.Errorf("the 500 tells the client about tokens or wiring: %q %q", got.header.Get("WWW-Authenticate"), got.body)
			}
			var he *echo.HTTPError
			if !errors.As(herr, &he) || !errors.Is(he.Internal, auth.ErrNoMiddleware) {
				t.Errorf("handler error %v; want an *echo.HTTPError wrapping auth.ErrNoMiddleware", herr)
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
				t.Fatalf("want one JSON log line; got %q: %v", logs.String(), err)
			}
			if line["level"] != "ERROR" || line["requirement"] != name || !strings.Contains(line["missing"].(string), "echoauth.WithConfig") ||
				line["path"] != "/admin/x" {
				t.Errorf("log line = %v; want ERROR naming %s and echoauth.WithConfig", line, name)
			}
		})
	}
}

// An ErrorHandler can name the kinds of package auth, for the middleware
// and for route requirements.
func TestErrorHandlerNamesKinds(t *testing.T) {
	f := authtest.Get(t)
	var kinds []auth.Kind
	mw := echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier, ErrorHandler: func(c echo.Context, err error) error {
		var rej *auth.Rejection
		if !errors.As(err, &rej) {
			return err
		}
		kinds = append(kinds, rej.Kind)
		if rej.Kind == auth.KindForbidden {
			return c.String(http.StatusForbidden, "members only")
		}
		return echoauth.ErrorResponse(c, err)
	}})
	e := newEchoWith(mw, echoauth.RequireAnyGroup("admin"))
	for _, tc := range []struct {
		q      req
		kind   auth.Kind
		status int
	}{
		{req{headers: bearer(f.BobAccess)}, auth.KindForbidden, 403},
		{req{headers: bearer(f.Unavailable)}, auth.KindUnavailable, 503},
		{req{headers: bearer(f.Expired)}, auth.KindInvalidToken, 401},
		{req{}, auth.KindMissing, 401},
	} {
		kinds = nil
		got := serve(e, tc.q)
		if len(kinds) != 1 || kinds[0] != tc.kind || got.status != tc.status || (tc.kind == auth.KindForbidden && got.body != "members only") {
			t.Errorf("kinds %v, %d %q; want [%v] %d", kinds, got.status, got.body, tc.kind, tc.status)
		}
	}
}

// The names of before v1 still work, with the same verdicts.
func TestDeprecatedNames(t *testing.T) {
	f := authtest.Get(t)
	mw := echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier})
	pairs := []struct {
		name     string
		old, new echo.MiddlewareFunc
	}{
		{"RequireGroups", echoauth.RequireGroups("admin", "ops"), echoauth.RequireAnyGroup("admin", "ops")},
		{"RequireScopes", echoauth.RequireScopes("orders/read", "orders/write"), echoauth.RequireAnyScope("orders/read", "orders/write")},
	}
	for _, p := range pairs {
		for _, tok := range []string{f.AliceAccess, f.BobAccess, f.M2M, f.Expired, ""} {
			q := req{}
			if tok != "" {
				q.headers = bearer(tok)
			}
			o, n := serve(newEchoWith(mw, p.old), q), serve(newEchoWith(mw, p.new), q)
			if o.status != n.status || o.body != n.body || o.header.Get("WWW-Authenticate") != n.header.Get("WWW-Authenticate") {
				t.Errorf("%s: %d %q; the new name gives %d %q", p.name, o.status, o.body, n.status, n.body)
			}
		}
	}
	e := echo.New()
	e.Use(mw)
	e.GET("/", func(c echo.Context) error {
		o, ok1 := echoauth.Claims(c)
		n, ok2 := echoauth.ClaimsFromContext(c)
		if !ok1 || !ok2 || o != n {
			return errors.New("Claims and ClaimsFromContext disagree")
		}
		return c.String(http.StatusOK, o.Subject)
	})
	if got := serve(e, req{headers: bearer(f.AliceAccess)}); got.status != 200 || got.body != "sub-alice" {
		t.Errorf("Claims: %d %q", got.status, got.body)
	}
	for _, e := range []struct{ old, new error }{
		{echoauth.ErrNoToken, auth.ErrNoToken},
		{echoauth.ErrAmbiguousToken, auth.ErrAmbiguousToken},
		{echoauth.ErrBadAuthorization, auth.ErrBadAuthorization},
		{echoauth.ErrNoClaims, auth.ErrNoClaims},
	} {
		if e.old != e.new {
			t.Errorf("%v is not %v", e.old, e.new)
		}
	}
	var old echoauth.TokenVerifier = f.Verifier
	var _ auth.TokenVerifier = old
	var _ *echoauth.Rejection = &auth.Rejection{}
}
