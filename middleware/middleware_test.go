package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/authcore/authtest"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// hello answers "hello <subject>" or "hello anonymous".
var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if c, ok := middleware.ClaimsFromContext(r.Context()); ok {
		fmt.Fprintf(w, "hello %s", c.Subject)
		return
	}
	fmt.Fprint(w, "hello anonymous")
})

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

// do serves one request through h in-process.
func do(h http.Handler, q req) resp {
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
	h.ServeHTTP(w, r)
	return resp{w.Code, w.Header(), w.Body.String()}
}

func bearer(tok string) map[string][]string {
	return map[string][]string{"Authorization": {"Bearer " + tok}}
}

func mustNew(t testing.TB, v auth.TokenVerifier, cfg middleware.Config) func(http.Handler) http.Handler {
	t.Helper()
	mw, err := middleware.New(v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

func TestExtractionOptions(t *testing.T) {
	f := authtest.Get(t)
	def := mustNew(t, f.Verifier, middleware.Config{})(hello)
	withCookie := mustNew(t, f.Verifier, middleware.Config{Cookie: "tok", QueryParam: "access_token"})(hello)
	custom := mustNew(t, f.Verifier, middleware.Config{Extractor: func(r *http.Request) (string, error) {
		if v := r.Header.Get("X-Token"); v != "" {
			return v, nil
		}
		return "", nil
	}})(hello)
	tests := []struct {
		name   string
		h      http.Handler
		q      req
		status int
		body   string
	}{
		{"header", def, req{headers: bearer(f.AliceAccess)}, 200, "hello sub-alice"},
		{"cookie ignored by default", def, req{cookies: map[string]string{"tok": f.AliceAccess}}, 401, ""},
		{"query ignored by default", def, req{path: "/?access_token=" + f.AliceAccess}, 401, ""},
		{"cookie", withCookie, req{cookies: map[string]string{"tok": f.AliceAccess}}, 200, "hello sub-alice"},
		{"query when enabled", withCookie, req{path: "/?access_token=" + f.AliceAccess}, 200, "hello sub-alice"},
		{"header and same cookie", withCookie, req{headers: bearer(f.AliceAccess), cookies: map[string]string{"tok": f.AliceAccess}}, 200, "hello sub-alice"},
		{"header and other cookie", withCookie, req{headers: bearer(f.AliceAccess), cookies: map[string]string{"tok": f.BobAccess}}, 400, ""},
		{"header and other query", withCookie, req{path: "/?access_token=" + f.BobAccess, headers: bearer(f.AliceAccess)}, 400, ""},
		{"custom extractor", custom, req{headers: map[string][]string{"X-Token": {f.BobAccess}}}, 200, "hello sub-bob"},
		{"custom disagrees with header", custom, req{headers: map[string][]string{"X-Token": {f.BobAccess}, "Authorization": {"Bearer " + f.AliceAccess}}}, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := do(tc.h, tc.q)
			if got.status != tc.status {
				t.Fatalf("status = %d; want %d (%s)", got.status, tc.status, got.body)
			}
			if tc.body != "" && got.body != tc.body {
				t.Errorf("body = %q; want %q", got.body, tc.body)
			}
		})
	}
}

func TestOptionalSkipperPreflight(t *testing.T) {
	f := authtest.Get(t)
	optional := mustNew(t, f.Verifier, middleware.Config{Optional: true, Realm: "shop"})
	opt := optional(hello)
	optAdmin := optional(middleware.RequireAnyGroup("admin")(hello))
	skip := mustNew(t, f.Verifier, middleware.Config{Skipper: func(r *http.Request) bool { return r.URL.Path == "/healthz" }})(hello)
	strictPreflight := mustNew(t, f.Verifier, middleware.Config{AuthenticatePreflight: true})(hello)
	preflight := map[string][]string{"Access-Control-Request-Method": {"POST"}, "Origin": {"https://app.example.com"}}
	tests := []struct {
		name      string
		h         http.Handler
		q         req
		status    int
		body      string
		challenge string
	}{
		{"optional anonymous", opt, req{}, 200, "hello anonymous", ""},
		{"optional with token", opt, req{headers: bearer(f.AliceAccess)}, 200, "hello sub-alice", ""},
		{"optional with bad token", opt, req{headers: bearer(f.Expired)}, 401, "", `Bearer realm="shop", error="invalid_token", error_description="The token has expired."`},
		{"optional anonymous on a group route", optAdmin, req{}, 401, "", `Bearer realm="shop"`},
		{"optional admin on a group route", optAdmin, req{headers: bearer(f.AliceAccess)}, 200, "hello sub-alice", ""},
		{"skipped", skip, req{path: "/healthz"}, 200, "hello anonymous", ""},
		{"not skipped", skip, req{path: "/other"}, 401, "", `Bearer realm="api"`},
		{"preflight answered by the middleware", skip, req{method: "OPTIONS", headers: preflight}, 204, "", ""},
		{"plain OPTIONS needs a token", skip, req{method: "OPTIONS"}, 401, "", `Bearer realm="api"`},
		{"preflight authenticated", strictPreflight, req{method: "OPTIONS", headers: preflight}, 401, "", `Bearer realm="api"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := do(tc.h, tc.q)
			if got.status != tc.status {
				t.Fatalf("status = %d; want %d (%s)", got.status, tc.status, got.body)
			}
			if tc.body != "" && got.body != tc.body {
				t.Errorf("body = %q; want %q", got.body, tc.body)
			}
			if c := got.header.Get("WWW-Authenticate"); c != tc.challenge {
				t.Errorf("WWW-Authenticate = %q; want %q", c, tc.challenge)
			}
		})
	}
}

func TestRequireComposition(t *testing.T) {
	f := authtest.Get(t)
	mw := mustNew(t, f.Verifier, middleware.Config{Realm: "shop"})
	errTenant := errors.New("wrong tenant")
	mux := http.NewServeMux()
	mux.Handle("/admin", middleware.RequireAnyGroup("admin")(hello))
	mux.Handle("/admin-ops", middleware.RequireAllGroups("admin", "ops")(hello))
	mux.Handle("/orders", middleware.RequireAnyScope("orders/read", "orders/write")(hello))
	mux.Handle("/orders-all", middleware.RequireAllScopes("openid", "orders/read")(hello))
	mux.Handle("/me", middleware.RequireTokenUse(verifier.TokenUseID)(hello))
	mux.Handle("/both", middleware.RequireAnyGroup("admin")(middleware.RequireAnyScope("orders/read")(hello)))
	mux.Handle("/tenant", middleware.RequireFunc(func(ctx context.Context, c *verifier.Claims) error {
		if c.Username != "alice" {
			return errTenant
		}
		return nil
	})(hello))
	h := mw(mux)
	insufficient := func(desc string) string {
		return `Bearer realm="shop", error="insufficient_scope", error_description="` + desc + `"`
	}
	tests := []struct {
		path      string
		tok       string
		status    int
		challenge string
	}{
		{"/admin", f.AliceAccess, 200, ""},
		{"/admin", f.BobAccess, 403, insufficient("The token lacks a required group.")},
		{"/admin-ops", f.AliceAccess, 403, insufficient("The token lacks a required group.")},
		{"/orders", f.M2M, 200, ""},
		{"/orders", f.BobAccess, 403, insufficient("The token lacks a required scope.") + `, scope="orders/read orders/write"`},
		{"/orders-all", f.AliceAccess, 200, ""},
		{"/orders-all", f.BobAccess, 403, insufficient("The token lacks a required scope.") + `, scope="orders/read"`},
		{"/me", f.AliceID, 200, ""},
		{"/me", f.AliceAccess, 401, `Bearer realm="shop", error="invalid_token", error_description="The token is of the wrong type (ID or access token)."`},
		{"/both", f.AliceAccess, 200, ""},
		{"/both", f.M2M, 403, insufficient("The token lacks a required group.")},
		{"/tenant", f.AliceAccess, 200, ""},
		{"/tenant", f.BobAccess, 403, insufficient("The token is not allowed to access this resource.")},
	}
	for _, tc := range tests {
		got := do(h, req{path: tc.path, headers: bearer(tc.tok)})
		if got.status != tc.status || got.header.Get("WWW-Authenticate") != tc.challenge {
			t.Errorf("%s: %d %q; want %d %q", tc.path, got.status, got.header.Get("WWW-Authenticate"), tc.status, tc.challenge)
		}
	}
	// Config.Policy applies to every route.
	adminsOnly := mustNew(t, f.Verifier, middleware.Config{Policy: verifier.Policy{AnyGroups: []string{"admin"}}})(hello)
	if got := do(adminsOnly, req{headers: bearer(f.BobAccess)}); got.status != 403 {
		t.Errorf("Config.Policy with bob: %d; want 403", got.status)
	}
	if got := do(adminsOnly, req{headers: bearer(f.AliceAccess)}); got.status != 200 {
		t.Errorf("Config.Policy with alice: %d; want 200", got.status)
	}
}

func TestRequirePanicsOnBadNames(t *testing.T) {
	for name, fn := range map[string]func(){
		"empty group":   func() { middleware.RequireAnyGroup("") },
		"no groups":     func() { middleware.RequireAnyGroup() },
		"scope w/space": func() { middleware.RequireAnyScope("a b") },
		"token use any": func() { middleware.RequireTokenUse(verifier.TokenUseAny) },
		"nil func":      func() { middleware.RequireFunc(nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	f := authtest.Get(t)
	tests := map[string]struct {
		v   auth.TokenVerifier
		cfg middleware.Config
	}{
		"nil verifier":      {nil, middleware.Config{}},
		"quote in realm":    {f.Verifier, middleware.Config{Realm: `x"y`}},
		"bad cookie name":   {f.Verifier, middleware.Config{Cookie: "a b"}},
		"bad query name":    {f.Verifier, middleware.Config{QueryParam: "a=b"}},
		"negative retry":    {f.Verifier, middleware.Config{RetryAfter: -1}},
		"empty policy name": {f.Verifier, middleware.Config{Policy: verifier.Policy{AnyScopes: []string{""}}}},
	}
	for name, tc := range tests {
		if _, err := middleware.New(tc.v, tc.cfg); !errors.Is(err, middleware.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
}

func TestErrorHandlerAndBody(t *testing.T) {
	f := authtest.Get(t)
	var got *auth.Rejection
	custom := mustNew(t, f.Verifier, middleware.Config{ErrorHandler: func(w http.ResponseWriter, r *http.Request, rej *auth.Rejection) {
		got = rej
		w.Header().Set("X-Reason", rej.Reason)
		middleware.WriteError(w, rej)
	}})(hello)
	r := do(custom, req{headers: bearer(f.Expired)})
	if got == nil || !errors.Is(got, verifier.ErrExpired) || got.Kind != auth.KindInvalidToken || got.Status != 401 || got.Reason != "expired" {
		t.Fatalf("ErrorHandler got %v; want an expired 401 rejection", got)
	}
	if r.status != 401 || r.header.Get("X-Reason") != "expired" || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("custom handler response = %d %v", r.status, r.header)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", r.header.Get("Cache-Control"))
	}

	body := mustNew(t, f.Verifier, middleware.Config{ErrorBody: func(rej *auth.Rejection) any {
		return map[string]any{"code": rej.Status, "reason": rej.Reason}
	}})(hello)
	r = do(body, req{headers: bearer(f.WrongClient)})
	if r.body != `{"code":401,"reason":"wrong_client"}`+"\n" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("custom body = %q (%s)", r.body, r.header.Get("Content-Type"))
	}
	none := mustNew(t, f.Verifier, middleware.Config{ErrorBody: func(*auth.Rejection) any { return nil }})(hello)
	if r = do(none, req{}); r.status != 401 || r.body != "" {
		t.Errorf("nil body: %d %q; want 401 and no body", r.status, r.body)
	}
	def := mustNew(t, f.Verifier, middleware.Config{})(hello)
	r = do(def, req{headers: bearer(f.Unavailable)})
	var b struct{ Error, ErrorDescription string }
	if err := json.Unmarshal([]byte(r.body), &struct {
		Error            *string `json:"error"`
		ErrorDescription *string `json:"error_description"`
	}{&b.Error, &b.ErrorDescription}); err != nil {
		t.Fatal(err)
	}
	if r.status != 503 || r.header.Get("Retry-After") != "10" || b.Error != "temporarily_unavailable" || strings.Contains(r.body, "http") {
		t.Errorf("unavailable: %d Retry-After %q body %q", r.status, r.header.Get("Retry-After"), r.body)
	}
	if r.header.Get("WWW-Authenticate") != "" {
		t.Errorf("503 carries a challenge %q; the token was not judged", r.header.Get("WWW-Authenticate"))
	}
	slow := mustNew(t, f.Verifier, middleware.Config{RetryAfter: 1500 * time.Millisecond})(hello)
	if r = do(slow, req{headers: bearer(f.Unavailable)}); r.status != 503 || r.header.Get("Retry-After") != "2" {
		t.Errorf("RetryAfter 1.5s: %d Retry-After %q; want 503 and 2 (rounded up)", r.status, r.header.Get("Retry-After"))
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

func TestLoggingNeverLogsTokens(t *testing.T) {
	f := authtest.Get(t)
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	mux := http.NewServeMux()
	mux.Handle("/admin", middleware.RequireAnyGroup("admin")(hello))
	h := mustNew(t, f.Verifier, middleware.Config{Logger: logger})(mux)
	toks := []string{f.Expired, f.WrongClient, f.BadSignature, f.Unavailable, f.AliceID, "garbage-token-value"}
	for _, tok := range toks {
		do(h, req{path: "/admin", headers: bearer(tok)})
	}
	do(h, req{path: "/admin", headers: bearer(f.BobAccess)})
	do(h, req{path: "/admin", headers: map[string][]string{"Authorization": {"Bearer " + f.AliceAccess, "Bearer " + f.BobAccess}}})
	out := buf.String()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	wantReasons := []string{"expired", "wrong_client", "bad_signature", "keys_unavailable", "malformed", "missing_group", "ambiguous_token"}
	if len(lines) != len(wantReasons) {
		t.Fatalf("got %d log lines; want %d:\n%s", len(lines), len(wantReasons), out)
	}
	for i, m := range lines {
		if m["reason"] != wantReasons[i] || m["path"] != "/admin" || m["method"] != "GET" {
			t.Errorf("line %d = %v; want reason %q, path /admin", i, m, wantReasons[i])
		}
	}
	if lines[3]["level"] != "WARN" {
		t.Errorf("keys_unavailable logged at %v; want WARN", lines[3]["level"])
	}
	for _, tok := range append(toks, f.AliceAccess, f.BobAccess) {
		for _, part := range strings.Split(tok, ".") {
			if len(part) >= 8 && strings.Contains(out, part) {
				t.Errorf("the log contains a token segment %q", part)
			}
		}
	}
}

func TestClaimsAs(t *testing.T) {
	f := authtest.Get(t)
	type myClaims struct {
		Email  string   `json:"email"`
		Tenant string   `json:"custom:tenant"`
		Groups []string `json:"cognito:groups"`
	}
	var first, second *myClaims
	h := mustNew(t, f.Verifier, middleware.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if first, err = middleware.ClaimsAs[myClaims](r.Context()); err != nil {
			t.Error(err)
		}
		second, _ = middleware.ClaimsAs[myClaims](r.Context())
	}))
	do(h, req{headers: bearer(f.AliceID)})
	if first == nil || first != second {
		t.Fatalf("ClaimsAs returned %p then %p; want one decoded value", first, second)
	}
	if first.Email != "alice@example.com" || first.Tenant != "acme" || len(first.Groups) != 1 || first.Groups[0] != "admin" {
		t.Errorf("claims = %+v", first)
	}
	if _, err := middleware.ClaimsAs[myClaims](context.Background()); !errors.Is(err, auth.ErrNoClaims) {
		t.Errorf("ClaimsAs without claims err = %v; want auth.ErrNoClaims", err)
	}
	if _, ok := middleware.ClaimsFromContext(context.Background()); ok {
		t.Error("ClaimsFromContext on an empty context reported claims")
	}
	//lint:ignore SA1012 a nil context is the input under test
	if _, err := middleware.ClaimsAs[myClaims](nil); !errors.Is(err, auth.ErrInvalidInput) {
		t.Errorf("ClaimsAs(nil) err = %v; want auth.ErrInvalidInput", err)
	}
	//lint:ignore SA1012 a nil context is the input under test
	if c, ok := middleware.ClaimsFromContext(nil); ok || c != nil {
		t.Errorf("ClaimsFromContext(nil) = %v, %v; want nil, false", c, ok)
	}
}

// The middleware must work with the real network stack too: a preflight
// and a token in one connection.
func TestOverTheNetwork(t *testing.T) {
	f := authtest.Get(t)
	srv := httptest.NewServer(mustNew(t, f.Verifier, middleware.Config{})(hello))
	defer srv.Close()
	r, _ := http.NewRequest("GET", srv.URL, nil)
	r.Header.Set("Authorization", "Bearer "+f.M2M)
	res, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "hello "+authtest.ClientID {
		t.Errorf("M2M over the network: %d %q; want 200 hello <client id>", res.StatusCode, b)
	}
}

type verifierFunc func(ctx context.Context, tok string) (*verifier.Claims, error)

func (f verifierFunc) Verify(ctx context.Context, tok string) (*verifier.Claims, error) {
	return f(ctx, tok)
}

func TestOnDecision(t *testing.T) {
	v := verifierFunc(func(ctx context.Context, tok string) (*verifier.Claims, error) {
		if tok == "good" {
			return &verifier.Claims{Subject: "s", TokenUse: verifier.TokenUseAccess}, nil
		}
		return nil, verifier.ErrExpired
	})
	var got []string
	mw, err := middleware.New(v, middleware.Config{Optional: true, OnDecision: func(r *http.Request, rej *auth.Rejection) {
		if rej == nil {
			got = append(got, "allowed")
		} else {
			got = append(got, rej.Reason)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, hdr := range []string{"Bearer good", "Bearer bad", ""} {
		r := httptest.NewRequest("GET", "/", nil)
		if hdr != "" {
			r.Header.Set("Authorization", hdr)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if want := "allowed expired allowed"; strings.Join(got, " ") != want {
		t.Fatalf("decisions %v; want %s", got, want)
	}
}
