package oauth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/oauth"
)

const (
	callbackURL = "http://127.0.0.1:1/callback"
	logoutURL   = "http://127.0.0.1:1/signed-out"
	alicePass   = "Alice-Passw0rd!"
	bobPass     = "Bob-Passw0rd!"
	totpSecret  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// env is an emulator with a pool, users and app clients for OAuth tests.
type env struct {
	srv          *cognitotest.Server
	pool         *cognitotest.Pool
	public       cognitotest.AppClient // code flow, no secret
	confidential cognitotest.AppClient // code flow, secret, rotation
	m2m          cognitotest.AppClient // client_credentials
	noCode       cognitotest.AppClient // secret, OAuth not allowed
}

func newEnv(t testing.TB, opts ...cognitotest.Option) *env {
	t.Helper()
	srv := cognitotest.NewServer(t, append([]cognitotest.Option{cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)}, opts...)...)
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_OAuthTest", Name: "OAuth test pool", MFA: cognitotest.MFAOptional})
	if err := pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "", "write": ""}}); err != nil {
		t.Fatal(err)
	}
	userScopes := []string{"openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"}
	e := &env{srv: srv, pool: pool}
	e.public = pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "web", CallbackURLs: []string{callbackURL}, LogoutURLs: []string{logoutURL},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: userScopes, AllowedOAuthFlowsUserPoolClient: true,
	})
	e.confidential = pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "server", GenerateSecret: true, RefreshTokenRotation: true,
		CallbackURLs: []string{callbackURL, callbackURL + "2"}, LogoutURLs: []string{logoutURL},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: userScopes, AllowedOAuthFlowsUserPoolClient: true,
	})
	e.m2m = pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "m2m", GenerateSecret: true,
		AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read", "orders/write"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	e.noCode = pool.MustCreateClient(cognitotest.ClientConfig{Name: "api-only", GenerateSecret: true, CallbackURLs: []string{callbackURL}})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass, Email: "alice@example.com",
		Attributes: map[string]string{"name": "Alice Liddell", "custom:tenant": "acme"}, Groups: []string{"staff"}})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: bobPass, Email: "bob@example.com", TOTPSecret: totpSecret})
	return e
}

// client returns an oauth.Client for an app client of the env.
func (e *env) client(t testing.TB, ac cognitotest.AppClient, mod ...func(*oauth.Config)) *oauth.Client {
	t.Helper()
	cfg := oauth.Config{
		Domain: e.srv.OAuthDomain(), ClientID: ac.ID, ClientSecret: ac.Secret, RedirectURL: callbackURL,
		UserPoolID: e.pool.ID(), Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL(),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := oauth.New(cfg)
	if err != nil {
		t.Fatalf("oauth.New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// browser is a minimal HTTP "browser" that follows the emulator's sign-in
// pages and stops at the callback URL.
type browser struct {
	t  testing.TB
	hc *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), "http://127.0.0.1:1/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// signIn opens authURL, submits the credentials (and a TOTP code when
// asked), and returns the callback URL the emulator redirected to.
func (b *browser) signIn(authURL, username, password string) *url.URL {
	b.t.Helper()
	resp, body := b.get(authURL)
	if loc := callback(resp); loc != nil {
		return loc // existing managed-login session
	}
	m := requestRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no sign-in form at %s (status %d): %.300s", authURL, resp.StatusCode, body)
	}
	resp, body = b.post(resp.Request.URL.ResolveReference(&url.URL{Path: "/login"}).String(), url.Values{"request": {m[1]}, "username": {username}, "password": {password}})
	if loc := callback(resp); loc != nil {
		return loc
	}
	if !strings.Contains(body, `id="code"`) {
		b.t.Fatalf("sign-in failed (status %d): %.400s", resp.StatusCode, body)
	}
	code, err := cognitotest.TOTPCode(totpSecret, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	resp, body = b.post(resp.Request.URL.String(), url.Values{"request": {m[1]}, "code": {code}})
	if loc := callback(resp); loc != nil {
		return loc
	}
	b.t.Fatalf("TOTP step failed (status %d): %.400s", resp.StatusCode, body)
	return nil
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.Get(u)
	if err != nil {
		b.t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.PostForm(u, form)
	if err != nil {
		b.t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func callback(resp *http.Response) *url.URL {
	if resp.StatusCode != http.StatusFound {
		return nil
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), "http://127.0.0.1:1/") {
		return nil
	}
	return loc
}

// login runs a full authorization code flow and returns the code and the
// request.
func login(t testing.TB, c *oauth.Client, username, password string, opts ...oauth.AuthOption) (string, oauth.AuthRequest) {
	t.Helper()
	req, err := oauth.NewAuthRequest()
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.AuthCodeURL(req, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cb := newBrowser(t).signIn(u, username, password)
	q := cb.Query()
	if got := q.Get("state"); got != req.State {
		t.Fatalf("state = %q; want %q", got, req.State)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in callback %s", cb.Redacted())
	}
	return q.Get("code"), req
}

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func wantIs(t testing.TB, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil; want %v", targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("err = %v; want errors.Is(err, %v)", err, target)
		}
	}
}

var _ = context.Background
