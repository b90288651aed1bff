package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// decisions records OnDecision calls as "<path> <kind>", "allowed" for nil.
type decisions struct {
	mu  sync.Mutex
	got []string
}

func (d *decisions) record(c echo.Context, rej *auth.Rejection) {
	kind := "allowed"
	if rej != nil {
		kind = rej.Kind.String()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, c.Request().URL.Path+" "+kind)
}

func (d *decisions) take() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := strings.Join(d.got, ",")
	d.got = nil
	return s
}

// TestOnDecision serves a real Echo over loopback: one call per judged
// request, with the rejection's kind, including a Config.Policy failure;
// none for skipped requests and preflights, and none for a route
// requirement's rejection (as in package middleware).
func TestOnDecision(t *testing.T) {
	f := authtest.Get(t)
	var d decisions
	newServer := func(cfg echoauth.Config) *httptest.Server {
		cfg.Verifier = f.Verifier
		cfg.OnDecision = d.record
		cfg.Skipper = func(c echo.Context) bool { return c.Request().URL.Path == "/skipped" }
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		e.Use(echoauth.WithConfig(cfg))
		h := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
		e.Any("/*", h)
		e.GET("/orders", h, echoauth.RequireAnyScope("orders/read"))
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv
	}
	do := func(t *testing.T, srv *httptest.Server, method, path, tok string) int {
		t.Helper()
		r, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		if method == http.MethodOptions {
			r.Header.Set("Origin", "https://app.example")
			r.Header.Set("Access-Control-Request-Method", "GET")
		}
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	strict := newServer(echoauth.Config{Policy: verifier.Policy{AnyGroups: []string{"admin"}}})
	optional := newServer(echoauth.Config{Optional: true})
	for _, c := range []struct {
		name         string
		srv          *httptest.Server
		method, path string
		tok          string
		status       int
		want         string
	}{
		{"allowed", strict, "GET", "/a", f.AliceAccess, 200, "/a allowed"},
		{"missing", strict, "GET", "/a", "", 401, "/a missing"},
		{"invalid", strict, "GET", "/a", f.Expired, 401, "/a invalid_token"},
		{"forbidden by Config.Policy", strict, "GET", "/a", f.BobAccess, 403, "/a forbidden"},
		{"bad request", strict, "GET", "/a", "two words", 400, "/a bad_request"},
		{"route requirement rejects after the middleware allowed", optional, "GET", "/orders", f.BobAccess, 403, "/orders allowed"},
		{"anonymous under Optional", optional, "GET", "/a", "", 200, "/a allowed"},
		{"skipped", strict, "GET", "/skipped", "", 200, ""},
		{"preflight", strict, "OPTIONS", "/a", "", 204, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d.take()
			if got := do(t, c.srv, c.method, c.path, c.tok); got != c.status {
				t.Errorf("status %d; want %d", got, c.status)
			}
			if got := d.take(); got != c.want {
				t.Errorf("decisions %q; want %q", got, c.want)
			}
		})
	}
}

// TestOnDecisionBeforeHandlers checks the order: OnDecision sees the
// decision before ErrorHandler and SuccessHandler run.
func TestOnDecisionBeforeHandlers(t *testing.T) {
	f := authtest.Get(t)
	var calls []string
	e := newEchoWith(echoauth.WithConfig(echoauth.Config{
		Verifier:       f.Verifier,
		OnDecision:     func(c echo.Context, rej *auth.Rejection) { calls = append(calls, "decision") },
		SuccessHandler: func(c echo.Context) { calls = append(calls, "success") },
		ErrorHandler: func(c echo.Context, err error) error {
			calls = append(calls, "error")
			return echoauth.ErrorResponse(c, err)
		},
	}))
	for tok, want := range map[string]string{f.AliceAccess: "decision,success", f.Expired: "decision,error"} {
		calls = nil
		serve(e, req{headers: bearer(tok)})
		if got := strings.Join(calls, ","); got != want {
			t.Errorf("calls %q; want %q", got, want)
		}
	}
}
