package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/internal/browsertest"
)

// browser is the Chromium of this test binary (nil until a test needs it
// when TestMain did not launch it).
var browser *browsertest.Browser

// launchBrowser starts this binary's Chromium in the background.
func launchBrowser() *browsertest.Browser {
	return browsertest.Launch("webapp",
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1100, 800),
	)
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

// TestBrowserSignIn drives examples/webapp with headless Chromium through
// the emulator's managed login: /me -> sign-in page -> form -> /me showing
// the user -> 403 on /admin -> sign out -> /me asks to sign in again.
//
// It skips when Chromium is missing, unless CI=true (then it fails).
// Set SCREENSHOT_DIR to keep the screenshots (default: a temp dir).
func TestBrowserSignIn(t *testing.T) {
	t.Parallel() // after the other tests, which run while Chromium starts
	bctx := newBrowser(t)
	app, err := start(options{addr: "127.0.0.1:0", getenv: func(string) string { return "" }, log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// Chromium first: the app's graceful Shutdown would wait for the
	// connections Chromium keeps open.
	defer browser.Stop()

	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}

	// Record the status of every top-level document, to check the 403.
	var mu sync.Mutex
	statuses := map[string]int64{}
	if err := chromedp.Listen(bctx, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Type == network.ResourceTypeDocument {
			mu.Lock()
			statuses[r.Response.URL] = r.Response.Status
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(step string, id chromedp.ID) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(id))
		must(step, err)
		return s
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(bctx, chromedp.Location())
		must("location", err)
		return loc
	}

	u := demoUsers[0]
	must("open /me", chromedp.Do(bctx, chromedp.Navigate(app.URL+"/me"), chromedp.WaitVisible(chromedp.ID("username"))))
	if loc := location(); !strings.HasPrefix(loc, app.emu.OAuthDomain()+"/login") {
		t.Fatalf("GET /me led to %s; want the emulator's sign-in page", loc)
	}
	must("fill the form", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("username"), u.name),
		chromedp.SendKeys(chromedp.ID("password"), u.password),
	))
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	writeShot(t, shots, "signin.png", shot)
	must("submit", chromedp.Do(bctx, chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("welcome"))))
	welcome, groups := text("welcome", "welcome"), text("groups", "groups")
	title, err := chromedp.Run(bctx, chromedp.Title())
	must("title", err)
	shot, err = chromedp.Run(bctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	writeShot(t, shots, "me.png", shot)
	if loc := location(); loc != app.URL+"/me" {
		t.Fatalf("after sign-in the browser is at %s; want %s/me", loc, app.URL)
	}
	if !strings.Contains(welcome, u.fullName) || !strings.Contains(groups, "readers") || !strings.Contains(title, "Your account") {
		t.Fatalf("/me shows welcome %q, groups %q, title %q; want %s in group readers", welcome, groups, title, u.fullName)
	}

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(app.URL+"/admin"))
	must("open /admin", err)
	if adminTitle := text("admin title", "title"); resp.Status != 403 || adminTitle != "Forbidden" {
		t.Fatalf("/admin as %s: status %d, title %q; want 403 Forbidden", u.name, resp.Status, adminTitle)
	}
	mu.Lock()
	if got := statuses[app.URL+"/admin"]; got != 403 {
		t.Errorf("document status of /admin = %d; want 403", got)
	}
	mu.Unlock()

	must("sign out", chromedp.Do(bctx,
		chromedp.Navigate(app.URL+"/me"),
		chromedp.WaitVisible(chromedp.ID("signout")),
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin")),
	))
	if loc := location(); loc != app.URL+"/" {
		t.Fatalf("after sign-out the browser is at %s; want %s/", loc, app.URL)
	}
	must("/me after sign-out", chromedp.Do(bctx, chromedp.Navigate(app.URL+"/me"), chromedp.WaitVisible(chromedp.ID("password"))))
	if loc := location(); !strings.HasPrefix(loc, app.emu.OAuthDomain()+"/login") {
		t.Fatalf("/me after sign-out led to %s; want the sign-in page", loc)
	}
	t.Logf("screenshots in %s", shots)
}

func writeShot(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if len(b) == 0 {
		t.Fatalf("empty screenshot %s", name)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
