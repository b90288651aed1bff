package weblogin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

const (
	alicePass = "Alice-Passw0rd!"
	adminPass = "Admin-Passw0rd!"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// site is a web app using weblogin against the emulator.
type site struct {
	t      testing.TB
	srv    *cognitotest.Server
	pool   *cognitotest.Pool
	ac     cognitotest.AppClient
	client *oauth.Client
	h      *weblogin.Handler
	ts     *httptest.Server
	clk    *clock
	keys   [][]byte
}

type siteOpt struct {
	rotation bool
	grace    time.Duration
	refresh  time.Duration // refresh token lifetime
	store    func(keys [][]byte, clk *clock) weblogin.SessionStore
	mod      func(*weblogin.Config)
}

func newSite(t testing.TB, o siteOpt) *site {
	t.Helper()
	clk := &clock{t: time.Now()}
	s := &site{t: t, clk: clk}
	var handler http.Handler = http.NotFoundHandler()
	s.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(s.ts.Close)
	s.srv = cognitotest.NewServer(t, cognitotest.WithClock(clk.Now), cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	s.pool = s.srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_WebLogin", Name: "weblogin"})
	s.ac = s.pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "site", GenerateSecret: true, RefreshTokenRotation: o.rotation, RetryGracePeriod: o.grace, TokenLifetimes: cognitotest.TokenLifetimes{Refresh: o.refresh},
		CallbackURLs: []string{s.ts.URL + "/auth/callback"}, LogoutURLs: []string{s.ts.URL + "/"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	s.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass, Email: "alice@example.com",
		Attributes: map[string]string{"name": "Alice Liddell", "custom:tenant": "acme"}, Groups: []string{"staff"}})
	s.pool.MustCreateUser(cognitotest.UserConfig{Username: "root", Password: adminPass, Groups: []string{"admin"}})
	c, err := oauth.New(oauth.Config{
		Domain: s.srv.OAuthDomain(), ClientID: s.ac.ID, ClientSecret: s.ac.Secret, RedirectURL: s.ts.URL + "/auth/callback",
		UserPoolID: s.pool.ID(), Issuer: s.pool.Issuer(), JWKSURL: s.pool.JWKSURL(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s.client = c
	k, _ := weblogin.NewKey()
	s.keys = [][]byte{k}
	cfg := weblogin.Config{Client: c, Keys: s.keys, PostLogoutURL: s.ts.URL + "/", InsecureCookies: true, Now: clk.Now}
	if o.store != nil {
		cfg.Store = o.store(s.keys, clk)
	}
	if o.mod != nil {
		o.mod(&cfg)
	}
	s.h, err = weblogin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", s.h)
	mux.Handle("/me", s.h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := weblogin.SessionFromContext(r.Context())
		if !ok {
			http.Error(w, "no session in context", 500)
			return
		}
		claims, err := sess.IDClaims()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		tenant, _ := claims.String("custom:tenant")
		io.WriteString(w, "user="+sess.Username+" name="+sess.Name+" groups="+strings.Join(sess.Groups, ",")+" tenant="+tenant+" at="+sess.AccessToken[len(sess.AccessToken)-8:])
	})))
	mux.Handle("/admin", s.h.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "admin area") })))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.Handle("/any-of", s.h.RequireAnyGroup("admin", "staff")(ok))
	mux.Handle("/all-of", s.h.RequireAllGroups("admin", "staff")(ok))
	mux.Handle("/staff", s.h.RequireAllGroups("staff")(ok))
	mux.Handle("/deprecated", s.h.RequireGroup("admin")(ok))
	mux.Handle("/", s.h.LoadSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sess, ok := weblogin.SessionFromContext(r.Context()); ok {
			io.WriteString(w, "home, signed in as "+sess.Username)
			return
		}
		io.WriteString(w, "home, anonymous")
	})))
	handler = mux
	return s
}

// agent is a cookie-keeping browser stand-in.
type agent struct {
	t   testing.TB
	s   *site
	jar *cookiejar.Jar
	hc  *http.Client
	// stopAt: redirects to URLs with this prefix are not followed.
	stopAt string
}

func (s *site) agent() *agent {
	jar, _ := cookiejar.New(nil)
	a := &agent{t: s.t, s: s, jar: jar}
	a.hc = &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if a.stopAt != "" && strings.HasPrefix(req.URL.String(), a.stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return a
}

func (a *agent) do(method, u string, form url.Values, hdr map[string]string) (*http.Response, string) {
	a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (a *agent) get(u string) (*http.Response, string) { return a.do(http.MethodGet, u, nil, nil) }

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// signIn submits the emulator's form found in body.
func (a *agent) signIn(body, user, pass string) (*http.Response, string) {
	a.t.Helper()
	m := requestRE.FindStringSubmatch(body)
	if m == nil {
		a.t.Fatalf("no sign-in form: %.300s", body)
	}
	return a.do(http.MethodPost, a.s.srv.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {user}, "password": {pass}}, nil)
}

// login signs the agent in and returns the /me body.
func (a *agent) login(user, pass string) string {
	a.t.Helper()
	_, body := a.get(a.s.ts.URL + "/me")
	resp, body := a.signIn(body, user, pass)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/me" {
		a.t.Fatalf("after sign-in: status %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	return body
}

// callbackURL runs a sign-in up to the redirect to the callback and
// returns that URL, not followed.
func (a *agent) callbackURL(returnTo string) *url.URL {
	a.t.Helper()
	a.stopAt = a.s.ts.URL + "/auth/callback"
	defer func() { a.stopAt = "" }()
	resp, body := a.get(a.s.ts.URL + a.s.h.LoginURL(returnTo))
	if resp.StatusCode != http.StatusFound { // no managed-login session yet
		resp, _ = a.signIn(body, "alice", alicePass)
	}
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil {
		a.t.Fatalf("sign-in: status %d; want a redirect to the callback", resp.StatusCode)
	}
	return loc
}

// sentToSignIn requests u without following the redirect to Cognito and
// reports whether the browser was sent to the authorization endpoint (the
// emulator's managed-login session would otherwise sign it in again).
func (a *agent) sentToSignIn(u string) bool {
	a.t.Helper()
	a.stopAt = a.s.srv.OAuthDomain()
	defer func() { a.stopAt = "" }()
	resp, _ := a.get(u)
	loc, err := resp.Location()
	return resp.StatusCode == http.StatusFound && err == nil && strings.HasPrefix(loc.String(), a.s.srv.OAuthDomain()+"/oauth2/authorize")
}

func (a *agent) cookie(name string) *http.Cookie {
	u, _ := url.Parse(a.s.ts.URL + "/auth/callback")
	for _, c := range a.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (a *agent) setCookie(c *http.Cookie) {
	u, _ := url.Parse(a.s.ts.URL + "/")
	c.Path = "/"
	a.jar.SetCookies(u, []*http.Cookie{c})
}

func TestSignInFlow(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	_, body := a.get(s.ts.URL + "/")
	if body != "home, anonymous" {
		t.Fatalf("home = %q; want anonymous", body)
	}
	resp, body := a.get(s.ts.URL + "/me?tab=1")
	if !strings.HasPrefix(resp.Request.URL.String(), s.srv.OAuthDomain()+"/login") {
		t.Fatalf("GET /me ended at %s; want the sign-in page", resp.Request.URL)
	}
	resp, body = a.signIn(body, "alice", alicePass)
	if resp.Request.URL.RequestURI() != "/me?tab=1" {
		t.Fatalf("returned to %s; want /me?tab=1", resp.Request.URL.RequestURI())
	}
	if !strings.Contains(body, "user=alice name=Alice Liddell groups=staff tenant=acme") {
		t.Fatalf("/me = %q; want alice's session", body)
	}
	if _, body := a.get(s.ts.URL + "/"); body != "home, signed in as alice" {
		t.Fatalf("home = %q; want signed in", body)
	}
	if resp, body := a.get(s.ts.URL + "/admin"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Forbidden") {
		t.Fatalf("/admin as alice: %d; want 403", resp.StatusCode)
	}
	b := s.agent()
	b.login("root", adminPass)
	if resp, body := b.get(s.ts.URL + "/admin"); resp.StatusCode != 200 || body != "admin area" {
		t.Fatalf("/admin as root: %d %q; want 200", resp.StatusCode, body)
	}
	// alice is in staff, root in admin.
	for _, tc := range []struct {
		who  *agent
		name string
		path string
		want int
	}{
		{a, "alice", "/any-of", 200}, {b, "root", "/any-of", 200},
		{a, "alice", "/all-of", 403}, {b, "root", "/all-of", 403},
		{a, "alice", "/staff", 200}, {b, "root", "/staff", 403},
		{a, "alice", "/deprecated", 403}, {b, "root", "/deprecated", 200},
	} {
		if resp, _ := tc.who.get(s.ts.URL + tc.path); resp.StatusCode != tc.want {
			t.Errorf("%s as %s: %d; want %d", tc.path, tc.name, resp.StatusCode, tc.want)
		}
	}
	for name, fn := range map[string]func(){
		"RequireAnyGroup()":  func() { s.h.RequireAnyGroup() },
		"RequireAllGroups()": func() { s.h.RequireAllGroups() },
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

func TestCookieAttributes(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	a.stopAt = s.srv.OAuthDomain()
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/login?return_to=/me", nil))
	var state *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if strings.HasPrefix(c.Name, "cognito_login_") {
			state = c
		}
	}
	if state == nil || !state.HttpOnly || state.SameSite != http.SameSiteLaxMode || state.Path != "/" || state.MaxAge != 600 {
		t.Fatalf("login-state cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, Max-Age=600", state)
	}
	if strings.Contains(state.Value, "/me") {
		t.Fatal("the login-state cookie is not encrypted")
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" || q.Get("redirect_uri") != s.ts.URL+"/auth/callback" {
		t.Fatalf("authorization URL %s lacks PKCE, nonce, state or redirect_uri", loc.Redacted())
	}

	// Secure is on by default (https sites).
	c, _ := oauth.New(oauth.Config{Domain: s.srv.OAuthDomain(), ClientID: s.ac.ID, RedirectURL: "https://app.example.com/auth/callback", UserPoolID: s.pool.ID(), Issuer: s.pool.Issuer()})
	defer c.Close()
	h, err := weblogin.New(weblogin.Config{Client: c, Keys: s.keys})
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/login", nil))
	if len(rec.Result().Cookies()) == 0 {
		t.Fatal("no login-state cookie")
	}
	for _, c := range rec.Result().Cookies() {
		if !c.Secure || c.Path != "/" || c.Domain != "" || !strings.HasPrefix(c.Name, "__Host-cognito_login_") {
			t.Errorf("cookie %s: Secure %v, Path %q, Domain %q; want a __Host- cookie (Secure, Path=/, no Domain)", c.Name, c.Secure, c.Path, c.Domain)
		}
	}
	if _, err := weblogin.New(weblogin.Config{Client: c, Keys: s.keys, InsecureCookies: true}); !errors.Is(err, weblogin.ErrInvalidConfig) {
		t.Errorf("InsecureCookies with an https site: err = %v; want ErrInvalidConfig", err)
	}
}

func TestAPIClientsGet401(t *testing.T) {
	s := newSite(t, siteOpt{})
	req, _ := http.NewRequest("GET", s.ts.URL+"/me", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]string
	json.NewDecoder(resp.Body).Decode(&v)
	if resp.StatusCode != 401 || v["error"] != "login_required" {
		t.Fatalf("status %d, body %v; want 401 login_required", resp.StatusCode, v)
	}
}

func TestCallbackSecurity(t *testing.T) {
	s := newSite(t, siteOpt{})
	expectRefused := func(t *testing.T, a *agent, u string, status int) {
		t.Helper()
		resp, body := a.get(u)
		if resp.StatusCode != status || resp.Request.URL.Path != "/auth/callback" {
			t.Fatalf("status %d at %s; want %d at the callback", resp.StatusCode, resp.Request.URL.Path, status)
		}
		if !strings.Contains(body, "Sign-in could not be completed") || !strings.Contains(body, `href="/auth/login"`) {
			t.Fatalf("body = %.300s; want a clear page with a sign-in link", body)
		}
		if a.cookie("cognito_session") != nil {
			t.Fatal("the browser got a session anyway")
		}
	}
	t.Run("state mismatch", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		q := cb.Query()
		q.Set("state", strings.Repeat("x", 43))
		cb.RawQuery = q.Encode()
		expectRefused(t, a, cb.String(), 400)
	})
	t.Run("missing state", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		q := cb.Query()
		q.Del("state")
		cb.RawQuery = q.Encode()
		expectRefused(t, a, cb.String(), 400)
	})
	t.Run("callback opened in another browser (login CSRF)", func(t *testing.T) {
		cb := s.agent().callbackURL("/me")
		expectRefused(t, s.agent(), cb.String(), 400)
	})
	t.Run("code replay", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		name := ""
		for _, c := range a.jar.Cookies(cb) {
			if strings.HasPrefix(c.Name, "cognito_login_") {
				name = c.Name
			}
		}
		stateCookie := a.cookie(name)
		if resp, _ := a.get(cb.String()); resp.Request.URL.Path != "/me" {
			t.Fatalf("first use: at %s; want /me", resp.Request.URL.Path)
		}
		// Replaying the URL: the login-state cookie was single-use.
		b := s.agent()
		expectRefused(t, b, cb.String(), 400)
		// Even with the state cookie restored, the code is spent.
		c := s.agent()
		u, _ := url.Parse(s.ts.URL + "/auth/callback")
		c.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: stateCookie.Value, Path: "/auth/callback"}})
		expectRefused(t, c, cb.String(), 400)
	})
	t.Run("PKCE verifier mismatch", func(t *testing.T) {
		a := s.agent()
		cbA := a.callbackURL("/me")
		cbB := a.callbackURL("/me")
		// Code of sign-in A with the state (hence verifier) of sign-in B.
		q := cbA.Query()
		q.Set("state", cbB.Query().Get("state"))
		cbA.RawQuery = q.Encode()
		expectRefused(t, a, cbA.String(), 400)
	})
	t.Run("expired login state", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		s.clk.Add(11 * time.Minute)
		defer s.clk.Add(-11 * time.Minute)
		expectRefused(t, a, cb.String(), 400)
	})
	t.Run("tampered login-state cookie", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		for _, c := range a.jar.Cookies(cb) {
			if strings.HasPrefix(c.Name, "cognito_login_") {
				v := []byte(c.Value)
				v[len(v)/2] ^= 1
				a.jar.SetCookies(cb, []*http.Cookie{{Name: c.Name, Value: string(v), Path: "/auth/callback"}})
			}
		}
		expectRefused(t, a, cb.String(), 400)
	})
	t.Run("error from the authorization server", func(t *testing.T) {
		a := s.agent()
		cb := a.callbackURL("/me")
		q := url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"<script>x</script>"}}
		resp, body := a.get(s.ts.URL + "/auth/callback?" + q.Encode())
		if resp.StatusCode != 403 || strings.Contains(body, "<script>") {
			t.Fatalf("status %d; want 403 without reflecting the description", resp.StatusCode)
		}
	})
	t.Run("POST callback", func(t *testing.T) {
		resp, _ := s.agent().do(http.MethodPost, s.ts.URL+"/auth/callback", url.Values{}, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d; want 405", resp.StatusCode)
		}
	})
}

var openRedirects = []string{
	"//evil.com", "https://evil.com", "/\\evil.com", "\\\\evil.com", "http:evil.com", "javascript:alert(1)",
	"%2F%2Fevil.com", "/%2F%2Fevil.com", "/%2f%2fevil.com", "/%5Cevil.com", "%2F%5Cevil.com",
	"%252F%252Fevil.com", "/%252F%252Fevil.com", "/%09/evil.com", "/\t/evil.com", "/\n/evil.com", "////evil.com",
	"evil.com", " /me", "/%", "https:/evil.com", "/\\/evil.com",
}

func TestOpenRedirectRefused(t *testing.T) {
	s := newSite(t, siteOpt{})
	for _, target := range openRedirects {
		t.Run(target, func(t *testing.T) {
			if weblogin.LocalPath(target) {
				t.Fatalf("LocalPath(%q) = true; want false", target)
			}
			a := s.agent()
			resp, body := a.get(s.ts.URL + "/auth/login?return_to=" + url.QueryEscape(target))
			if resp.StatusCode != 400 || !strings.Contains(body, "Invalid sign-in link") {
				t.Fatalf("status %d; want 400", resp.StatusCode)
			}
			if u := s.h.LoginURL(target); u != "/auth/login?return_to=%2F" {
				t.Fatalf("LoginURL(%q) = %q; want the default return-to", target, u)
			}
		})
	}
	for _, good := range []string{"/", "/me", "/me?tab=1&x=%2F", "/a/b#frag", "/caf%C3%A9"} {
		if !weblogin.LocalPath(good) {
			t.Errorf("LocalPath(%q) = false; want true", good)
		}
	}
}

func TestSessionCookieAttacks(t *testing.T) {
	s := newSite(t, siteOpt{})
	signedIn := func(t *testing.T) *agent {
		a := s.agent()
		a.login("alice", alicePass)
		return a
	}
	wantAnonymous := func(t *testing.T, a *agent) {
		t.Helper()
		if !a.sentToSignIn(s.ts.URL + "/me") {
			t.Fatal("GET /me was served; want a redirect to sign in")
		}
		if c := a.cookie("cognito_session"); c != nil {
			t.Fatal("the unusable session cookie was not cleared")
		}
	}
	t.Run("tampered", func(t *testing.T) {
		a := signedIn(t)
		c := a.cookie("cognito_session")
		v := []byte(c.Value)
		v[len(v)-5] ^= 2
		a.setCookie(&http.Cookie{Name: c.Name, Value: string(v)})
		wantAnonymous(t, a)
	})
	t.Run("truncated", func(t *testing.T) {
		a := signedIn(t)
		c := a.cookie("cognito_session")
		a.setCookie(&http.Cookie{Name: c.Name, Value: c.Value[:len(c.Value)/2]})
		wantAnonymous(t, a)
	})
	t.Run("another key set", func(t *testing.T) {
		other, _ := weblogin.NewKey()
		cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{other}, Insecure: true})
		rec := httptest.NewRecorder()
		sess := &weblogin.Session{Subject: "attacker", Username: "root", Groups: []string{"admin"}, AccessToken: "x", Expiry: time.Now().Add(time.Hour)}
		if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), sess); err != nil {
			t.Fatal(err)
		}
		a := s.agent()
		for _, c := range rec.Result().Cookies() {
			a.setCookie(c)
		}
		if resp, _ := a.get(s.ts.URL + "/admin"); resp.Request.URL.Path == "/admin" {
			t.Fatal("a session sealed with foreign keys was accepted")
		}
		wantAnonymous(t, a)
	})
	t.Run("oversized", func(t *testing.T) {
		a := s.agent()
		a.setCookie(&http.Cookie{Name: "cognito_session", Value: "3." + strings.Repeat("A", 3900)})
		a.setCookie(&http.Cookie{Name: "cognito_session_1", Value: strings.Repeat("A", 3900)})
		a.setCookie(&http.Cookie{Name: "cognito_session_2", Value: strings.Repeat("A", 3900)})
		wantAnonymous(t, a)
		a.setCookie(&http.Cookie{Name: "cognito_session", Value: "9." + strings.Repeat("A", 100)})
		wantAnonymous(t, a)
	})
	t.Run("session moved to another cookie name", func(t *testing.T) {
		a := signedIn(t)
		c := a.cookie("cognito_session")
		cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: s.keys, Name: "other"})
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "other", Value: c.Value})
		if _, err := cs.Load(req); !errors.Is(err, weblogin.ErrInvalidCookie) {
			t.Fatalf("err = %v; want ErrInvalidCookie (the name is authenticated)", err)
		}
	})
}

func TestCookieStore(t *testing.T) {
	k1, _ := weblogin.NewKey()
	k2, _ := weblogin.NewKey()
	clk := &clock{t: time.Now()}
	sess := &weblogin.Session{Subject: "sub", Username: "alice", Groups: []string{"a", "b"}, AccessToken: "at", RefreshToken: "rt",
		Expiry: clk.Now().Add(time.Hour).Truncate(time.Second), CreatedAt: clk.Now().Truncate(time.Second)}
	save := func(t *testing.T, cs *weblogin.CookieStore, s *weblogin.Session) []*http.Cookie {
		t.Helper()
		rec := httptest.NewRecorder()
		if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), s); err != nil {
			t.Fatalf("Save: %v", err)
		}
		return rec.Result().Cookies()
	}
	load := func(cs *weblogin.CookieStore, cookies []*http.Cookie) (*weblogin.Session, error) {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return cs.Load(req)
	}
	t.Run("key rotation", func(t *testing.T) {
		old, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k1}, Now: clk.Now})
		rotated, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k2, k1}, Now: clk.Now})
		retired, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k2}, Now: clk.Now})
		c := save(t, old, sess)
		got, err := load(rotated, c)
		if err != nil || got.Username != "alice" || strings.Join(got.Groups, ",") != "a,b" || !got.Expiry.Equal(sess.Expiry) {
			t.Fatalf("Load with the old key second: %+v, %v; want the session", got, err)
		}
		if _, err := load(retired, c); !errors.Is(err, weblogin.ErrInvalidCookie) {
			t.Fatalf("Load after the old key retired: err = %v; want ErrInvalidCookie", err)
		}
		if _, err := load(retired, save(t, rotated, sess)); err != nil {
			t.Fatalf("a cookie sealed after rotation: %v", err)
		}
	})
	t.Run("chunking and size limit", func(t *testing.T) {
		cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k1}, Now: clk.Now})
		big := *sess
		big.Claims = json.RawMessage(`{"blob":"` + randomText(4000) + `"}`) // incompressible
		c := save(t, cs, &big)
		if len(c) != 2 || len(c[0].Value) > 3802 || c[1].Name != "__Host-cognito_session_1" {
			t.Fatalf("cookies = %d (first %d bytes); want 2 chunks of at most 3800 bytes", len(c), len(c[0].Value))
		}
		got, err := load(cs, c)
		if err != nil || string(got.Claims) != string(big.Claims) {
			t.Fatalf("chunked Load: %v", err)
		}
		if _, err := load(cs, c[:1]); !errors.Is(err, weblogin.ErrInvalidCookie) {
			t.Fatalf("missing chunk: err = %v; want ErrInvalidCookie", err)
		}
		huge := *sess
		huge.Claims = json.RawMessage(`{"blob":"` + randomText(12000) + `"}`)
		rec := httptest.NewRecorder()
		if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), &huge); !errors.Is(err, weblogin.ErrSessionTooLarge) {
			t.Fatalf("Save of a 16 KB session: err = %v; want ErrSessionTooLarge", err)
		}
		if len(rec.Result().Cookies()) != 0 {
			t.Fatal("a failed Save set cookies")
		}
		// A smaller session after a larger one clears the stale chunk.
		req := httptest.NewRequest("GET", "/", nil)
		for _, x := range c {
			req.AddCookie(x)
		}
		rec = httptest.NewRecorder()
		cs.Save(rec, req, sess)
		cleared := false
		for _, x := range rec.Result().Cookies() {
			cleared = cleared || (x.Name == "__Host-cognito_session_1" && x.MaxAge < 0)
		}
		if !cleared {
			t.Fatal("stale chunk __Host-cognito_session_1 not cleared")
		}
	})
	t.Run("expiry is sealed", func(t *testing.T) {
		cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: [][]byte{k1}, Now: clk.Now, MaxAge: time.Hour})
		c := save(t, cs, sess)
		clk.Add(time.Hour + time.Second)
		defer clk.Add(-time.Hour - time.Second)
		if _, err := load(cs, c); !errors.Is(err, weblogin.ErrExpired) {
			t.Fatalf("err = %v; want ErrExpired", err)
		}
	})
	t.Run("config", func(t *testing.T) {
		for name, cfg := range map[string]weblogin.CookieStoreConfig{
			"no keys":     {},
			"short key":   {Keys: [][]byte{make([]byte, 16)}},
			"zero key":    {Keys: [][]byte{make([]byte, 32)}},
			"bad name":    {Keys: [][]byte{k1}, Name: "a b"},
			"max cookies": {Keys: [][]byte{k1}, MaxCookies: 9},
			"max age":     {Keys: [][]byte{k1}, MaxAge: time.Second},
		} {
			if _, err := weblogin.NewCookieStore(cfg); !errors.Is(err, weblogin.ErrInvalidConfig) {
				t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
			}
		}
	})
}

func TestParseKeys(t *testing.T) {
	keys, err := weblogin.ParseKeys("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=, AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
	if err != nil || len(keys) != 2 || keys[1][31] != 31 {
		t.Fatalf("ParseKeys = %d keys, %v; want 2", len(keys), err)
	}
	for _, bad := range []string{"", "c2hvcnQ=", "not base64!"} {
		if _, err := weblogin.ParseKeys(bad); !errors.Is(err, weblogin.ErrInvalidConfig) {
			t.Errorf("ParseKeys(%q): err = %v; want ErrInvalidConfig", bad, err)
		} else if strings.Contains(err.Error(), bad) && bad != "" {
			t.Errorf("the error echoes the key material")
		}
	}
}

func TestTransparentRefresh(t *testing.T) {
	for _, rotation := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "rotation"}[rotation], func(t *testing.T) {
			s := newSite(t, siteOpt{rotation: rotation})
			a := s.agent()
			first := a.login("alice", alicePass)
			before := a.cookie("cognito_session").Value
			s.clk.Add(30 * time.Minute)
			if _, body := a.get(s.ts.URL + "/me"); body != first || a.cookie("cognito_session").Value != before {
				t.Fatal("refreshed half an hour before expiry; want the same tokens")
			}
			s.clk.Add(29 * time.Minute) // one minute before expiry
			resp, body := a.get(s.ts.URL + "/me")
			if resp.Request.URL.Path != "/me" || body == first || !strings.Contains(body, "user=alice") {
				t.Fatalf("GET /me 1 min before expiry: at %s, body %q; want a refreshed session", resp.Request.URL.Path, body)
			}
			if a.cookie("cognito_session").Value == before {
				t.Fatal("the refreshed session was not saved")
			}
			s.clk.Add(50 * time.Minute) // past the first token's expiry
			if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" {
				t.Fatal("the refreshed session did not last")
			}
		})
	}
}

// TestEarlyExpiry: the access token is refreshed EarlyExpiry before its
// expiry, not earlier; the deprecated RefreshBefore still sets it.
func TestEarlyExpiry(t *testing.T) {
	for name, set := range map[string]func(*weblogin.Config){
		"EarlyExpiry":   func(c *weblogin.Config) { c.EarlyExpiry = 10 * time.Minute },
		"RefreshBefore": func(c *weblogin.Config) { c.RefreshBefore = 10 * time.Minute },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, siteOpt{mod: set})
			a := s.agent()
			first := a.login("alice", alicePass)
			s.clk.Add(49 * time.Minute) // 11 minutes left
			if _, body := a.get(s.ts.URL + "/me"); body != first {
				t.Fatal("refreshed 11 minutes before expiry; want the same tokens")
			}
			s.clk.Add(2 * time.Minute) // 9 minutes left
			if _, body := a.get(s.ts.URL + "/me"); body == first || !strings.Contains(body, "user=alice") {
				t.Fatalf("GET /me 9 minutes before expiry: body %q; want a refreshed session", body)
			}
		})
	}
}

func TestRevokedRefreshEndsSession(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	a.login("alice", alicePass)
	// Sign out everywhere (AdminUserGlobalSignOut-like): revoke through
	// another sign-in's client is not possible, so revoke the session's own
	// refresh token with the store's help.
	cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: s.keys, Now: s.clk.Now, Insecure: true})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(a.cookie("cognito_session"))
	sess, err := cs.Load(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.client.Revoke(context.Background(), sess.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" {
		t.Fatal("the access token is still valid: the session should go on until it needs a refresh")
	}
	s.clk.Add(59 * time.Minute)
	if !a.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("after the refresh was refused: want a redirect to sign in")
	}
	if a.cookie("cognito_session") != nil {
		t.Fatal("the ended session's cookie was not cleared")
	}
}

func TestMaxAgeEndsSession(t *testing.T) {
	s := newSite(t, siteOpt{mod: func(c *weblogin.Config) { c.MaxAge = 2 * time.Hour }})
	a := s.agent()
	a.login("alice", alicePass)
	s.clk.Add(90 * time.Minute)
	if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" {
		t.Fatal("session ended before MaxAge")
	}
	s.clk.Add(31 * time.Minute)
	if !a.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("session outlived MaxAge")
	}
}

func TestUnavailableDuringRefresh(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	a.login("alice", alicePass)
	s.clk.Add(59 * time.Minute)
	s.srv.FailOperation("OAuth2Token", 1, "", "")
	if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" || resp.StatusCode != 200 {
		t.Fatalf("refresh failed while the token is valid: status %d; want the page", resp.StatusCode)
	}
	s.clk.Add(2 * time.Minute)
	s.srv.FailOperation("OAuth2Token", 1, "", "")
	if resp, _ := a.get(s.ts.URL + "/me"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("refresh failed after expiry: status %d; want 503", resp.StatusCode)
	}
	if resp, _ := a.get(s.ts.URL + "/me"); resp.StatusCode != 200 {
		t.Fatalf("once Cognito is back: status %d; want 200", resp.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	a.login("alice", alicePass)
	cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: s.keys, Now: s.clk.Now, Insecure: true})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(a.cookie("cognito_session"))
	sess, _ := cs.Load(req)

	if resp, body := a.get(s.ts.URL + "/auth/logout"); resp.StatusCode != 200 || !strings.Contains(body, `method="post"`) {
		t.Fatalf("GET logout: %d; want a confirmation form", resp.StatusCode)
	}
	if resp, _ := a.do(http.MethodPost, s.ts.URL+"/auth/logout", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}); resp.StatusCode != 403 {
		t.Fatalf("cross-site POST logout: %d; want 403", resp.StatusCode)
	}
	resp, body := a.do(http.MethodPost, s.ts.URL+"/auth/logout", url.Values{}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if resp.Request.URL.String() != s.ts.URL+"/" || body != "home, anonymous" {
		t.Fatalf("after logout: at %s, %q; want the anonymous home page", resp.Request.URL, body)
	}
	if _, err := s.client.Refresh(context.Background(), sess.RefreshToken); !errors.Is(err, oauth.ErrInvalidGrant) {
		t.Fatalf("refresh token after logout: err = %v; want ErrInvalidGrant (revoked)", err)
	}
	resp, body = a.get(s.ts.URL + "/me")
	if !strings.Contains(body, `id="password"`) {
		t.Fatalf("/me after logout: %d at %s; want the sign-in form (managed-login session ended)", resp.StatusCode, resp.Request.URL)
	}
}

func TestMemoryStore(t *testing.T) {
	var ms *weblogin.MemoryStore
	s := newSite(t, siteOpt{store: func(keys [][]byte, clk *clock) weblogin.SessionStore {
		ms, _ = weblogin.NewMemoryStore(weblogin.MemoryStoreConfig{Insecure: true, Now: clk.Now, MaxSessions: 2})
		return ms
	}})
	a := s.agent()
	// Session fixation: an ID planted before sign-in is not adopted.
	a.setCookie(&http.Cookie{Name: "cognito_session", Value: strings.Repeat("A", 43)})
	a.login("alice", alicePass)
	id := a.cookie("cognito_session").Value
	if id == strings.Repeat("A", 43) || len(id) != 43 || ms.Len() != 1 {
		t.Fatalf("session ID %q, %d sessions; want a fresh ID", id, ms.Len())
	}
	s.clk.Add(59 * time.Minute)
	if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" {
		t.Fatal("refresh with the memory store failed")
	}
	if a.cookie("cognito_session").Value != id {
		t.Fatal("refresh changed the session ID")
	}
	s.agent().login("root", adminPass)
	s.agent().login("root", adminPass) // evicts the oldest
	if ms.Len() != 2 {
		t.Fatalf("%d sessions; want MaxSessions (2)", ms.Len())
	}
}

func TestConfigErrors(t *testing.T) {
	s := newSite(t, siteOpt{})
	noOpenID, _ := oauth.New(oauth.Config{Domain: s.srv.OAuthDomain(), ClientID: s.ac.ID, RedirectURL: s.ts.URL + "/auth/callback", UserPoolID: s.pool.ID(), Scopes: []string{"email"}})
	noRedirect, _ := oauth.New(oauth.Config{Domain: s.srv.OAuthDomain(), ClientID: s.ac.ID, UserPoolID: s.pool.ID()})
	noPool, err := oauth.New(oauth.Config{Domain: s.srv.OAuthDomain(), ClientID: s.ac.ID, RedirectURL: s.ts.URL + "/auth/callback"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]weblogin.Config{
		"no client":             {Keys: s.keys},
		"no keys":               {Client: s.client},
		"no openid":             {Client: noOpenID, Keys: s.keys},
		"no redirect URL":       {Client: noRedirect, Keys: s.keys},
		"no user pool ID":       {Client: noPool, Keys: s.keys},
		"callback path differs": {Client: s.client, Keys: s.keys, CallbackPath: "/cb"},
		"same paths":            {Client: s.client, Keys: s.keys, LoginPath: "/auth/callback"},
		"bad login path":        {Client: s.client, Keys: s.keys, LoginPath: "//evil"},
		"bad default return":    {Client: s.client, Keys: s.keys, DefaultReturnTo: "https://evil.com"},
		"bad post-logout URL":   {Client: s.client, Keys: s.keys, PostLogoutURL: "/relative"},
		"negative TTL":          {Client: s.client, Keys: s.keys, LoginStateTTL: -time.Second},
	}
	for name, cfg := range tests {
		if _, err := weblogin.New(cfg); !errors.Is(err, weblogin.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
}

// TestConcurrentRefresh: parallel requests of one browser all carrying the
// same about-to-expire session each refresh it; with rotation and a retry
// grace period, every one of them succeeds.
func TestConcurrentRefresh(t *testing.T) {
	s := newSite(t, siteOpt{rotation: true, grace: 30 * time.Second})
	a := s.agent()
	a.login("alice", alicePass)
	cookie := a.cookie("cognito_session")
	s.clk.Add(59 * time.Minute)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", s.ts.URL+"/me", nil)
			req.Header.Set("Accept", "text/html")
			req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "user=alice") {
				errs <- resp.Status
				return
			}
			refreshed := false
			for _, c := range resp.Cookies() {
				refreshed = refreshed || (c.Name == "cognito_session" && c.MaxAge > 0)
			}
			if !refreshed {
				errs <- "no refreshed session cookie"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestExpiredRefreshTokenEndsSession(t *testing.T) {
	s := newSite(t, siteOpt{refresh: 3 * time.Hour})
	a := s.agent()
	a.login("alice", alicePass)
	s.clk.Add(2 * time.Hour) // access token expired, refresh token valid
	if resp, _ := a.get(s.ts.URL + "/me"); resp.Request.URL.Path != "/me" {
		t.Fatal("refresh within the refresh token's lifetime failed")
	}
	s.clk.Add(2 * time.Hour) // refresh token expired
	if !a.sentToSignIn(s.ts.URL + "/me") {
		t.Fatal("the session survived its refresh token")
	}
	if a.cookie("cognito_session") != nil {
		t.Fatal("the ended session's cookie was not cleared")
	}
}

func TestCustomPathsAndHooks(t *testing.T) {
	var pages []int
	s := newSite(t, siteOpt{mod: func(c *weblogin.Config) {
		c.LoginPath, c.LogoutPath = "/auth/signin", "/auth/signout"
		c.AuthOptions = []oauth.AuthOption{oauth.IdentityProvider("COGNITO"), oauth.Lang("fr")}
		c.ErrorPage = func(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
			pages = append(pages, status)
			w.WriteHeader(status)
			io.WriteString(w, "custom: "+title)
		}
		c.IsAPIRequest = func(r *http.Request) bool { return r.Header.Get("X-API") != "" }
	}})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/signin?return_to=/me", nil))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != 302 || loc.Query().Get("identity_provider") != "COGNITO" || loc.Query().Get("lang") != "fr" {
		t.Fatalf("login: %d %s; want a redirect with identity_provider and lang", rec.Code, loc.Redacted())
	}
	if u := s.h.LoginURL("/x"); u != "/auth/signin?return_to=%2Fx" || s.h.LogoutPath() != "/auth/signout" {
		t.Fatalf("LoginURL = %q, LogoutPath = %q", u, s.h.LogoutPath())
	}
	rec = httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/signin?return_to=//evil.com", nil))
	if rec.Code != 400 || rec.Body.String() != "custom: Invalid sign-in link" || len(pages) != 1 {
		t.Fatalf("custom error page not used: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/login", nil))
	if rec.Code != 404 {
		t.Fatalf("old login path: %d; want 404", rec.Code)
	}
	// The custom API predicate: Accept does not matter any more.
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("X-API", "1")
	rec = httptest.NewRecorder()
	s.h.RequireLogin(http.NotFoundHandler()).ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Fatalf("API request: %d; want 401", rec.Code)
	}
	rec = httptest.NewRecorder()
	s.h.RequireLogin(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil))
	if rec.Code != 302 || rec.Header().Get("Location") != "/auth/signin?return_to=%2Fme" {
		t.Fatalf("browser request: %d %q; want a redirect to the custom login path", rec.Code, rec.Header().Get("Location"))
	}
}

// RequireLogin and RequireAnyGroup never let an anonymous CORS preflight
// (OPTIONS with Access-Control-Request-Method, which browsers send
// without cookies) reach the handler: it is an API request without a
// session, answered 401 (issue 11, item 1).
func TestPreflightNeedsASession(t *testing.T) {
	s := newSite(t, siteOpt{})
	for _, path := range []string{"/me", "/admin", "/all-of", "/deprecated"} {
		for _, accept := range []string{"", "text/html"} {
			req, _ := http.NewRequest(http.MethodOptions, s.ts.URL+path, nil)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Origin", "https://evil.example")
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || strings.Contains(string(b), "user=") || strings.Contains(string(b), "admin area") {
				t.Errorf("OPTIONS %s (Accept %q): %d %q; want 401 login_required", path, accept, res.StatusCode, b)
			}
		}
	}
}

// The session cookie has the __Host- prefix wherever the deployment
// allows it (https, Path=/, no Domain), and names with a prefix are
// checked against the attributes browsers require with it.
func TestCookieNamePrefix(t *testing.T) {
	k, _ := weblogin.NewKey()
	keys := [][]byte{k}
	names := []struct {
		name string
		cfg  weblogin.CookieStoreConfig
		want string
	}{
		{"https default", weblogin.CookieStoreConfig{Keys: keys}, "__Host-cognito_session"},
		{"http development", weblogin.CookieStoreConfig{Keys: keys, Insecure: true}, "cognito_session"},
		{"domain", weblogin.CookieStoreConfig{Keys: keys, Domain: "example.com"}, "cognito_session"},
		{"path", weblogin.CookieStoreConfig{Keys: keys, Path: "/app"}, "cognito_session"},
		{"explicit root path", weblogin.CookieStoreConfig{Keys: keys, Path: "/"}, "__Host-cognito_session"},
		{"custom name", weblogin.CookieStoreConfig{Keys: keys, Name: "sid"}, "sid"},
		{"custom prefixed name", weblogin.CookieStoreConfig{Keys: keys, Name: "__Host-sid"}, "__Host-sid"},
		{"__Secure- with a domain", weblogin.CookieStoreConfig{Keys: keys, Name: "__Secure-sid", Domain: "example.com"}, "__Secure-sid"},
	}
	for _, tc := range names {
		cs, err := weblogin.NewCookieStore(tc.cfg)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		rec := httptest.NewRecorder()
		sess := &weblogin.Session{Subject: "s", AccessToken: "a", Expiry: time.Now().Add(time.Hour)}
		if err := cs.Save(rec, httptest.NewRequest("GET", "/", nil), sess); err != nil {
			t.Fatal(err)
		}
		c := rec.Result().Cookies()[0]
		if cs.Name() != tc.want || c.Name != tc.want {
			t.Errorf("%s: name %q, cookie %q; want %q", tc.name, cs.Name(), c.Name, tc.want)
		}
		if strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Path != "/" || c.Domain != "") {
			t.Errorf("%s: %s without Secure, Path=/ and no Domain: %v", tc.name, c.Name, c)
		}
	}
	for name, cfg := range map[string]weblogin.CookieStoreConfig{
		"__Host- and Insecure":   {Keys: keys, Name: "__Host-sid", Insecure: true},
		"__Host- and a Domain":   {Keys: keys, Name: "__Host-sid", Domain: "example.com"},
		"__Host- and a Path":     {Keys: keys, Name: "__Host-sid", Path: "/app"},
		"__host- in lower case":  {Keys: keys, Name: "__host-sid", Domain: "example.com"},
		"__Secure- and Insecure": {Keys: keys, Name: "__Secure-sid", Insecure: true},
	} {
		if _, err := weblogin.NewCookieStore(cfg); !errors.Is(err, weblogin.ErrInvalidConfig) {
			t.Errorf("%s: err = %v; want ErrInvalidConfig", name, err)
		}
	}
	if _, err := weblogin.NewMemoryStore(weblogin.MemoryStoreConfig{Name: "__Host-sid", Insecure: true}); !errors.Is(err, weblogin.ErrInvalidConfig) {
		t.Errorf("MemoryStore with __Host- and Insecure: err = %v; want ErrInvalidConfig", err)
	}
	ms, _ := weblogin.NewMemoryStore(weblogin.MemoryStoreConfig{})
	rec := httptest.NewRecorder()
	ms.Save(rec, httptest.NewRequest("GET", "/", nil), &weblogin.Session{Subject: "s", AccessToken: "a"})
	if c := rec.Result().Cookies()[0]; c.Name != "__Host-cognito_session" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("MemoryStore cookie = %v; want __Host-cognito_session, Secure, Path=/", c)
	}

	// The unprefixed cookies of earlier versions are cleared, never read.
	cs, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: keys})
	old, _ := weblogin.NewCookieStore(weblogin.CookieStoreConfig{Keys: keys, Name: "cognito_session"})
	rec = httptest.NewRecorder()
	old.Save(rec, httptest.NewRequest("GET", "/", nil), &weblogin.Session{Subject: "s", AccessToken: "a", Expiry: time.Now().Add(time.Hour)})
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	if _, err := cs.Load(req); !errors.Is(err, weblogin.ErrNoSession) {
		t.Errorf("Load of an unprefixed cookie: err = %v; want ErrNoSession", err)
	}
	rec = httptest.NewRecorder()
	cs.Delete(rec, req)
	cleared := false
	for _, c := range rec.Result().Cookies() {
		cleared = cleared || (c.Name == "cognito_session" && c.MaxAge < 0)
	}
	if !cleared {
		t.Errorf("Delete set %v; want the unprefixed cognito_session cleared", rec.Result().Cookies())
	}
}

// Pending sign-ins are bounded per browser: the login path sees the
// login-state cookies (Path=/) and clears them past four.
func TestPendingSignInsBounded(t *testing.T) {
	s := newSite(t, siteOpt{})
	a := s.agent()
	a.stopAt = s.srv.OAuthDomain()
	count := func() int {
		n := 0
		u, _ := url.Parse(s.ts.URL + "/auth/callback")
		for _, c := range a.jar.Cookies(u) {
			if strings.HasPrefix(c.Name, "cognito_login_") {
				n++
			}
		}
		return n
	}
	for i := 1; i <= 4; i++ {
		a.get(s.ts.URL + "/auth/login")
		if got := count(); got != i {
			t.Fatalf("after %d sign-ins started: %d login-state cookies; want %d", i, got, i)
		}
	}
	a.get(s.ts.URL + "/auth/login")
	if got := count(); got != 1 {
		t.Fatalf("after a fifth sign-in started: %d login-state cookies; want the older four cleared", got)
	}
}
