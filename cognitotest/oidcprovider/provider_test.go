package oidcprovider_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest/oidcprovider"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

const (
	confidentialID = "rp-confidential"
	secret         = "s3cret-value"
	publicID       = "rp-public"
)

// googleUser has the claims of a Google account, for "Sign in with Google"
// modelled as OIDC.
var googleUser = oidcprovider.User{
	Subject: "115404421377373211311", Email: "ann@example.com", EmailVerified: true, Name: "Ann Example",
	Picture: "https://example.com/ann.png",
	Claims:  map[string]any{"hd": "example.com", "given_name": "Ann", "family_name": "Example", "locale": "en"},
}

var bobUser = oidcprovider.User{Subject: "bob-2", Email: "bob@example.com", Name: "Bob"}

// rp is a relying party: an httptest server whose callback page the
// browser lands on.
type rp struct {
	srv *httptest.Server
}

func newRP(t *testing.T) *rp {
	r := &rp{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, "callback received")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rp) callback() string { return r.srv.URL + "/cb" }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newProvider(t *testing.T, cb string, mod func(*oidcprovider.Config)) *oidcprovider.Provider {
	t.Helper()
	cfg := oidcprovider.Config{
		Clients: []oidcprovider.Client{
			{ID: confidentialID, Secret: secret, RedirectURIs: []string{cb}},
			{ID: publicID, RedirectURIs: []string{cb, cb + "?x=1"}},
		},
		Users: []oidcprovider.User{googleUser, bobUser},
		Key:   testkeys.RSA2048(1)[0], // fixed: no key generation per test (Example covers the default)
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := oidcprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func oauthConfig(p *oidcprovider.Provider, id, sec, cb string, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{ClientID: id, ClientSecret: sec, RedirectURL: cb, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthorizeURL(), TokenURL: p.TokenURL(), AuthStyle: style}}
}

// noRedirect is an HTTP client that stops at redirects.
var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize GETs u and returns the redirect's query.
func authorize(t *testing.T, u string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("GET authorize: %d; want a redirect", resp.StatusCode)
	}
	return loc.Query()
}

// verifyIDToken checks the ID token as a relying party does, with jwx and
// the provider's published key set.
func verifyIDToken(t *testing.T, p *oidcprovider.Provider, raw, aud string) jwt.Token {
	t.Helper()
	set, err := jwk.Fetch(context.Background(), p.JWKSURL())
	if err != nil {
		t.Fatalf("fetch JWKS: %v", err)
	}
	tok, err := jwt.Parse([]byte(raw), jwt.WithKeySet(set), jwt.WithIssuer(p.URL()), jwt.WithAudience(aud))
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	return tok
}

func claim[T any](t *testing.T, tok jwt.Token, name string) T {
	t.Helper()
	var v T
	if err := tok.Get(name, &v); err != nil {
		t.Fatalf("claim %s: %v", name, err)
	}
	return v
}

func TestCodeFlowWithXOAuth2(t *testing.T) {
	r := newRP(t)
	for _, tc := range []struct {
		name   string
		id     string
		secret string
		style  oauth2.AuthStyle
		pkce   bool
	}{
		{"client_secret_basic with PKCE", confidentialID, secret, oauth2.AuthStyleInHeader, true},
		{"client_secret_post without PKCE", confidentialID, secret, oauth2.AuthStyleInParams, false},
		{"public client with PKCE", publicID, "", oauth2.AuthStyleInParams, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, r.callback(), func(c *oidcprovider.Config) { c.AutoApprove = googleUser.Subject })
			oc := oauthConfig(p, tc.id, tc.secret, r.callback(), tc.style)
			verifier := oauth2.GenerateVerifier()
			opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("nonce", "n-0S6_WzA2Mj")}
			var exOpts []oauth2.AuthCodeOption
			if tc.pkce {
				opts = append(opts, oauth2.S256ChallengeOption(verifier))
				exOpts = append(exOpts, oauth2.VerifierOption(verifier))
			}
			q := authorize(t, oc.AuthCodeURL("st-123", opts...))
			if q.Get("state") != "st-123" || q.Get("code") == "" || q.Get("iss") != p.URL() {
				t.Fatalf("callback query %v; want code, state st-123 and iss", q)
			}
			tok, err := oc.Exchange(context.Background(), q.Get("code"), exOpts...)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			id := verifyIDToken(t, p, raw, tc.id)
			if sub, _ := id.Subject(); sub != googleUser.Subject {
				t.Errorf("sub = %q; want %q", sub, googleUser.Subject)
			}
			if got := claim[string](t, id, "nonce"); got != "n-0S6_WzA2Mj" {
				t.Errorf("nonce = %q", got)
			}
			sum := sha256.Sum256([]byte(tok.AccessToken))
			if got := claim[string](t, id, "at_hash"); got != base64.RawURLEncoding.EncodeToString(sum[:16]) {
				t.Errorf("at_hash = %q does not match the access token", got)
			}
			if claim[string](t, id, "email") != googleUser.Email || !claim[bool](t, id, "email_verified") ||
				claim[string](t, id, "name") != googleUser.Name || claim[string](t, id, "picture") != googleUser.Picture ||
				claim[string](t, id, "hd") != "example.com" || claim[string](t, id, "given_name") != "Ann" {
				t.Errorf("profile claims wrong")
			}
			// userinfo with the access token.
			resp, err := oc.Client(context.Background(), tok).Get(p.UserInfoURL())
			if err != nil {
				t.Fatal(err)
			}
			var ui map[string]any
			json.NewDecoder(resp.Body).Decode(&ui)
			resp.Body.Close()
			if resp.StatusCode != 200 || ui["sub"] != googleUser.Subject || ui["email"] != googleUser.Email || ui["locale"] != "en" || ui["email_verified"] != true {
				t.Errorf("userinfo: %d %v", resp.StatusCode, ui)
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1/cb", nil)
	resp, err := http.Get(p.DiscoveryURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"issuer": p.URL(), "authorization_endpoint": p.AuthorizeURL(), "token_endpoint": p.TokenURL(),
		"jwks_uri": p.JWKSURL(), "userinfo_endpoint": p.UserInfoURL()}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v; want %s", k, d[k], v)
		}
	}
	if !strings.HasPrefix(p.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q; want a loopback URL", p.URL())
	}
	set, err := jwk.Fetch(context.Background(), p.JWKSURL())
	if err != nil || set.Len() != 1 {
		t.Fatalf("JWKS: %v", err)
	}
	k, _ := set.Key(0)
	if _, ok := k.KeyID(); !ok {
		t.Error("the key has no kid")
	}
	if p.PublicKey() == nil {
		t.Error("PublicKey() = nil")
	}
}

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// TestSignInAsPage drives the page with a plain HTTP client: the list of
// users, the custom form, cancel, and a replayed page.
func TestSignInAsPage(t *testing.T) {
	r := newRP(t)
	p := newProvider(t, r.callback(), nil)
	oc := oauthConfig(p, publicID, "", r.callback(), oauth2.AuthStyleInParams)
	page := func(extra ...oauth2.AuthCodeOption) string {
		resp, err := noRedirect.Get(oc.AuthCodeURL("st", extra...))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "Sign in as") {
			t.Fatalf("authorize: %d; want the sign-in page", resp.StatusCode)
		}
		m := requestRE.FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("no request field: %s", b)
		}
		if !strings.Contains(string(b), googleUser.Name) || !strings.Contains(string(b), bobUser.Email) {
			t.Fatalf("the page does not list the users")
		}
		return m[1]
	}
	post := func(form url.Values) (*http.Response, url.Values) {
		resp, err := noRedirect.PostForm(p.AuthorizeURL(), form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if loc == nil {
			return resp, nil
		}
		return resp, loc.Query()
	}
	exchange := func(code string) jwt.Token {
		tok, err := oc.Exchange(context.Background(), code)
		if err != nil {
			t.Fatalf("Exchange: %v", err)
		}
		return verifyIDToken(t, p, tok.Extra("id_token").(string), publicID)
	}

	id := page()
	_, q := post(url.Values{"request": {id}, "sub": {bobUser.Subject}})
	if q.Get("state") != "st" {
		t.Fatalf("callback %v", q)
	}
	if sub, _ := exchange(q.Get("code")).Subject(); sub != bobUser.Subject {
		t.Errorf("sub = %q; want bob", sub)
	}
	// The page's request is single-use.
	if resp, _ := post(url.Values{"request": {id}, "sub": {bobUser.Subject}}); resp.StatusCode != 400 {
		t.Errorf("replayed page: %d; want 400", resp.StatusCode)
	}
	// Another user, typed in.
	_, q = post(url.Values{"request": {page()}, "custom_sub": {"carol-3"}, "custom_email": {"carol@example.com"}, "custom_name": {"Carol"}})
	tok := exchange(q.Get("code"))
	if sub, _ := tok.Subject(); sub != "carol-3" || claim[string](t, tok, "email") != "carol@example.com" {
		t.Errorf("custom user: sub %q", sub)
	}
	// Cancel.
	_, q = post(url.Values{"request": {page()}, "deny": {"1"}})
	if q.Get("error") != "access_denied" || q.Get("state") != "st" {
		t.Errorf("cancel: %v; want access_denied with state", q)
	}
	// Bad forms.
	for name, form := range map[string]url.Values{
		"unknown user":      {"request": {page()}, "sub": {"nobody"}},
		"no request":        {"sub": {bobUser.Subject}},
		"bad custom sub":    {"request": {page()}, "custom_sub": {"has space"}},
		"empty custom":      {"request": {page()}},
		"repeated sub":      {"request": {page()}, "sub": {bobUser.Subject, googleUser.Subject}},
		"unknown request":   {"request": {"nope"}, "sub": {bobUser.Subject}},
		"long custom email": {"request": {page()}, "custom_sub": {"x"}, "custom_email": {strings.Repeat("a", 300)}},
	} {
		if resp, q := post(form); resp.StatusCode != 400 || q != nil {
			t.Errorf("%s: %d %v; want 400 without redirect", name, resp.StatusCode, q)
		}
	}
	// login_hint preselects without TrustLoginHint, and prompt=none fails.
	page(oauth2.SetAuthURLParam("login_hint", bobUser.Email))
	q = authorize(t, oc.AuthCodeURL("st", oauth2.SetAuthURLParam("prompt", "none")))
	if q.Get("error") != "login_required" {
		t.Errorf("prompt=none: %v; want login_required", q)
	}
}

func TestTrustLoginHint(t *testing.T) {
	r := newRP(t)
	p := newProvider(t, r.callback(), func(c *oidcprovider.Config) { c.TrustLoginHint = true })
	oc := oauthConfig(p, confidentialID, secret, r.callback(), oauth2.AuthStyleInHeader)
	for _, hint := range []string{bobUser.Email, strings.ToUpper(bobUser.Email), bobUser.Subject} {
		q := authorize(t, oc.AuthCodeURL("s", oauth2.SetAuthURLParam("login_hint", hint)))
		tok, err := oc.Exchange(context.Background(), q.Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		if sub, _ := verifyIDToken(t, p, tok.Extra("id_token").(string), confidentialID).Subject(); sub != bobUser.Subject {
			t.Errorf("login_hint %q: sub %q; want bob", hint, sub)
		}
	}
	// An unknown hint shows the page.
	resp, err := noRedirect.Get(oc.AuthCodeURL("s", oauth2.SetAuthURLParam("login_hint", "nobody@example.com")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("unknown login_hint: %d; want the page", resp.StatusCode)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	r := newRP(t)
	p := newProvider(t, r.callback(), func(c *oidcprovider.Config) { c.AutoApprove = bobUser.Subject })
	base := url.Values{"client_id": {publicID}, "redirect_uri": {r.callback()}, "response_type": {"code"}, "scope": {"openid"}, "state": {"st"}}
	with := func(mod func(url.Values)) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = append([]string(nil), v...)
		}
		mod(q)
		return p.AuthorizeURL() + "?" + q.Encode()
	}
	// No redirect: the client or redirect URI cannot be trusted.
	for name, u := range map[string]string{
		"unknown client":          with(func(q url.Values) { q.Set("client_id", "evil") }),
		"no client":               with(func(q url.Values) { q.Del("client_id") }),
		"redirect not registered": with(func(q url.Values) { q.Set("redirect_uri", "https://evil.example.com/cb") }),
		"redirect prefix":         with(func(q url.Values) { q.Set("redirect_uri", r.callback()+"/more") }),
		"redirect case":           with(func(q url.Values) { q.Set("redirect_uri", strings.ToUpper(r.callback())) }),
		"no redirect":             with(func(q url.Values) { q.Del("redirect_uri") }),
		"repeated redirect":       with(func(q url.Values) { q.Add("redirect_uri", r.callback()) }),
		"repeated client":         with(func(q url.Values) { q.Add("client_id", publicID) }),
		"bad query":               p.AuthorizeURL() + "?client_id=%zz",
	} {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d %q; want 400 without redirect", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Errors sent back to the redirect URI, with state.
	for name, tc := range map[string]struct {
		u    string
		want string
	}{
		"token response type": {with(func(q url.Values) { q.Set("response_type", "token") }), "unsupported_response_type"},
		"no response type":    {with(func(q url.Values) { q.Del("response_type") }), "invalid_request"},
		"no openid":           {with(func(q url.Values) { q.Set("scope", "email") }), "invalid_scope"},
		"plain PKCE": {with(func(q url.Values) {
			q.Set("code_challenge", strings.Repeat("a", 43))
			q.Set("code_challenge_method", "plain")
		}), "invalid_request"},
		"PKCE without method": {with(func(q url.Values) { q.Set("code_challenge", strings.Repeat("a", 43)) }), "invalid_request"},
		"short challenge":     {with(func(q url.Values) { q.Set("code_challenge", "abc"); q.Set("code_challenge_method", "S256") }), "invalid_request"},
		"repeated state":      {with(func(q url.Values) { q.Add("state", "x") }), "invalid_request"},
		"request object":      {with(func(q url.Values) { q.Set("request", "eyJ") }), "request_not_supported"},
		"unknown prompt":      {with(func(q url.Values) { q.Set("prompt", "whatever") }), "invalid_request"},
	} {
		q := authorize(t, tc.u)
		if q.Get("error") != tc.want || q.Has("code") {
			t.Errorf("%s: %v; want error %s", name, q, tc.want)
		}
		if name != "repeated state" && q.Get("state") != "st" {
			t.Errorf("%s: state %q; want st", name, q.Get("state"))
		}
	}
	// A registered redirect URI with a query of its own keeps it.
	q := authorize(t, with(func(q url.Values) { q.Set("redirect_uri", r.callback()+"?x=1") }))
	if q.Get("x") != "1" || q.Get("code") == "" {
		t.Errorf("redirect with query: %v", q)
	}
}

func TestRequirePKCE(t *testing.T) {
	r := newRP(t)
	p := newProvider(t, r.callback(), func(c *oidcprovider.Config) { c.AutoApprove = bobUser.Subject; c.RequirePKCE = true })
	oc := oauthConfig(p, publicID, "", r.callback(), oauth2.AuthStyleInParams)
	if q := authorize(t, oc.AuthCodeURL("s")); q.Get("error") != "invalid_request" {
		t.Errorf("without PKCE: %v; want invalid_request", q)
	}
	v := oauth2.GenerateVerifier()
	if q := authorize(t, oc.AuthCodeURL("s", oauth2.S256ChallengeOption(v))); q.Get("code") == "" {
		t.Errorf("with PKCE: %v; want a code", q)
	}
}

// tokenPost posts a token request and returns the status and RFC 6749
// error code.
func tokenPost(t *testing.T, p *oidcprovider.Provider, form url.Values, basicID, basicSecret string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error, resp.Header
}

func TestTokenErrors(t *testing.T) {
	r := newRP(t)
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	p := newProvider(t, r.callback(), func(c *oidcprovider.Config) { c.AutoApprove = bobUser.Subject; c.Now = clk.Now })
	conf := oauthConfig(p, confidentialID, secret, r.callback(), oauth2.AuthStyleInHeader)
	verifier := oauth2.GenerateVerifier()
	code := func() string {
		return authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))).Get("code")
	}
	good := func(c string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {r.callback()}, "code_verifier": {verifier}}
	}
	tests := []struct {
		name       string
		form       func() url.Values
		id, secret string
		status     int
		want       string
	}{
		{"wrong secret", func() url.Values { return good(code()) }, confidentialID, "wrong", 401, "invalid_client"},
		{"unknown client", func() url.Values { return good(code()) }, "nobody", "x", 401, "invalid_client"},
		{"no authentication", func() url.Values { return good(code()) }, "", "", 401, "invalid_client"},
		{"basic and post", func() url.Values { f := good(code()); f.Set("client_secret", secret); return f }, confidentialID, secret, 401, "invalid_client"},
		{"secret of a public client", func() url.Values {
			f := good(code())
			f.Set("client_id", publicID)
			f.Set("client_secret", "x")
			return f
		}, "", "", 401, "invalid_client"},
		{"wrong verifier", func() url.Values { f := good(code()); f.Set("code_verifier", oauth2.GenerateVerifier()); return f }, confidentialID, secret, 400, "invalid_grant"},
		{"no verifier", func() url.Values { f := good(code()); f.Del("code_verifier"); return f }, confidentialID, secret, 400, "invalid_grant"},
		{"wrong redirect", func() url.Values { f := good(code()); f.Set("redirect_uri", r.callback()+"?x=1"); return f }, confidentialID, secret, 400, "invalid_grant"},
		{"other client's code", func() url.Values { f := good(code()); f.Set("client_id", publicID); return f }, "", "", 400, "invalid_grant"},
		{"unknown code", func() url.Values { return good("nope") }, confidentialID, secret, 400, "invalid_grant"},
		{"no code", func() url.Values { f := good(""); f.Del("code"); return f }, confidentialID, secret, 400, "invalid_request"},
		{"refresh grant", func() url.Values { f := good(code()); f.Set("grant_type", "refresh_token"); return f }, confidentialID, secret, 400, "unsupported_grant_type"},
		{"no grant type", func() url.Values { f := good(code()); f.Del("grant_type"); return f }, confidentialID, secret, 400, "invalid_request"},
		{"repeated code", func() url.Values { f := good(code()); f.Add("code", "x"); return f }, confidentialID, secret, 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, got, hdr := tokenPost(t, p, tc.form(), tc.id, tc.secret)
			if status != tc.status || got != tc.want {
				t.Fatalf("status %d, error %q; want %d %q", status, got, tc.status, tc.want)
			}
			if got == "invalid_client" && tc.id != "" && hdr.Get("WWW-Authenticate") == "" {
				t.Error("invalid_client after Basic without WWW-Authenticate")
			}
		})
	}

	t.Run("code reuse revokes the access token", func(t *testing.T) {
		c := code()
		tok, err := conf.Exchange(context.Background(), c, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		_, err = conf.Exchange(context.Background(), c, oauth2.VerifierOption(verifier))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("second exchange: %v; want invalid_grant", err)
		}
		resp, err := conf.Client(context.Background(), tok).Get(p.UserInfoURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Fatalf("userinfo after code reuse: %d; want 401 invalid_token", resp.StatusCode)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		c := code()
		clk.Add(oidcprovider.DefaultCodeTTL + time.Second)
		if _, err := conf.Exchange(context.Background(), c, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("an expired code was redeemed")
		}
	})
	t.Run("expired access token", func(t *testing.T) {
		tok, err := conf.Exchange(context.Background(), code(), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(oidcprovider.DefaultTokenTTL + time.Second)
		resp, err := conf.Client(context.Background(), tok).Get(p.UserInfoURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("userinfo with an expired token: %d; want 401", resp.StatusCode)
		}
	})
	t.Run("userinfo without a token", func(t *testing.T) {
		resp, err := http.Get(p.UserInfoURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%d; want 401 with WWW-Authenticate", resp.StatusCode)
		}
	})
	t.Run("GET token", func(t *testing.T) {
		resp, err := http.Get(p.TokenURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Fatalf("%d; want 405", resp.StatusCode)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	cl := []oidcprovider.Client{{ID: "a", RedirectURIs: []string{"http://127.0.0.1/cb"}}}
	tests := map[string]oidcprovider.Config{
		"no clients":           {},
		"client without uris":  {Clients: []oidcprovider.Client{{ID: "a"}}},
		"relative uri":         {Clients: []oidcprovider.Client{{ID: "a", RedirectURIs: []string{"/cb"}}}},
		"uri with fragment":    {Clients: []oidcprovider.Client{{ID: "a", RedirectURIs: []string{"http://x/cb#f"}}}},
		"duplicate client":     {Clients: append(cl, cl[0])},
		"client id with colon": {Clients: []oidcprovider.Client{{ID: "a:b", RedirectURIs: []string{"http://x/cb"}}}},
		"user without sub":     {Clients: cl, Users: []oidcprovider.User{{Email: "x@example.com"}}},
		"duplicate user":       {Clients: cl, Users: []oidcprovider.User{bobUser, bobUser}},
		"reserved claim":       {Clients: cl, Users: []oidcprovider.User{{Subject: "x", Claims: map[string]any{"iss": "evil"}}}},
		"bad claim value":      {Clients: cl, Users: []oidcprovider.User{{Subject: "x", Claims: map[string]any{"f": func() {}}}}},
		"unknown auto approve": {Clients: cl, AutoApprove: "nobody"},
		"public address":       {Clients: cl, Addr: "0.0.0.0:0"},
		"negative ttl":         {Clients: cl, CodeTTL: -1},
		"issuer with slash":    {Clients: cl, Issuer: "http://127.0.0.1:1/"},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := oidcprovider.New(cfg)
			if !errors.Is(err, oidcprovider.ErrInvalidConfig) {
				if p != nil {
					p.Close()
				}
				t.Fatalf("New: %v; want ErrInvalidConfig", err)
			}
		})
	}
}
