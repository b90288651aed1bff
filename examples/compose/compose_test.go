// Package compose holds the docker-compose example (compose.yaml): the
// emulator, an API and a front end. Docker is not needed to test it: the
// test reads compose.yaml, starts the emulator with its command line and
// seed, plays nginx and the API in the process (reaching the emulator by
// its service name, as the containers do), and drives the front end's page
// in headless Chromium.
package compose

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/internal/browsertest"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

// service is what the test reads of a service of compose.yaml.
type service struct {
	command []string
	env     map[string]string
	text    string
}

// readCompose reads the services of compose.yaml: a small reader for the
// shapes the file uses (command as a list, environment as a map), not a
// YAML parser.
func readCompose(t *testing.T) map[string]*service {
	t.Helper()
	f, err := os.Open("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	services := map[string]*service{}
	var cur *service
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		trimmed := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case indent == 2 && strings.HasSuffix(trimmed, ":"):
			cur = &service{env: map[string]string{}}
			services[strings.TrimSuffix(trimmed, ":")] = cur
			section = ""
			continue
		case cur == nil:
			continue
		}
		cur.text += trimmed + "\n"
		switch {
		case indent == 4:
			key, val, _ := strings.Cut(trimmed, ":")
			section = key
			if key == "command" && strings.HasPrefix(strings.TrimSpace(val), "[") {
				if err := json.Unmarshal([]byte(strings.TrimSpace(val)), &cur.command); err != nil {
					t.Fatalf("command %s: %v", val, err)
				}
			}
		case indent == 6 && section == "command" && strings.HasPrefix(trimmed, "- "):
			cur.command = append(cur.command, strings.TrimPrefix(trimmed, "- "))
		case indent == 6 && section == "environment":
			k, v, _ := strings.Cut(trimmed, ":")
			cur.env[k] = strings.TrimSpace(v)
		}
	}
	return services
}

// flagValue returns the value of --name=value in args.
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// TestCompose checks compose.yaml against the emulator it configures, and
// runs the stack it describes in the process.
func TestCompose(t *testing.T) {
	services := readCompose(t)
	emu, api := services["cognito"], services["api"]
	if emu == nil || api == nil || services["web"] == nil {
		t.Fatalf("services %v; want cognito, api and web", slices.Collect(func(yield func(string) bool) {
			for k := range services {
				if !yield(k) {
					return
				}
			}
		}))
	}
	public := flagValue(emu.command, "public-url")
	if emu.command[0] != "local" || flagValue(emu.command, "addr") != "0.0.0.0:9229" || public != "http://cognito:9229" ||
		flagValue(emu.command, "seed") != "/seed/seed.json" || !strings.Contains(emu.text, "./seed.json:/seed/seed.json") {
		t.Errorf("cognito command %q: want local on 0.0.0.0:9229 with the public URL http://cognito:9229 and the seed", emu.command)
	}
	if !strings.Contains(emu.text, "http://127.0.0.1:9229/_cognitokit/health") {
		t.Error("the cognito service has no health check on /_cognitokit/health")
	}
	data, err := os.ReadFile("seed.json")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := cognitotest.ParseSeed(data)
	if err != nil {
		t.Fatalf("seed.json: %v", err)
	}
	poolID := seed.Pools[0].ID
	if api.env["COGNITO_ENDPOINT"] != public || api.env["COGNITO_USER_POOL_ID"] != poolID || api.env["COGNITO_CLIENT_ID"] != seed.Pools[0].Clients[0].ID {
		t.Errorf("api environment %v; want the public URL, pool %s and client %s", api.env, poolID, seed.Pools[0].Clients[0].ID)
	}

	// The emulator, as the command line configures it (on a free
	// loopback port instead of 0.0.0.0:9229).
	srv := cognitotest.NewServer(t, cognitotest.WithPublicURL(public), cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	if _, err := srv.ApplySeed(seed); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(public, "http://")
	containers := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == host { // the compose network's DNS
			addr = strings.TrimPrefix(srv.URL(), "http://")
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}

	// The API container: it verifies access tokens against the issuer
	// COGNITO_ENDPOINT/pool, fetching the keys from the emulator by name.
	v, err := verifier.New(verifier.Config{HTTPClient: &http.Client{Transport: containers, Timeout: 10 * time.Second},
		Pools: []verifier.Pool{{UserPoolID: poolID, ClientIDs: []string{api.env["COGNITO_CLIENT_ID"]}, TokenUse: verifier.TokenUseAccess,
			Issuer: api.env["COGNITO_ENDPOINT"] + "/" + poolID}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	apiHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		c, err := v.Verify(r.Context(), tok)
		if !ok || err != nil || r.URL.Path != "/me" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"username": c.Username, "groups": c.Groups})
	})

	// nginx: the page, /api/ and /cognito/ on one origin (nginx.conf).
	conf, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"proxy_pass http://api:8081/;", "proxy_pass " + public + "/;", "listen 8080;"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	target, _ := url.Parse(public)
	toEmulator := &httputil.ReverseProxy{Transport: containers, Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target) // like proxy_pass: Host becomes cognito:9229
		r.Out.URL.Path = "/"
		r.Out.Host = host
	}}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("web")))
	mux.Handle("/api/", http.StripPrefix("/api", apiHandler))
	mux.Handle("/cognito/", toEmulator)
	web := httptest.NewServer(mux)
	defer web.Close()

	bctx := newBrowser(t)
	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1000, 800),
		chromedp.Navigate(web.URL+"/"),
		chromedp.Click(chromedp.CSS(`#signin button`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
		chromedp.Click(chromedp.CSS(`#call`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#api:empty`)),
	)
	if err != nil {
		t.Fatalf("front end: %v", err)
	}
	text := func(sel string) string {
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	if iss := text("#issuer"); iss != public+"/"+poolID {
		t.Errorf("the front end shows iss %q; want %s", iss, public+"/"+poolID)
	}
	if g := text("#groups"); g != "admin" {
		t.Errorf("groups %q; want admin", g)
	}
	if got := text("#api"); !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"username":"alice"`) {
		t.Errorf("the API answered %q; want 200 for alice", got)
	}
	if png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err == nil {
		path := filepath.Join(shots, "compose-front-end.png")
		if os.WriteFile(path, png, 0o644) == nil {
			t.Logf("screenshot: %s", path)
		}
	}
}

// browser is the Chromium of this test binary (nil until a test needs it
// when TestMain did not launch it).
var browser *browsertest.Browser

// launchBrowser starts this binary's Chromium in the background.
func launchBrowser() *browsertest.Browser {
	return browsertest.Launch("compose")
}

// newBrowser returns a tab of the binary's Chromium, bounded to 45 s; see
// browsertest.Browser.Tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if browser == nil { // TestMain's -run filter did not expect this test
		browser = launchBrowser()
	}
	return browser.Tab(t, 45*time.Second)
}
