package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/albtoken/albtest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// albSetup is an emulated pool, an ALB fixture for its client, and the
// ALB verifier, optionally verifying access tokens with the pool's keys.
type albSetup struct {
	pool  *cognitotest.Pool
	app   cognitotest.AppClient
	alb   *albtest.Fixture
	v     *alb.Verifier
	alice string // alice's sub
}

func newALBSetup(t *testing.T, withAccess bool) *albSetup {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	s := &albSetup{pool: srv.MustCreatePool(cognitotest.PoolConfig{})}
	s.app = s.pool.MustCreateClient(cognitotest.ClientConfig{})
	s.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}})
	s.pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!"})
	u, err := s.pool.User("alice")
	if err != nil {
		t.Fatal(err)
	}
	s.alice = u.Sub
	s.alb = albtest.NewFixture(t, s.app.ID, s.pool.Issuer())
	cfg := alb.Config{ALBARNs: []string{s.alb.ARN}, ClientIDs: []string{s.app.ID}, Issuer: s.pool.Issuer(), KeyURL: s.alb.KeyURL}
	if withAccess {
		av, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: s.pool.ID(), Issuer: s.pool.Issuer(),
			ClientIDs: []string{s.app.ID}, TokenUse: verifier.TokenUseAccess, JWKSURL: s.pool.JWKSURL()}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { av.Close() })
		cfg.AccessTokens = av
	}
	if s.v, err = alb.New(cfg); err != nil {
		t.Fatal(err)
	}
	return s
}

// headers returns what the ALB forwards for user name.
func (s *albSetup) headers(t *testing.T, name string) http.Header {
	u, err := s.pool.User(name)
	if err != nil {
		t.Fatal(err)
	}
	data := s.alb.Token(t, map[string]any{"sub": u.Sub, "email": u.Username + "@example.com", "email_verified": "true", "username": u.Username,
		"exp": time.Now().Add(time.Minute).Unix(), "iss": s.pool.Issuer()})
	tokens := s.pool.MustMintTokens(s.app.ID, name)
	return http.Header{alb.HeaderData: {data}, alb.HeaderAccessToken: {tokens.AccessToken}, alb.HeaderIdentity: {u.Sub}}
}

func albGet(t *testing.T, url string, h http.Header) (int, string) {
	t.Helper()
	r, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header = h
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestNewALB(t *testing.T) {
	s := newALBSetup(t, false)
	authenticate, err := middleware.NewALB(s.v, middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := middleware.ClaimsFromContext(r.Context())
		id, ok2 := alb.IdentityFromContext(r.Context())
		if !ok || !ok2 || id.User != c {
			http.Error(w, "no claims", 500)
			return
		}
		fmt.Fprintf(w, "%s %s", c.Username, c.Email)
	})))
	defer srv.Close()
	good := s.headers(t, "alice")
	tests := []struct {
		name   string
		hdr    http.Header
		status int
		body   string
	}{
		{"signed headers", good, 200, "alice alice@example.com"},
		{"no headers", http.Header{}, 401, ""},
		{"bare identity header", http.Header{alb.HeaderIdentity: {s.alice}}, 401, ""},
		{"forged identity next to a valid token", http.Header{alb.HeaderData: good[alb.HeaderData], alb.HeaderIdentity: {"admin"}}, 401, ""},
		{"a cognito ID token in place of the ALB token", http.Header{alb.HeaderData: {s.pool.MustMintTokens(s.app.ID, "alice").IDToken}}, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := albGet(t, srv.URL, tc.hdr)
			if status != tc.status || (tc.body != "" && body != tc.body) {
				t.Errorf("got %d %q; want %d %q", status, body, tc.status, tc.body)
			}
		})
	}
}

// With the access token verified, group requirements work as in bearer
// mode.
func TestNewALBWithAccessToken(t *testing.T) {
	s := newALBSetup(t, true)
	authenticate, err := middleware.NewALB(s.v, middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/admin", middleware.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := middleware.ClaimsFromContext(r.Context())
		id, _ := alb.IdentityFromContext(r.Context())
		fmt.Fprintf(w, "%s %s %s", c.TokenUse, c.Username, id.User.Email)
	})))
	srv := httptest.NewServer(authenticate(mux))
	defer srv.Close()
	if status, body := albGet(t, srv.URL+"/admin", s.headers(t, "alice")); status != 200 || body != "access alice alice@example.com" {
		t.Errorf("alice: %d %q", status, body)
	}
	if status, _ := albGet(t, srv.URL+"/admin", s.headers(t, "bob")); status != 403 {
		t.Errorf("bob: %d; want 403", status)
	}
	// bob's access token next to alice's signed claims.
	mixed := s.headers(t, "alice")
	mixed[alb.HeaderAccessToken] = s.headers(t, "bob")[alb.HeaderAccessToken]
	if status, _ := albGet(t, srv.URL+"/admin", mixed); status != 401 {
		t.Errorf("mixed users: %d; want 401", status)
	}
}

func TestNewALBOptional(t *testing.T) {
	s := newALBSetup(t, false)
	authenticate, err := middleware.NewALB(s.v, middleware.Config{Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(authenticate(hello))
	defer srv.Close()
	if status, body := albGet(t, srv.URL, http.Header{}); status != 200 || body != "hello anonymous" {
		t.Errorf("anonymous: %d %q", status, body)
	}
	if status, body := albGet(t, srv.URL, s.headers(t, "alice")); status != 200 || body != "hello "+s.alice {
		t.Errorf("alice: %d %q", status, body)
	}
	if status, _ := albGet(t, srv.URL, http.Header{alb.HeaderData: {"forged"}}); status != 401 {
		t.Errorf("forged: %d; want 401", status)
	}
}

func TestNewALBConfigErrors(t *testing.T) {
	s := newALBSetup(t, false)
	for name, cfg := range map[string]middleware.Config{
		"cookie":    {Cookie: "token"},
		"query":     {QueryParam: "t"},
		"extractor": {Extractor: func(*http.Request) (string, error) { return "", nil }},
	} {
		if _, err := middleware.NewALB(s.v, cfg); !errors.Is(err, middleware.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	if _, err := middleware.NewALB(nil, middleware.Config{}); !errors.Is(err, middleware.ErrInvalidConfig) {
		t.Errorf("nil verifier: err = %v", err)
	}
	_ = context.Background
}
