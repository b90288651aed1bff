package cognitotest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestBrowserPasskeys drives managed login in headless Chromium with its
// virtual authenticator (the DevTools WebAuthn domain: a CTAP2 platform
// authenticator with resident keys and user verification), so that a real
// browser's WebAuthn code makes the credentials the emulator verifies: the
// user signs in with a password, adds a passkey (/passkeys/add), then
// signs in again with the passkey alone, and the app receives codes that
// the token endpoint redeems.
func TestBrowserPasskeys(t *testing.T) {
	t.Parallel()
	bctx := newBrowser(t, nil)

	// WebAuthn needs a secure context and a relying party ID that is a
	// domain: the emulator is served as http://localhost:PORT.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithListenAddr(addr), cognitotest.WithPublicURL("http://localhost:"+strconv.Itoa(port)))
	base := srv.PublicURL()

	var mu sync.Mutex
	var codes []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := r.URL.Query().Get("code"); r.URL.Path == "/cb" && c != "" {
			mu.Lock()
			codes = append(codes, c)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>app</title><p id="done">signed in</p>`)
	}))
	t.Cleanup(app.Close)
	callback := app.URL + "/cb"
	// lastCode takes the code of the app's last callback.
	lastCode := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(codes) == 0 {
			t.Fatal("the app received no code")
		}
		c := codes[len(codes)-1]
		codes = nil
		return c
	}

	pool := srv.MustCreatePool(cognitotest.PoolConfig{AllowedFirstAuthFactors: []string{"PASSWORD", "WEB_AUTHN"}})
	client := pool.MustCreateClient(cognitotest.ClientConfig{CallbackURLs: []string{callback}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "aws.cognito.signin.user.admin"}, AllowedOAuthFlowsUserPoolClient: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!alice"})

	// redeem exchanges the app's last code for tokens.
	redeem := func() (access, id string) {
		t.Helper()
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {client.ID}, "code": {lastCode()}, "redirect_uri": {callback}}
		resp, err := http.PostForm(srv.URL()+"/oauth2/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var tok struct{ AccessToken, IDToken string }
		var raw map[string]any
		json.NewDecoder(resp.Body).Decode(&raw)
		tok.AccessToken, _ = raw["access_token"].(string)
		tok.IDToken, _ = raw["id_token"].(string)
		if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
			t.Fatalf("token endpoint: %d %v", resp.StatusCode, raw)
		}
		return tok.AccessToken, tok.IDToken
	}
	authorize := base + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {client.ID}, "redirect_uri": {callback},
		"scope": {"openid aws.cognito.signin.user.admin"}, "prompt": {"login"}}.Encode()

	var authID webauthn.AuthenticatorID
	if err := chromedp.Do(bctx, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		authID = res.AuthenticatorID
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	credentials := func() []*webauthn.Credential {
		t.Helper()
		out, err := chromedp.Run(bctx, func(ctx context.Context, _ *chromedp.Target) ([]*webauthn.Credential, error) {
			res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
			return res.Credentials, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	errorText := func() string {
		s, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById("error")||{}).textContent||document.body.innerText`))
		return s
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(bctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			t.Fatalf("%s: %v; at %s the page says %q", what, err, loc, errorText())
		}
	}

	// 1. Password sign-in: the managed-login session.
	step("sign in with the password",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.ID("passkey-link")), // the pool allows passkeys
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "Passw0rd!alice"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	redeem()

	// 2. Add a passkey: Chromium creates it with the emulator's options.
	step("add a passkey",
		chromedp.Navigate(base+"/passkeys/add?"+url.Values{"client_id": {client.ID}, "redirect_uri": {callback}}.Encode()),
		chromedp.WaitVisible(chromedp.ID("passkey-add")),
		chromedp.Click(chromedp.ID("passkey-add")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	creds := credentials()
	if len(creds) != 1 || creds[0].RpID != "localhost" || !creds[0].IsResidentCredential || creds[0].UserName != "alice" {
		t.Fatalf("the virtual authenticator holds %+v; want one discoverable credential of alice for localhost", creds)
	}

	// 3. Sign in with the passkey only (prompt=login: no session reuse).
	step("sign in with the passkey",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.ID("passkey-link")),
		chromedp.Click(chromedp.ID("passkey-link")),
		chromedp.WaitVisible(chromedp.ID("passkey-signin")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.Click(chromedp.ID("passkey-signin")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	access, idToken := redeem()
	if claims := payloadOf(t, idToken); claims["cognito:username"] != "alice" {
		t.Fatalf("ID token after the passkey sign-in: %v", claims)
	}
	if got := credentials()[0].SignCount; got < 1 {
		t.Fatalf("sign count of the virtual credential: %v; want at least 1 after an assertion", got)
	}

	// The API lists the passkey the browser made.
	api := cip.NewFromConfig(srv.AWSConfig())
	out, err := api.ListWebAuthnCredentials(context.Background(), &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(access)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Credentials) != 1 || aws.ToString(out.Credentials[0].RelyingPartyId) != "localhost" {
		t.Fatalf("ListWebAuthnCredentials: %+v", out.Credentials)
	}

	// 4. A wrong user name gets no passkey ceremony.
	step("unknown user",
		chromedp.Navigate(authorize),
		chromedp.Click(chromedp.ID("passkey-link")),
		chromedp.WaitVisible(chromedp.ID("passkey-signin")),
		chromedp.SendKeys(chromedp.ID("username"), "nobody"),
		chromedp.Click(chromedp.ID("passkey-signin")),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	if msg := errorText(); !strings.Contains(msg, "no passkey") {
		t.Fatalf("unknown user: the page says %q", msg)
	}
}

// payloadOf returns the claims of a JWT, unverified.
func payloadOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &claims)
	}
	if err != nil {
		t.Fatal(err)
	}
	return claims
}
