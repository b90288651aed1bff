package cognitotest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/browsertest"
)

// browserHostRules map names to addresses in the package's Chromium
// ("evil.test": "127.0.0.1"), as an attacker's DNS would.
var browserHostRules = map[string]string{"evil.test": "127.0.0.1", "rebind.test": "127.0.0.2"}

// sharedBrowser is the one Chromium of the package's browser tests: a
// launch costs about a second of CPU, and each test gets a browser context
// of its own (cookies, storage, cache), as isolated as a new browser.
// TestMain stops it.
var sharedBrowser struct {
	once sync.Once
	ctx  context.Context // holds the browser; tests open tabs from it
	stop func()
	err  error
}

// startSharedBrowser launches the package's Chromium once.
func startSharedBrowser(exe string) (context.Context, error) {
	b := &sharedBrowser
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "cognitotest-chromium-")
		if err != nil {
			b.err = err
			return
		}
		var rules []string
		for name, addr := range browserHostRules {
			rules = append(rules, "MAP "+name+" "+addr)
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			// Every window of Chromium's (new) headless mode preloads
			// the omnibox popup's WebUI pages, two renderers of their
			// own: about 0.2 s of CPU per tab, a third of what the
			// package's browser tests cost. A page never shows the
			// omnibox. (The headless shell has none.)
			chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI"),
			chromedp.Flag("host-resolver-rules", strings.Join(rules, ",")),
			chromedp.UserDataDir(dir),
			chromedp.CombinedOutput(io.Discard),
		)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		b.ctx = bctx
		b.stop = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
		// The first Run binds the browser to its context, so it gets bctx
		// itself; a timer stops a launch that hangs.
		hung := time.AfterFunc(45*time.Second, cancelAlloc)
		b.err = chromedp.Do(bctx)
		hung.Stop()
	})
	return b.ctx, b.err
}

// stopSharedBrowser stops the package's Chromium, if it started.
func stopSharedBrowser() {
	if sharedBrowser.stop != nil {
		sharedBrowser.stop()
	}
}

// newBrowser opens a tab in a new browser context of the package's
// headless Chromium for the test, which ends with the test or after 45 s.
// It skips when Chromium is missing, unless CI=true (then it fails).
// hostRules are the names the test needs resolved (all in
// browserHostRules).
func newBrowser(t *testing.T, hostRules map[string]string) context.Context {
	t.Helper()
	exe := browsertest.Path()
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found and CI=true: install the Debian package chromium-headless-shell or chromium (or set CHROMIUM)")
		}
		t.Skip("chromium not found; install the Debian package chromium-headless-shell or chromium (or set CHROMIUM) to run the browser test")
	}
	for name, addr := range hostRules {
		if browserHostRules[name] != addr {
			t.Fatalf("host rule %s -> %s: add it to browserHostRules", name, addr)
		}
	}
	browser, err := startSharedBrowser(exe)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(closeTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab in chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pageServer serves an empty HTML page: the web page of some origin.
func pageServer(t *testing.T) (port string) {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>page</title><p>page</p>")
	}))
	t.Cleanup(hs.Close)
	u, _ := url.Parse(hs.URL)
	return u.Port()
}

// rebinder plays a DNS-rebinding attacker's name: it serves the page from
// 127.0.0.2 on the emulator's port, and every other request goes to the
// emulator unchanged, Host included, as once the name resolves to
// 127.0.0.1. The page and its requests are then same-origin.
func rebinder(t *testing.T, emulator string) {
	t.Helper()
	target, _ := url.Parse(emulator)
	ln, err := net.Listen("tcp", "127.0.0.2:"+target.Port())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("listen on 127.0.0.2 (Linux routes 127.0.0.0/8 to loopback): %v", err)
		}
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/page" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!doctype html><title>rebound</title><p>rebound</p>")
			return
		}
		proxy.ServeHTTP(w, r)
	})}}
	hs.Start()
	t.Cleanup(hs.Close)
}

// browserScript calls the Cognito API with fetch, as a page's script
// would, and returns what the page could read: {status, body} or {error}.
const browserScript = `(async () => {
  const call = async (endpoint, op, body, signed) => {
    const headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + op};
    if (signed) {
      headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260305/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-target, Signature=00";
      headers["X-Amz-Date"] = "20260305T000000Z";
    }
    try {
      const r = await fetch(endpoint, {method: "POST", headers, body: JSON.stringify(body)});
      return {status: r.status, body: await r.text()};
    } catch (e) {
      return {error: String(e)};
    }
  };
  const simple = async (endpoint, body) => {
    try {
      await fetch(endpoint, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: JSON.stringify(body)});
      return {sent: true};
    } catch (e) {
      return {error: String(e)};
    }
  };
  const a = %s;
  const out = {};
  for (const [name, c] of Object.entries(a.calls)) {
    out[name] = c.simple ? await simple(a.endpoint, c.body) : await call(a.endpoint, c.op, c.body, c.signed);
  }
  return JSON.stringify(out);
})()`

type browserCall struct {
	Op     string         `json:"op,omitempty"`
	Body   map[string]any `json:"body"`
	Signed bool           `json:"signed,omitempty"`
	Simple bool           `json:"simple,omitempty"`
}

type browserResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
	Sent   bool   `json:"sent"`
}

// runInPage opens pageURL in the browser and runs the calls from it.
func runInPage(t *testing.T, bctx context.Context, pageURL, endpoint string, calls map[string]browserCall) map[string]browserResult {
	t.Helper()
	arg, _ := json.Marshal(map[string]any{"endpoint": endpoint, "calls": calls})
	if err := chromedp.Do(bctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(browserScript, arg), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("page %s: %v", pageURL, err)
	}
	var out map[string]browserResult
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("page %s: result %q: %v", pageURL, raw, err)
	}
	return out
}

// TestBrowserGuard drives headless Chromium: a page of a foreign origin,
// a page rebound to the emulator's address by DNS, and a page of an origin
// trusted with WithCORSOrigins, each calling the Cognito API with fetch.
func TestBrowserGuard(t *testing.T) {
	t.Parallel()
	evilPort, appPort := pageServer(t), pageServer(t)
	app := "http://localhost:" + appPort
	e := newEnv(t, cognitotest.PoolConfig{}, cognitotest.WithCORSOrigins(app))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword})
	endpoint := e.srv.URL() + "/"
	emuPort := must(url.Parse(e.srv.URL())).Port()
	bctx := newBrowser(t, map[string]string{"evil.test": "127.0.0.1", "rebind.test": "127.0.0.2"})

	describe := map[string]any{"UserPoolId": e.pool.ID(), "ClientId": e.secret.ID}
	setPassword := func(pw string) map[string]any {
		return map[string]any{"UserPoolId": e.pool.ID(), "Username": "alice", "Password": pw, "Permanent": true}
	}
	initiate := map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": e.public.ID, "AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}
	attack := map[string]browserCall{
		"describeSigned":    {Op: "DescribeUserPoolClient", Body: describe, Signed: true},
		"describe":          {Op: "DescribeUserPoolClient", Body: describe},
		"setPasswordSigned": {Op: "AdminSetUserPassword", Body: setPassword("Browser-Passw0rd-1"), Signed: true},
		"setPassword":       {Op: "AdminSetUserPassword", Body: setPassword("Browser-Passw0rd-2")},
		"simple":            {Body: setPassword("Browser-Passw0rd-3"), Simple: true},
		"initiateAuth":      {Op: "InitiateAuth", Body: initiate},
	}
	stolen := func(name string, r browserResult) {
		t.Helper()
		if r.Status == 200 || strings.Contains(r.Body, e.secret.Secret) {
			t.Errorf("%s: the page read status %d: %.200s", name, r.Status, r.Body)
		}
	}

	t.Run("foreign origin", func(t *testing.T) {
		out := runInPage(t, bctx, "http://evil.test:"+evilPort+"/", endpoint, attack)
		for _, name := range []string{"describeSigned", "describe", "setPasswordSigned", "setPassword"} {
			stolen(name, out[name])
			if out[name].Error == "" {
				t.Errorf("%s: the page got a readable answer %d; want a CORS failure", name, out[name].Status)
			}
		}
		if !out["simple"].Sent {
			t.Errorf("simple request: %+v; the browser should send it (and the emulator ignore it)", out["simple"])
		}
		// Public operations stay open to every origin, as in Cognito.
		if r := out["initiateAuth"]; r.Status != 200 || !strings.Contains(r.Body, "AccessToken") {
			t.Errorf("InitiateAuth from a foreign origin: %+v; want tokens", r)
		}
	})

	t.Run("DNS rebinding", func(t *testing.T) {
		// The page's origin is http://rebind.test:{emulator port}, and its
		// requests reach the emulator: they are same-origin.
		rebinder(t, e.srv.URL())
		rebound := "http://rebind.test:" + emuPort
		out := runInPage(t, bctx, rebound+"/page", rebound+"/", attack)
		for name, r := range out {
			stolen(name, r)
			if !attack[name].Simple && r.Status != http.StatusForbidden {
				t.Errorf("%s through a rebound name: %+v; want 403", name, r)
			}
		}
	})

	if _, err := e.passwordLogin(e.public, "alice", testPassword); err != nil {
		t.Fatalf("alice's password changed: %v", err)
	}

	t.Run("trusted origin", func(t *testing.T) {
		out := runInPage(t, bctx, app+"/", endpoint, map[string]browserCall{
			"initiateAuth":   {Op: "InitiateAuth", Body: initiate},
			"describeSigned": {Op: "DescribeUserPoolClient", Body: describe, Signed: true},
		})
		var auth struct{ AuthenticationResult struct{ AccessToken string } }
		if r := out["initiateAuth"]; r.Status != 200 || json.Unmarshal([]byte(r.Body), &auth) != nil || auth.AuthenticationResult.AccessToken == "" {
			t.Errorf("InitiateAuth from the trusted origin: %+v; want tokens", r)
		}
		if r := out["describeSigned"]; r.Status != 200 || !strings.Contains(r.Body, e.secret.Secret) {
			t.Errorf("DescribeUserPoolClient from the trusted origin: %+v; want the client", r)
		}
	})
}
