package echoauth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

type req struct {
	method  string
	path    string
	headers map[string][]string
	cookies map[string]string
}

type resp struct {
	status int
	header http.Header
	body   string
}

func serve(e *echo.Echo, q req) resp {
	if q.method == "" {
		q.method = "GET"
	}
	if q.path == "" {
		q.path = "/"
	}
	r := httptest.NewRequest(q.method, q.path, nil)
	for k, vs := range q.headers {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for k, v := range q.cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return resp{w.Code, w.Header(), strings.TrimSpace(w.Body.String())}
}

func bearer(tok string) map[string][]string {
	return map[string][]string{"Authorization": {"Bearer " + tok}}
}

// newEchoWith returns an Echo with mw and a catch-all handler answering
// "hello <subject>" or "hello anonymous".
func newEchoWith(mw echo.MiddlewareFunc, routeMW ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	if mw != nil {
		e.Use(mw)
	}
	h := func(c echo.Context) error {
		if claims, ok := echoauth.ClaimsFromContext(c); ok {
			return c.String(http.StatusOK, "hello "+claims.Subject)
		}
		return c.String(http.StatusOK, "hello anonymous")
	}
	e.GET("/*", h, routeMW...)
	e.OPTIONS("/*", h, routeMW...)
	return e
}

func TestTokenLookup(t *testing.T) {
	f := authtest.Get(t)
	e := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier,
		TokenLookup: "header:Authorization:Bearer ,cookie:token,query:access_token"}))
	custom := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier,
		TokenLookup: "header:X-Api-Token",
		Extractor: func(c echo.Context) (string, error) {
			return c.Request().Header.Get("X-Other"), nil
		}}))
	tests := []struct {
		name   string
		e      *echo.Echo
		q      req
		status int
		body   string
	}{
		{"header", e, req{headers: bearer(f.AliceAccess)}, 200, "hello sub-alice"},
		{"cookie", e, req{cookies: map[string]string{"token": f.BobAccess}}, 200, "hello sub-bob"},
		{"query", e, req{path: "/?access_token=" + f.M2M}, 200, "hello " + authtest.ClientID},
		{"header and same cookie", e, req{headers: bearer(f.AliceAccess), cookies: map[string]string{"token": f.AliceAccess}}, 200, "hello sub-alice"},
		{"header and other cookie", e, req{headers: bearer(f.AliceAccess), cookies: map[string]string{"token": f.BobAccess}}, 400, ""},
		{"two query values", e, req{path: "/?access_token=a&access_token=b"}, 400, ""},
		{"none", e, req{}, 401, ""},
		{"bare header", custom, req{headers: map[string][]string{"X-Api-Token": {f.AliceAccess}}}, 200, "hello sub-alice"},
		{"bare header with spaces", custom, req{headers: map[string][]string{"X-Api-Token": {"a b"}}}, 400, ""},
		{"extractor", custom, req{headers: map[string][]string{"X-Other": {f.BobAccess}}}, 200, "hello sub-bob"},
		{"extractor disagrees", custom, req{headers: map[string][]string{"X-Other": {f.BobAccess}, "X-Api-Token": {f.AliceAccess}}}, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := serve(tc.e, tc.q)
			if got.status != tc.status {
				t.Fatalf("status = %d; want %d (%s)", got.status, tc.status, got.body)
			}
			if tc.body != "" && got.body != tc.body {
				t.Errorf("body = %q; want %q", got.body, tc.body)
			}
		})
	}
}

func TestHooks(t *testing.T) {
	f := authtest.Get(t)
	var calls []string
	var gotErr error
	cfg := echoauth.Config{
		Verifier:   f.Verifier,
		ContextKey: "user",
		BeforeFunc: func(c echo.Context) { calls = append(calls, "before") },
		SuccessHandler: func(c echo.Context) {
			if _, ok := c.Get("user").(*verifier.Claims); !ok {
				t.Error("SuccessHandler: no claims under ContextKey")
			}
			calls = append(calls, "success")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			gotErr = err
			calls = append(calls, "error")
			var rej *auth.Rejection
			if errors.As(err, &rej) && rej.Kind == auth.KindMissing {
				return nil
			}
			return echoauth.ErrorResponse(c, err)
		},
		ContinueOnIgnoredError: true,
	}
	e := newEchoWith(echoauth.WithConfig(cfg))

	calls = nil
	if got := serve(e, req{headers: bearer(f.AliceAccess)}); got.status != 200 || strings.Join(calls, ",") != "before,success" {
		t.Errorf("good token: %d, calls %v; want 200, before,success", got.status, calls)
	}
	calls = nil
	if got := serve(e, req{}); got.status != 200 || got.body != "hello anonymous" || strings.Join(calls, ",") != "before,error" {
		t.Errorf("no token with ContinueOnIgnoredError: %d %q, calls %v", got.status, got.body, calls)
	}
	calls = nil
	got := serve(e, req{headers: bearer(f.Expired)})
	if got.status != 401 || !errors.Is(gotErr, verifier.ErrExpired) || !strings.Contains(got.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("expired: %d %v %q", got.status, gotErr, got.header.Get("WWW-Authenticate"))
	}

	// A route requirement behind an ignored error answers through the
	// same ErrorHandler (which renders the 401 with the configured realm).
	e = newEchoWith(echoauth.WithConfig(cfg), echoauth.RequireAnyGroup("admin"))
	calls = nil
	if got := serve(e, req{}); got.status != 200 || strings.Join(calls, ",") != "before,error,error" {
		t.Errorf("ignored error then a route requirement: %d %q, calls %v; want the ErrorHandler called twice", got.status, got.body, calls)
	}

	// Without ContinueOnIgnoredError a nil from ErrorHandler ends the
	// request without running the handler.
	cfg.ContinueOnIgnoredError = false
	e = newEchoWith(echoauth.WithConfig(cfg))
	if got := serve(e, req{}); got.status != 200 || got.body != "" {
		t.Errorf("ignored error without ContinueOnIgnoredError: %d %q; want 200 and no body", got.status, got.body)
	}
}

func TestOptionalSkipperPreflightRequire(t *testing.T) {
	f := authtest.Get(t)
	captureDefaultLog(t) // noMW logs there
	optional := echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier, Optional: true, Realm: "shop"})
	opt := newEchoWith(optional)
	optAdmin := newEchoWith(optional, echoauth.RequireAnyGroup("admin"))
	skip := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier,
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/healthz" }}))
	strict := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier, AuthenticatePreflight: true}))
	noMW := newEchoWith(nil, echoauth.RequireAnyGroup("admin"))
	skipAdmin := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier, Realm: "shop",
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/healthz" }}), echoauth.RequireAnyGroup("admin"))
	allScopes := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier}), echoauth.RequireAllScopes("openid", "orders/read"))
	idOnly := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier}), echoauth.RequireTokenUse(verifier.TokenUseID))
	check := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier}), echoauth.RequireFunc(func(_ context.Context, c *verifier.Claims) error {
		if c.IsMachine() {
			return errors.New("machines not allowed")
		}
		return nil
	}))
	preflight := map[string][]string{"Access-Control-Request-Method": {"POST"}}
	tests := []struct {
		name      string
		e         *echo.Echo
		q         req
		status    int
		challenge string
	}{
		{"optional anonymous", opt, req{}, 200, ""},
		{"optional bad token", opt, req{headers: bearer(f.BadSignature)}, 401, `Bearer realm="shop", error="invalid_token", error_description="The token is invalid."`},
		{"optional anonymous on group route", optAdmin, req{}, 401, `Bearer realm="shop"`},
		{"optional member on group route", optAdmin, req{headers: bearer(f.AliceAccess)}, 200, ""},
		{"skipped", skip, req{path: "/healthz"}, 200, ""},
		{"not skipped", skip, req{path: "/x"}, 401, `Bearer realm="api"`},
		{"preflight answered by the middleware", skip, req{method: "OPTIONS", headers: preflight}, 204, ""},
		{"preflight authenticated", strict, req{method: "OPTIONS", headers: preflight}, 401, `Bearer realm="api"`},
		{"requirement without middleware", noMW, req{headers: bearer(f.AliceAccess)}, 500, ""},
		{"skipped on a group route", skipAdmin, req{path: "/healthz"}, 401, `Bearer realm="shop"`},
		{"all scopes", allScopes, req{headers: bearer(f.AliceAccess)}, 200, ""},
		{"all scopes missing", allScopes, req{headers: bearer(f.M2M)}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope.", scope="openid"`},
		{"ID route with access token", idOnly, req{headers: bearer(f.AliceAccess)}, 401,
			`Bearer realm="api", error="invalid_token", error_description="The token is of the wrong type (ID or access token)."`},
		{"predicate refuses", check, req{headers: bearer(f.M2M)}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="The token is not allowed to access this resource."`},
		{"predicate allows", check, req{headers: bearer(f.BobAccess)}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := serve(tc.e, tc.q)
			if got.status != tc.status || got.header.Get("WWW-Authenticate") != tc.challenge {
				t.Errorf("got %d %q; want %d %q (%s)", got.status, got.header.Get("WWW-Authenticate"), tc.status, tc.challenge, got.body)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	f := authtest.Get(t)
	bad := map[string]echoauth.Config{
		"nil verifier":      {},
		"form source":       {Verifier: f.Verifier, TokenLookup: "form:token"},
		"param source":      {Verifier: f.Verifier, TokenLookup: "param:id"},
		"no name":           {Verifier: f.Verifier, TokenLookup: "cookie:"},
		"too many sources":  {Verifier: f.Verifier, TokenLookup: strings.Repeat("cookie:a,", 8) + "cookie:b"},
		"duplicate":         {Verifier: f.Verifier, TokenLookup: "cookie:a,cookie:a"},
		"bad realm":         {Verifier: f.Verifier, Realm: "a\\b"},
		"empty policy name": {Verifier: f.Verifier, Policy: verifier.Policy{AllGroups: []string{""}}},
	}
	for name, cfg := range bad {
		if _, err := cfg.ToMiddleware(); !errors.Is(err, echoauth.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("WithConfig with a nil verifier did not panic")
		}
	}()
	echoauth.WithConfig(echoauth.Config{})
}

func TestClaimsAs(t *testing.T) {
	f := authtest.Get(t)
	type custom struct {
		Tenant string `json:"custom:tenant"`
	}
	e := echo.New()
	e.Use(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier}))
	e.GET("/", func(c echo.Context) error {
		a, err := echoauth.ClaimsAs[custom](c)
		if err != nil {
			return err
		}
		b, _ := echoauth.ClaimsAs[custom](c)
		if a != b {
			return errors.New("decoded twice")
		}
		return c.String(http.StatusOK, a.Tenant)
	})
	if got := serve(e, req{headers: bearer(f.AliceID)}); got.status != 200 || got.body != "acme" {
		t.Errorf("ClaimsAs: %d %q; want 200 acme", got.status, got.body)
	}
	c := e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	if _, err := echoauth.ClaimsAs[custom](c); !errors.Is(err, auth.ErrNoClaims) {
		t.Errorf("ClaimsAs without middleware: %v; want auth.ErrNoClaims", err)
	}
}

func TestLogging(t *testing.T) {
	f := authtest.Get(t)
	var buf strings.Builder
	e := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: f.Verifier, Logger: slog.New(slog.NewTextHandler(&buf, nil))}),
		echoauth.RequireAnyGroup("admin"))
	serve(e, req{path: "/x", headers: bearer(f.WrongClient)})
	serve(e, req{path: "/y", headers: bearer(f.BobAccess)})
	serve(e, req{path: "/z", headers: bearer(f.Unavailable)})
	out := buf.String()
	for _, want := range []string{"reason=wrong_client", "path=/x", "reason=missing_group", "path=/y", "level=WARN", "reason=keys_unavailable", "status=503"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, tok := range []string{f.WrongClient, f.BobAccess, f.Unavailable} {
		for _, part := range strings.Split(tok, ".") {
			if strings.Contains(out, part) {
				t.Error("log contains a token segment")
			}
		}
	}
}

type staticVerifier struct{ err error }

func (s staticVerifier) Verify(context.Context, string) (*verifier.Claims, error) {
	if s.err != nil {
		return nil, s.err
	}
	return &verifier.Claims{Subject: "custom", TokenUse: verifier.TokenUseAccess}, nil
}

var _ auth.TokenVerifier = (*verifier.Verifier)(nil)

func TestCustomVerifier(t *testing.T) {
	tests := []struct {
		err    error
		status int
	}{
		{nil, 200},
		{errors.New("my own rejection"), 401},
		{verifier.ErrKeysUnavailable, 503},
	}
	for _, tc := range tests {
		e := newEchoWith(echoauth.WithConfig(echoauth.Config{Verifier: staticVerifier{tc.err}}))
		got := serve(e, req{headers: bearer("opaque")})
		if got.status != tc.status {
			t.Errorf("verifier error %v: %d; want %d", tc.err, got.status, tc.status)
		}
		if tc.err == nil && got.body != "hello custom" {
			t.Errorf("body = %q; want hello custom", got.body)
		}
	}
}
