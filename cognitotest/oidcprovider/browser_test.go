package oidcprovider_test

import (
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// chromiumPath finds Chromium: $CHROMIUM, or chromium-headless-shell on
// PATH (Chromium's old headless mode, the same engine without the
// browser's user interface, about half the CPU), or /usr/bin/chromium, or
// chromium, chromium-browser or google-chrome on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium-headless-shell", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium is a headless Chromium started in the background: TestMain
// launches it before the tests run, so that its start (about a second)
// overlaps them.
type chromium struct {
	ready   chan struct{}   // closed once started, or failed
	missing bool            // no Chromium installed
	tab     context.Context // its first tab, once ready
	err     error           // why it did not start
	stop    func()
}

// launchChromium starts Chromium and returns at once.
func launchChromium() *chromium {
	c := &chromium{ready: make(chan struct{}), stop: func() {}}
	exe := chromiumPath()
	if exe == "" {
		c.missing = true
		close(c.ready)
		return c
	}
	dir, err := os.MkdirTemp("", "oidcprovider-chromium-")
	if err != nil {
		c.err = err
		close(c.ready)
		return c
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		// Headless Chromium's window (not the headless shell's) preloads
		// the omnibox popup's WebUI pages, two renderers a page never uses.
		chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI"),
		chromedp.UserDataDir(dir), chromedp.CombinedOutput(io.Discard))
	bctx, cancelBrowser := chromedp.NewContext(actx)
	c.tab = bctx
	c.stop = sync.OnceFunc(func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) })
	go func() {
		defer close(c.ready)
		c.err = chromedp.Do(bctx)
	}()
	return c
}

// browser is the Chromium of this test binary (nil until a test needs it
// when TestMain did not launch it).
var browser *chromium

// newBrowser returns a tab of the binary's Chromium, bounded to 45 s, and
// stops Chromium when t ends (one test uses it). It skips without
// Chromium, unless CI=true (then it fails).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if browser == nil { // TestMain's -run filter did not expect this test
		browser = launchChromium()
	}
	t.Cleanup(browser.stop)
	<-browser.ready
	if browser.missing {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found and CI=true: install the Debian package chromium-headless-shell or chromium (or set CHROMIUM)")
		}
		t.Skip("chromium not found; install the Debian package chromium-headless-shell or chromium (or set CHROMIUM) to run the browser test")
	}
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	ctx, cancel := context.WithTimeout(browser.tab, 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestSignInAsPageInChromium signs in through the "Sign in as" page in a
// real browser: once by clicking a listed user, once with the form for
// another subject; the code reaches the relying party and redeems.
func TestSignInAsPageInChromium(t *testing.T) {
	t.Parallel() // after the other tests, which run while Chromium starts
	r := newRP(t)
	p := newProvider(t, r.callback(), nil)
	oc := oauthConfig(p, confidentialID, secret, r.callback(), oauth2.AuthStyleInHeader)
	b := newBrowser(t)
	v := oauth2.GenerateVerifier()

	finish := func(wantSub string) {
		t.Helper()
		loc, err := chromedp.Run(b, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(loc)
		if u.Path != "/cb" || u.Query().Get("state") != "browser-state" {
			t.Fatalf("browser at %s; want the callback with the state", loc)
		}
		tok, err := oc.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("Exchange: %v", err)
		}
		id := verifyIDToken(t, p, tok.Extra("id_token").(string), confidentialID)
		if sub, _ := id.Subject(); sub != wantSub {
			t.Fatalf("sub = %q; want %q", sub, wantSub)
		}
		if claim[string](t, id, "nonce") != "browser-nonce" {
			t.Fatal("nonce not passed through")
		}
	}
	authURL := oc.AuthCodeURL("browser-state", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", "browser-nonce"))

	button := `button[data-sub="` + googleUser.Subject + `"]`
	if err := chromedp.Do(b, chromedp.Navigate(authURL), chromedp.WaitVisible(button)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(b, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b, chromedp.Click(button), chromedp.WaitNotPresent(chromedp.ID("users"))); err != nil {
		t.Fatal(err)
	}
	if title != "Sign in as · test OpenID provider" {
		t.Errorf("title %q", title)
	}
	finish(googleUser.Subject)

	if err := chromedp.Do(b,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.ID("custom_sub")),
		chromedp.SendKeys(chromedp.ID("custom_sub"), "dora-4"),
		chromedp.SendKeys(chromedp.ID("custom_email"), "dora@example.com"),
		chromedp.Click(chromedp.ID("custom_submit")),
		chromedp.WaitNotPresent(chromedp.ID("custom")),
	); err != nil {
		t.Fatal(err)
	}
	finish("dora-4")
}
