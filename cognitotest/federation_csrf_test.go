package cognitotest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestFederationLoginCSRF: an attacker starts a federated sign-in in his
// own browser, signs in at the provider as himself, and stops before the
// provider's answer reaches /oauth2/idpresponse; he gets the victim's
// browser to open that answer. Without a binding between the sign-in and
// the browser that started it, the victim would be signed in to the
// attacker's account (login CSRF). The emulator refuses it: no code for
// the app, no managed-login session.
func TestFederationLoginCSRF(t *testing.T) {
	t.Parallel()
	e := newFedEnv(t, map[string]string{"email": "email"}, cognitotest.PoolConfig{})
	authURL := e.oauth2Config().AuthCodeURL("attacker-state", oauth2.SetAuthURLParam("identity_provider", fedProvider))

	// The attacker's browser: it stops at the emulator's idpresponse.
	jar, _ := cookiejar.New(nil)
	attacker := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/oauth2/idpresponse" || len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}

	// The redirect to the provider sets the binding cookie.
	first, err := noRedirectClient().Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, first)
	var binding *http.Cookie
	for _, c := range first.Cookies() {
		if strings.HasPrefix(c.Name, "cognitotest_idp_") {
			binding = c
		}
	}
	switch {
	case first.StatusCode != http.StatusFound || binding == nil:
		t.Errorf("redirect to the provider: status %d, cookies %v; want a binding cookie", first.StatusCode, first.Cookies())
	case !binding.HttpOnly || binding.SameSite != http.SameSiteLaxMode || binding.Path != "/oauth2/idpresponse" || binding.MaxAge <= 0 || len(binding.Value) < 32:
		t.Errorf("binding cookie %v; want HttpOnly, SameSite=Lax, Path=/oauth2/idpresponse, a lifetime and a random value", binding)
	}

	resp, err := attacker.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	m := requestIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("want the upstream's sign-in page; got %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = attacker.PostForm(e.upSrv.URL()+"/login", url.Values{"request": {m[1]}, "username": {"gina"}, "password": {"Gina-Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	answer, err := resp.Location()
	if err != nil || answer.Path != "/oauth2/idpresponse" || answer.Query().Get("code") == "" {
		t.Fatalf("the provider's answer: %v, %v; want a redirect to /oauth2/idpresponse with a code", answer, err)
	}

	// The victim's browser opens the attacker's answer.
	victim := browser()
	resp, err = victim.Get(answer.String())
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "another browser") {
		t.Errorf("the victim's browser: status %d at %s: %.300s; want 400 and an explanation", resp.StatusCode, resp.Request.URL, body)
	}
	if loc, _ := resp.Location(); loc != nil && loc.Query().Get("code") != "" {
		t.Fatalf("the victim's browser got a code for the attacker's account: %s", loc)
	}
	if u, _ := url.Parse(e.srv.URL()); len(victim.Jar.Cookies(u)) != 0 {
		t.Errorf("the victim's browser has managed-login cookies %v; want none", victim.Jar.Cookies(u))
	}

	// The answer is spent: the attacker's own browser cannot use it
	// either, and a sign-in finished in the browser that started it works.
	resp, err = attacker.Get(answer.String())
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the answer used again: status %d; want 400", resp.StatusCode)
	}
	cb := e.federate(t, browser(), authURL, "gina", "Gina-Passw0rd!")
	if cb.Query().Get("code") == "" {
		t.Errorf("a sign-in in one browser: callback %s; want a code", cb)
	}
}

// TestFederationBindingFormPost: Sign in with Apple answers with a
// cross-site form_post, which carries only SameSite=None cookies; the
// binding cookie of an Apple sign-in is SameSite=None; Secure, and the
// POST answer needs it too.
func TestFederationBindingFormPost(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_ApplePost"})
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nothing here", http.StatusBadRequest) // the token endpoint refuses
	}))
	defer upstream.Close()
	pool.MustCreateIdentityProvider(cognitotest.IdentityProviderConfig{Name: "SignInWithApple", Type: cognitotest.ProviderSignInWithApple,
		Details: map[string]string{"client_id": "com.example.app", "team_id": "TEAM123456", "key_id": "KEY1234567", "authorize_scopes": "email name",
			"private_key":   string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
			"authorize_url": upstream.URL + "/auth/authorize", "token_url": upstream.URL + "/auth/token", "jwks_uri": upstream.URL + "/auth/keys"},
		AttributeMapping: map[string]string{"email": "email"}})
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app", CallbackURLs: []string{oauthCallback}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: []string{"SignInWithApple"}})

	start := func() (*http.Cookie, url.Values) {
		t.Helper()
		resp, err := noRedirectClient().Get(srv.OAuthDomain() + "/oauth2/authorize?" + authQuery(app.ID, "scope", "openid email", "identity_provider", "SignInWithApple").Encode())
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("authorize: status %d: %v", resp.StatusCode, err)
		}
		for _, c := range resp.Cookies() {
			if strings.HasPrefix(c.Name, "cognitotest_idp_") {
				return c, loc.Query()
			}
		}
		t.Fatalf("no binding cookie in %v", resp.Cookies())
		return nil, nil
	}
	c, q := start()
	if q.Get("response_mode") != "form_post" {
		t.Errorf("response_mode = %q; want form_post for Sign in with Apple", q.Get("response_mode"))
	}
	if c.SameSite != http.SameSiteNoneMode || !c.Secure || !c.HttpOnly || c.Path != "/oauth2/idpresponse" {
		t.Errorf("binding cookie %v; want SameSite=None, Secure, HttpOnly, Path=/oauth2/idpresponse", c)
	}
	post := func(state string, cookie *http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/oauth2/idpresponse", strings.NewReader(url.Values{"code": {"c"}, "state": {state}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://appleid.apple.com")
		if cookie != nil {
			req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		}
		resp, err := noRedirectClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp
	}
	// Without the cookie: refused.
	if resp := post(q.Get("state"), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("form_post without the cookie: status %d; want 400", resp.StatusCode)
	}
	// With another sign-in's cookie: refused.
	c2, q2 := start()
	if resp := post(q2.Get("state"), &http.Cookie{Name: c2.Name, Value: c.Value}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("form_post with another sign-in's cookie value: status %d; want 400", resp.StatusCode)
	}
	// With it: past the binding, on to the provider's token endpoint
	// (which refuses here), and the error goes back to the app.
	c3, q3 := start()
	resp := post(q3.Get("state"), c3)
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.Query().Get("error_description"), "SignInWithApple Error - ") {
		t.Errorf("form_post with the cookie: status %d, Location %v; want the token endpoint's error at the app", resp.StatusCode, loc)
	}
}
