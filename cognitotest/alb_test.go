package cognitotest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/alb"
)

// albService is a service written for an ALB: middleware.NewALB with the
// emulated ALB's key endpoint, answering "hello <username> <email>".
func albService(t *testing.T, srv *cognitotest.Server, pool *cognitotest.Pool, a *cognitotest.ALB, optional bool) string {
	t.Helper()
	av, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: pool.ID(), Issuer: pool.Issuer(),
		ClientIDs: []string{a.ClientID()}, TokenUse: verifier.TokenUseAccess, JWKSURL: pool.JWKSURL()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { av.Close() })
	v, err := alb.New(alb.Config{ALBARNs: []string{a.ARN()}, ClientIDs: []string{a.ClientID()}, Issuer: a.Issuer(), KeyURL: a.KeyURL(), AccessTokens: av})
	if err != nil {
		t.Fatal(err)
	}
	authenticate, err := middleware.NewALB(v, middleware.Config{Optional: optional})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := alb.IdentityFromContext(r.Context())
		if !ok {
			fmt.Fprint(w, "hello anonymous")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<p id="me">hello %s %s groups=%s</p>`, id.User.Username, id.User.Email, strings.Join(id.Access.Groups, ","))
	})))
	t.Cleanup(hs.Close)
	return hs.URL
}

// A real browser signs in through the emulated ALB and reaches the
// service, which verifies the ALB's headers as it would behind AWS.
func TestALBBrowser(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"}})
	// The ALB needs the target's URL and the target needs the ALB's
	// identity: start the ALB towards a handler set afterwards.
	var target http.Handler = http.NotFoundHandler()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { target.ServeHTTP(w, r) }))
	defer front.Close()
	a, err := srv.StartALB(cognitotest.ALBConfig{Target: front.URL, Pool: pool, Scope: "openid email"})
	if err != nil {
		t.Fatal(err)
	}
	svc := albService(t, srv, pool, a, false)
	target = httputilProxy(t, svc)

	ctx := newBrowser(t, nil)
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/me?x=1"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "Passw0rd!"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("me")),
	)
	if err != nil {
		t.Fatal(err)
	}
	page := func() (string, string) {
		t.Helper()
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(body), loc
	}
	const want = "hello alice alice@example.com groups=admin"
	if body, loc := page(); body != want || loc != a.URL()+"/me?x=1" {
		t.Errorf("after sign-in the page at %s says %q; want %q at /me?x=1", loc, body, want)
	}
	// The session cookie carries the next request without a sign-in.
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL()+"/again"), chromedp.WaitVisible(chromedp.ID("me"))); err != nil {
		t.Fatal(err)
	}
	if body, loc := page(); body != want || loc != a.URL()+"/again" {
		t.Errorf("second visit: %q at %s", body, loc)
	}
}

// httputilProxy forwards to url, keeping the headers.
func httputilProxy(t *testing.T, url string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(r.Method, url+r.URL.RequestURI(), nil)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}

func TestALBModes(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	var seen http.Header
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		fmt.Fprint(w, "target")
	}))
	defer echo.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		mode   string
		status int
	}{{cognitotest.ALBAuthenticate, 302}, {cognitotest.ALBDeny, 401}, {cognitotest.ALBAllow, 200}} {
		t.Run(tc.mode, func(t *testing.T) {
			a, err := srv.StartALB(cognitotest.ALBConfig{Target: echo.URL, Pool: pool, OnUnauthenticated: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			seen = nil
			req, _ := http.NewRequest("GET", a.URL()+"/page", nil)
			req.Header.Set("X-Amzn-Oidc-Identity", "admin") // a forged header
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d; want %d", resp.StatusCode, tc.status)
			}
			switch tc.mode {
			case cognitotest.ALBAuthenticate:
				loc := resp.Header.Get("Location")
				if !strings.HasPrefix(loc, srv.OAuthDomain()+"/oauth2/authorize?") || !strings.Contains(loc, "redirect_uri="+url.QueryEscape(a.URL()+"/oauth2/idpresponse")) {
					t.Errorf("Location %s", loc)
				}
			case cognitotest.ALBAllow:
				if seen == nil || seen.Get("X-Amzn-Oidc-Identity") != "" {
					t.Errorf("the target saw %v; the forged header must be removed", seen)
				}
			}
		})
	}
	// A callback that no sign-in started is refused.
	a, _ := srv.StartALB(cognitotest.ALBConfig{Target: echo.URL, Pool: pool})
	resp, err := http.Get(a.URL() + "/oauth2/idpresponse?code=x&state=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("forged callback: %d; want 401", resp.StatusCode)
	}
	// The key endpoint serves the key per kid, 404 otherwise.
	for kid, want := range map[string]int{"00000000-0000-4000-8000-000000000000": 404} {
		resp, err := http.Get(a.KeyURL() + "/" + kid)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("key %s: %d; want %d", kid, resp.StatusCode, want)
		}
	}
	if _, err := srv.StartALB(cognitotest.ALBConfig{Target: "not a url", Pool: pool}); !errors.Is(err, cognitotest.ErrInvalidConfig) {
		t.Errorf("bad target: err = %v", err)
	}
	if _, err := srv.StartALB(cognitotest.ALBConfig{Target: echo.URL, Pool: pool, OnUnauthenticated: "maybe"}); !errors.Is(err, cognitotest.ErrInvalidConfig) {
		t.Errorf("bad mode: err = %v", err)
	}
}
