package weblogin_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/browsertest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

// browser is the Chromium of this test binary, started in the background
// by TestMain (nil if its -run filter did not expect a browser test).
var browser *browsertest.Browser

// launchBrowser starts Chromium with www.example.com and its sibling
// evil.example.com resolved to the loopback test server, whose
// certificate it accepts.
func launchBrowser() *browsertest.Browser {
	return browsertest.Launch("weblogin",
		chromedp.Flag("host-resolver-rules", "MAP *.example.com 127.0.0.1"),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
}

// httpsSite is a weblogin app served over https as www.example.com, with
// a sibling subdomain evil.example.com on the same server that sets
// whatever cookies the test asks for, with Domain=example.com.
type httpsSite struct {
	ts    *httptest.Server
	base  string // https://www.example.com:port
	evil  string // https://evil.example.com:port
	emu   *cognitotest.Server
	h     *weblogin.Handler
	plant func(w http.ResponseWriter) // evil's Set-Cookie headers

	mu   sync.Mutex
	seen []string // cookie names www received on /me and the callback
}

func newHTTPSSite(t *testing.T) *httpsSite {
	t.Helper()
	s := &httpsSite{}
	var app http.Handler
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Host, "evil.example.com") {
			s.mu.Lock()
			plant := s.plant
			s.mu.Unlock()
			if plant != nil {
				plant(w)
			}
			io.WriteString(w, "<!doctype html><title>sibling</title><p id=planted>planted</p>")
			return
		}
		if r.URL.Path == "/me" || r.URL.Path == "/auth/callback" {
			s.mu.Lock()
			for _, c := range r.Cookies() {
				s.seen = append(s.seen, c.Name)
			}
			s.mu.Unlock()
		}
		app.ServeHTTP(w, r)
	}))
	s.ts.StartTLS() // httptest's certificate covers *.example.com
	t.Cleanup(s.ts.Close)
	_, port, _ := net.SplitHostPort(s.ts.Listener.Addr().String())
	s.base, s.evil = "https://www.example.com:"+port, "https://evil.example.com:"+port

	s.emu = cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := s.emu.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_HostPrefix"})
	ac := pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "site", GenerateSecret: true, CallbackURLs: []string{s.base + "/auth/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass, Email: "alice@example.com"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "mallory", Password: adminPass, Email: "mallory@example.com"})
	c, err := oauth.New(oauth.Config{Domain: s.emu.OAuthDomain(), ClientID: ac.ID, ClientSecret: ac.Secret,
		RedirectURL: s.base + "/auth/callback", UserPoolID: pool.ID(), Issuer: pool.Issuer(), JWKSURL: pool.JWKSURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	k, _ := weblogin.NewKey()
	s.h, err = weblogin.New(weblogin.Config{Client: c, Keys: [][]byte{k}}) // the defaults of an https site
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", s.h)
	mux.Handle("/me", s.h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, _ := weblogin.SessionFromContext(r.Context())
		io.WriteString(w, "<!doctype html><title>me</title><p id=me>user="+sess.Username+"</p>")
	})))
	app = mux
	return s
}

// attacker returns an HTTP client that reaches *.example.com on the test
// server, keeps cookies and stops at redirects to stopAt.
func (s *httpsSite) attacker(stopAt *string) *http.Client {
	tr := s.ts.Client().Transport.(*http.Transport).Clone()
	addr := s.ts.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if strings.Contains(a, ".example.com:") {
			a = addr
		}
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if *stopAt != "" && strings.HasPrefix(req.URL.String(), *stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// signIn runs the emulator's sign-in form found at u (a page that sends
// the browser to sign in) and returns the last response.
func (s *httpsSite) signIn(t *testing.T, hc *http.Client, u, user, pass string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusFound { // already signed in at the emulator
		return res
	}
	m := requestRE.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no sign-in form at %s: %.300s", res.Request.URL, body)
	}
	res, err = hc.PostForm(s.emu.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {user}, "password": {pass}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func (s *httpsSite) seenNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.seen
	s.seen = nil
	return out
}

// plantAll makes evil.example.com set every cookie of the attacker's jar
// whose name contains part, for the whole of example.com.
func (s *httpsSite) plantAll(t *testing.T, jar http.CookieJar, part string) []string {
	t.Helper()
	var names []string
	var cookies []*http.Cookie
	for _, path := range []string{"/", "/auth/callback"} {
		u, _ := url.Parse(s.base + path)
		for _, c := range jar.Cookies(u) {
			if strings.Contains(c.Name, part) && !contains(names, c.Name) {
				names = append(names, c.Name)
				cookies = append(cookies, c)
			}
		}
	}
	if len(cookies) == 0 {
		t.Fatalf("the attacker has no %q cookie to plant", part)
	}
	s.mu.Lock()
	s.plant = func(w http.ResponseWriter) {
		for _, c := range cookies {
			http.SetCookie(w, &http.Cookie{Name: c.Name, Value: c.Value, Domain: "example.com", Path: "/",
				Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
	}
	s.mu.Unlock()
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A sibling subdomain can set cookies for the parent domain. Without the
// __Host- prefix it could plant its own session in a victim's browser, or
// its own login-state cookie to complete its sign-in there (login CSRF).
// With the prefix, Chromium refuses such cookies (issue 11, item 9a).
func TestBrowserSiblingCannotPlantASession(t *testing.T) {
	t.Parallel()        // after the other tests, which run while Chromium starts
	if browser == nil { // TestMain's -run filter did not expect this test
		browser = launchBrowser()
	}
	s := newHTTPSSite(t)
	// Taken after the site, so that Chromium stops (a cleanup) before
	// the site's server waits for its connections.
	bctx := browser.Tab(t, 60*time.Second)
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	body := func() string {
		t.Helper()
		b, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
		must("read the page", err)
		return b
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(bctx, chromedp.Location())
		must("location", err)
		return loc
	}
	// visitMe opens /me and reports the page's text, or "" when the
	// browser was sent to sign in.
	visitMe := func() string {
		t.Helper()
		must("open /me", chromedp.Do(bctx, chromedp.Navigate(s.base+"/me")))
		if strings.HasPrefix(location(), s.emu.OAuthDomain()) {
			return ""
		}
		return body()
	}

	// The attacker signs in on the real site and keeps their cookies.
	var stopAt string
	mallory := s.attacker(&stopAt)
	if res := s.signIn(t, mallory, s.base+"/me", "mallory", adminPass); res.Request.URL.Path != "/me" {
		t.Fatalf("the attacker's sign-in ended at %s", res.Request.URL)
	}

	// 1. Session planting: the sibling sets the attacker's session cookies
	// for example.com; the victim, not signed in, opens /me.
	planted := s.plantAll(t, mallory.Jar, "cognito_session")
	must("visit the sibling", chromedp.Do(bctx, chromedp.Navigate(s.evil+"/"), chromedp.WaitVisible(chromedp.ID("planted"))))
	s.seenNames()
	if got := visitMe(); got != "" {
		t.Fatalf("after the sibling planted %v, the victim's /me shows %q; want a sign-in page", planted, got)
	}
	if seen := s.seenNames(); len(seen) != 0 && containsAny(seen, planted) {
		t.Errorf("www received the planted cookies %v", seen)
	}

	// 2. Login CSRF: the attacker starts a sign-in, stops before the
	// callback, plants the login-state cookie through the sibling and
	// sends the victim to the callback with the attacker's code.
	stopAt = s.base + "/auth/callback"
	res, err := mallory.Get(s.base + s.h.LoginURL("/me"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	callback, err := res.Location()
	if res.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(callback.String(), stopAt) {
		t.Fatalf("the attacker's second sign-in: %d %v; want a redirect to the callback", res.StatusCode, callback)
	}
	planted = s.plantAll(t, mallory.Jar, "cognito_login_")
	must("visit the sibling", chromedp.Do(bctx, chromedp.Navigate(s.evil+"/"), chromedp.WaitVisible(chromedp.ID("planted"))))
	must("open the attacker's callback", chromedp.Do(bctx, chromedp.Navigate(callback.String())))
	if page := body(); strings.Contains(page, "user=mallory") || !strings.Contains(page, "Sign-in could not be completed") {
		t.Fatalf("the victim opened the attacker's callback after the sibling planted %v: %q; want the sign-in refused", planted, page)
	}
	if got := visitMe(); got != "" {
		t.Fatalf("after the attacker's callback the victim's /me shows %q; want a sign-in page", got)
	}

	// 3. The victim signs in: the session works in the browser, in
	// __Host- cookies, and the sibling cannot replace it.
	must("sign in", chromedp.Do(bctx,
		chromedp.Navigate(s.base+"/me"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), alicePass),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("me")),
	))
	if got := body(); !strings.Contains(got, "user=alice") {
		t.Fatalf("after signing in, /me shows %q; want alice", got)
	}
	seen := s.seenNames()
	if !contains(seen, "__Host-cognito_session") {
		t.Errorf("www received cookies %v; want __Host-cognito_session", seen)
	}
	s.plantAll(t, mallory.Jar, "cognito_session")
	must("visit the sibling", chromedp.Do(bctx, chromedp.Navigate(s.evil+"/"), chromedp.WaitVisible(chromedp.ID("planted"))))
	if got := visitMe(); !strings.Contains(got, "user=alice") {
		t.Fatalf("after the sibling planted the attacker's session, /me shows %q; want alice", got)
	}
}

func containsAny(list, want []string) bool {
	for _, w := range want {
		if contains(list, w) {
			return true
		}
	}
	return false
}
