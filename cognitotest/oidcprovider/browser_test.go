package oidcprovider_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/internal/browsertest"
	"golang.org/x/oauth2"
)

// browser is the Chromium of this test binary (nil until a test needs it
// when TestMain did not launch it).
var browser *browsertest.Browser

// launchBrowser starts this binary's Chromium in the background.
func launchBrowser() *browsertest.Browser {
	return browsertest.Launch("oidcprovider",
		chromedp.Flag("disable-component-update", true),
		// Headless Chromium's window (not the headless shell's) preloads
		// the omnibox popup's WebUI pages, two renderers a page never uses.
		chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI"),
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
