package cognitotest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
)

const oauthCallback = "https://app.example.com/callback"

type oauthEnv struct {
	srv  *cognitotest.Server
	pool *cognitotest.Pool
	web  cognitotest.AppClient // secret, code flow
	pub  cognitotest.AppClient // public, code flow
	m2m  cognitotest.AppClient
}

func newOAuthEnv(t testing.TB) *oauthEnv {
	t.Helper()
	srv := cognitotest.NewServer(t, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_OAuthEmu", MFA: cognitotest.MFAOptional})
	if err := pool.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": ""}}); err != nil {
		t.Fatal(err)
	}
	e := &oauthEnv{srv: srv, pool: pool}
	scopes := []string{"openid", "email", "profile"}
	e.web = pool.MustCreateClient(cognitotest.ClientConfig{Name: "web", GenerateSecret: true, CallbackURLs: []string{oauthCallback},
		LogoutURLs: []string{"https://app.example.com/bye"}, AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: scopes, AllowedOAuthFlowsUserPoolClient: true})
	e.pub = pool.MustCreateClient(cognitotest.ClientConfig{Name: "spa", CallbackURLs: []string{oauthCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: scopes, AllowedOAuthFlowsUserPoolClient: true})
	e.m2m = pool.MustCreateClient(cognitotest.ClientConfig{Name: "m2m", GenerateSecret: true,
		AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}, AllowedOAuthFlowsUserPoolClient: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Alice-Passw0rd!", Email: "alice@example.com"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "totp", Password: "Totp-Passw0rd!", TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "off", Password: "Off-Passw0rd!", Disabled: true})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "newbie", TemporaryPassword: "Temp-Passw0rd!"})
	return e
}

func noRedirectClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var requestIDRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// authorize opens the authorization endpoint and returns the pending
// request ID of the sign-in page.
func (e *oauthEnv) authorize(t testing.TB, hc *http.Client, q url.Values) string {
	t.Helper()
	resp, err := hc.Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?request=") {
		t.Fatalf("authorize: status %d, Location %q; want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = hc.Get(e.srv.OAuthDomain() + resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	m := requestIDRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("sign-in page: status %d", resp.StatusCode)
	}
	return m[1]
}

func authQuery(clientID string, extra ...string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {oauthCallback}, "state": {"st-1"}, "scope": {"openid email"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

func (e *oauthEnv) submit(t testing.TB, hc *http.Client, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := hc.PostForm(e.srv.OAuthDomain()+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

func (e *oauthEnv) code(t testing.TB, q url.Values, user, pass string) string {
	t.Helper()
	hc := noRedirectClient()
	id := e.authorize(t, hc, q)
	resp, body := e.submit(t, hc, url.Values{"request": {id}, "username": {user}, "password": {pass}})
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), oauthCallback+"?") {
		t.Fatalf("sign-in: status %d: %.200s", resp.StatusCode, body)
	}
	return loc.Query().Get("code")
}

// token posts form to the token endpoint, with Basic auth when user != "".
func (e *oauthEnv) token(t testing.TB, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.OAuthDomain()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response without Cache-Control: no-store")
	}
	return resp.StatusCode, v
}

func TestOAuthAuthorizeErrors(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	pages := []struct {
		name string
		q    url.Values
		code string
	}{
		{"missing client_id", url.Values{"response_type": {"code"}, "redirect_uri": {oauthCallback}}, "invalid_request"},
		{"unknown client", authQuery("nosuchclient"), "invalid_request"},
		{"missing redirect_uri", authQuery(e.web.ID, "redirect_uri", ""), "invalid_request"},
		{"unregistered redirect_uri", authQuery(e.web.ID, "redirect_uri", "https://evil.com/callback"), "redirect_mismatch"},
		{"redirect_uri prefix trick", authQuery(e.web.ID, "redirect_uri", oauthCallback+".evil.com"), "redirect_mismatch"},
		{"federated identity provider", authQuery(e.web.ID, "identity_provider", "COGNITO2"), ""},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if q.Get("redirect_uri") == "" {
				q.Del("redirect_uri")
			}
			resp, err := noRedirectClient().Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if tc.code == "" {
				if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "error=invalid_request") {
					t.Fatalf("status %d, Location %q; want an invalid_request redirect", resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, tc.code) {
				t.Fatalf("status %d, Location %q; want a 400 page naming %s and no redirect", resp.StatusCode, resp.Header.Get("Location"), tc.code)
			}
		})
	}
	redirects := []struct {
		name string
		q    url.Values
		code string
	}{
		{"missing response_type", authQuery(e.web.ID, "response_type", ""), "invalid_request"},
		{"implicit", authQuery(e.web.ID, "response_type", "token"), "unsupported_response_type"},
		{"scope not allowed", authQuery(e.web.ID, "scope", "openid orders/read"), "invalid_scope"},
		{"plain PKCE", authQuery(e.web.ID, "code_challenge", strings.Repeat("a", 43), "code_challenge_method", "plain"), "invalid_request"},
		{"method without challenge", authQuery(e.web.ID, "code_challenge_method", "S256"), "invalid_request"},
		{"short challenge", authQuery(e.web.ID, "code_challenge", "abc", "code_challenge_method", "S256"), "invalid_request"},
		{"prompt=none without session", authQuery(e.web.ID, "prompt", "none"), "login_required"},
		{"client without the code flow", authQuery(e.m2m.ID), "redirect_mismatch"},
	}
	for _, tc := range redirects {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if q.Get("response_type") == "" {
				q.Del("response_type")
			}
			resp, err := noRedirectClient().Get(e.srv.OAuthDomain() + "/oauth2/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if tc.code == "redirect_mismatch" { // the m2m client has no callback URLs
				if resp.StatusCode != 400 || !strings.Contains(body, tc.code) {
					t.Fatalf("status %d; want a 400 page", resp.StatusCode)
				}
				return
			}
			loc, err := resp.Location()
			if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), oauthCallback+"?") {
				t.Fatalf("status %d; want a redirect to the callback", resp.StatusCode)
			}
			if loc.Query().Get("error") != tc.code || loc.Query().Get("state") != "st-1" {
				t.Fatalf("redirect %s; want error=%s and the state", loc, tc.code)
			}
		})
	}
}

func TestOAuthSignInPage(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	t.Run("wrong password, then right", func(t *testing.T) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, authQuery(e.web.ID, "login_hint", "alice"))
		resp, body := e.submit(t, hc, url.Values{"request": {id}, "username": {"alice"}, "password": {"wrong"}})
		if resp.StatusCode != 200 || !strings.Contains(body, "Incorrect username or password.") || !strings.Contains(body, `value="alice"`) {
			t.Fatalf("wrong password: status %d; want the form again with the error and the hint", resp.StatusCode)
		}
		resp, _ = e.submit(t, hc, url.Values{"request": {id}, "username": {"alice"}, "password": {"Alice-Passw0rd!"}})
		if loc, _ := resp.Location(); resp.StatusCode != 302 || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-1" {
			t.Fatalf("right password: status %d; want a redirect with code and state", resp.StatusCode)
		}
	})
	t.Run("disabled and unknown users", func(t *testing.T) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, authQuery(e.web.ID))
		if _, body := e.submit(t, hc, url.Values{"request": {id}, "username": {"off"}, "password": {"Off-Passw0rd!"}}); !strings.Contains(body, "User is disabled.") {
			t.Fatal("disabled user: want 'User is disabled.'")
		}
		if _, body := e.submit(t, hc, url.Values{"request": {id}, "username": {"ghost"}, "password": {"x"}}); !strings.Contains(body, "User does not exist.") {
			t.Fatal("unknown user: want 'User does not exist.'")
		}
	})
	t.Run("too many failures end the request", func(t *testing.T) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, authQuery(e.web.ID))
		var resp *http.Response
		for range 5 {
			resp, _ = e.submit(t, hc, url.Values{"request": {id}, "username": {"alice"}, "password": {"wrong"}})
		}
		if resp.StatusCode != 400 {
			t.Fatalf("5th failure: status %d; want 400", resp.StatusCode)
		}
		if resp, _ := e.submit(t, hc, url.Values{"request": {id}, "username": {"alice"}, "password": {"Alice-Passw0rd!"}}); resp.StatusCode != 400 {
			t.Fatalf("after lock-out: status %d; want 400 (request expired)", resp.StatusCode)
		}
	})
	t.Run("TOTP step", func(t *testing.T) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, authQuery(e.web.ID))
		_, body := e.submit(t, hc, url.Values{"request": {id}, "username": {"totp"}, "password": {"Totp-Passw0rd!"}})
		if !strings.Contains(body, `id="code"`) {
			t.Fatal("want the TOTP form")
		}
		if _, body := e.submit(t, hc, url.Values{"request": {id}, "code": {"000000"}}); !strings.Contains(body, "Invalid code") {
			t.Fatal("wrong code: want an error")
		}
		code, _ := cognitotest.TOTPCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", time.Now())
		resp, _ := e.submit(t, hc, url.Values{"request": {id}, "code": {code}})
		if loc, _ := resp.Location(); resp.StatusCode != 302 || loc.Query().Get("code") == "" {
			t.Fatalf("right code: status %d; want a redirect with a code", resp.StatusCode)
		}
	})
	t.Run("temporary password: new-password step", func(t *testing.T) {
		hc := noRedirectClient()
		id := e.authorize(t, hc, authQuery(e.web.ID))
		_, body := e.submit(t, hc, url.Values{"request": {id}, "username": {"newbie"}, "password": {"Temp-Passw0rd!"}})
		if !strings.Contains(body, `id="new_password"`) {
			t.Fatal("want the new-password form")
		}
		if _, body := e.submit(t, hc, url.Values{"request": {id}, "new_password": {"New-Passw0rd!"}, "confirm_password": {"Other-Passw0rd!"}}); !strings.Contains(body, "do not match") {
			t.Fatal("mismatched confirmation: want an error")
		}
		if _, body := e.submit(t, hc, url.Values{"request": {id}, "new_password": {"weak"}, "confirm_password": {"weak"}}); !strings.Contains(body, "Password did not conform with policy") {
			t.Fatal("weak password: want the policy error")
		}
		resp, _ := e.submit(t, hc, url.Values{"request": {id}, "new_password": {"New-Passw0rd!"}, "confirm_password": {"New-Passw0rd!"}})
		if loc, _ := resp.Location(); resp.StatusCode != 302 || loc.Query().Get("code") == "" {
			t.Fatalf("new password: status %d; want a redirect with a code", resp.StatusCode)
		}
		if u, _ := e.pool.User("newbie"); u.Status != cognitotest.StatusConfirmed {
			t.Fatalf("status %s; want CONFIRMED", u.Status)
		}
		if e.code(t, authQuery(e.web.ID), "newbie", "New-Passw0rd!") == "" {
			t.Fatal("sign-in with the new password failed")
		}
	})
	t.Run("expired page", func(t *testing.T) {
		resp, err := http.Get(e.srv.OAuthDomain() + "/login?request=nope")
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "expired") {
			t.Fatalf("status %d; want 400 expired", resp.StatusCode)
		}
	})
}

func TestOAuthTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	pkce := func() url.Values {
		return authQuery(e.pub.ID, "code_challenge", challenge, "code_challenge_method", "S256", "nonce", "n-1")
	}

	t.Run("public client, client_secret_post-less, then replay", func(t *testing.T) {
		code := e.code(t, pkce(), "alice", "Alice-Passw0rd!")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {e.pub.ID}, "redirect_uri": {oauthCallback}, "code_verifier": {verifier}}
		status, v := e.token(t, form, "", "")
		if status != 200 || v["id_token"] == nil || v["refresh_token"] == nil || v["token_type"] != "Bearer" || v["expires_in"] != float64(3600) {
			t.Fatalf("status %d, %v; want tokens", status, keys(v))
		}
		status, v = e.token(t, form, "", "")
		if status != 400 || v["error"] != "invalid_grant" {
			t.Fatalf("replay: %d %v; want 400 invalid_grant", status, v)
		}
	})
	t.Run("client_secret_post", func(t *testing.T) {
		code := e.code(t, authQuery(e.web.ID), "alice", "Alice-Passw0rd!")
		status, v := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {e.web.ID}, "client_secret": {e.web.Secret}, "redirect_uri": {oauthCallback}}, "", "")
		if status != 200 || v["access_token"] == nil {
			t.Fatalf("status %d, %v; want tokens", status, v)
		}
	})
	errs := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		code       string
	}{
		{"no grant_type", url.Values{"client_id": {e.pub.ID}}, "", "", 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {e.pub.ID}}, "", "", 400, "unsupported_grant_type"},
		{"no client", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "", "", 400, "invalid_request"},
		{"unknown client", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {oauthCallback}}, "nosuch", "x", 400, "invalid_client"},
		{"wrong secret", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {oauthCallback}}, e.web.ID, "wrong", 400, "invalid_client"},
		{"secret missing", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {e.web.ID}, "redirect_uri": {oauthCallback}}, "", "", 400, "invalid_client"},
		{"basic and post", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_secret": {e.web.Secret}}, e.web.ID, e.web.Secret, 400, "invalid_request"},
		{"no code", url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {oauthCallback}}, e.web.ID, e.web.Secret, 400, "invalid_request"},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {oauthCallback}}, e.web.ID, e.web.Secret, 400, "invalid_grant"},
		{"no refresh token", url.Values{"grant_type": {"refresh_token"}}, e.web.ID, e.web.Secret, 400, "invalid_request"},
		{"bad refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, e.web.ID, e.web.Secret, 400, "invalid_grant"},
		{"client_credentials, public client", url.Values{"grant_type": {"client_credentials"}, "client_id": {e.pub.ID}}, "", "", 400, "invalid_client"},
		{"client_credentials, not allowed", url.Values{"grant_type": {"client_credentials"}}, e.web.ID, e.web.Secret, 400, "unauthorized_client"},
		{"client_credentials, bad scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/write"}}, e.m2m.ID, e.m2m.Secret, 400, "invalid_scope"},
		{"code grant for an m2m client", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {oauthCallback}}, e.m2m.ID, e.m2m.Secret, 400, "unauthorized_client"},
		{"repeated parameter", url.Values{"grant_type": {"client_credentials", "client_credentials"}}, e.m2m.ID, e.m2m.Secret, 400, "invalid_request"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			status, v := e.token(t, tc.form, tc.user, tc.pass)
			if status != tc.status || v["error"] != tc.code {
				t.Fatalf("%d %v; want %d %s", status, v, tc.status, tc.code)
			}
		})
	}
	t.Run("PKCE: missing and wrong verifier", func(t *testing.T) {
		for _, ver := range []string{"", strings.Repeat("w", 50)} {
			code := e.code(t, pkce(), "alice", "Alice-Passw0rd!")
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {e.pub.ID}, "redirect_uri": {oauthCallback}}
			if ver != "" {
				form.Set("code_verifier", ver)
			}
			if status, v := e.token(t, form, "", ""); status != 400 || v["error"] != "invalid_grant" {
				t.Fatalf("verifier %q: %d %v; want invalid_grant", ver, status, v)
			}
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		resp, err := http.Post(e.srv.OAuthDomain()+"/oauth2/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "invalid_request") {
			t.Fatalf("status %d %s; want invalid_request", resp.StatusCode, body)
		}
	})
	t.Run("client_credentials", func(t *testing.T) {
		status, v := e.token(t, url.Values{"grant_type": {"client_credentials"}}, e.m2m.ID, e.m2m.Secret)
		if status != 200 || v["access_token"] == nil || v["id_token"] != nil || v["refresh_token"] != nil {
			t.Fatalf("%d %v; want an access token only", status, keys(v))
		}
	})
}

func TestOAuthUserInfoRevokeLogout(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	code := e.code(t, authQuery(e.web.ID), "alice", "Alice-Passw0rd!")
	_, tok := e.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oauthCallback}}, e.web.ID, e.web.Secret)
	at, _ := tok["access_token"].(string)
	rt, _ := tok["refresh_token"].(string)
	userInfo := func(auth string) (int, string, map[string]any) {
		req, _ := http.NewRequest("GET", e.srv.OAuthDomain()+"/oauth2/userInfo", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), v
	}
	if status, _, v := userInfo("Bearer " + at); status != 200 || v["email"] != "alice@example.com" || v["email_verified"] != "true" || v["username"] != "alice" {
		t.Fatalf("userInfo: %d %v; want alice's attributes with string booleans", status, v)
	}
	if status, hdr, _ := userInfo(""); status != 401 || !strings.HasPrefix(hdr, "Bearer") {
		t.Fatalf("no token: %d %q; want 401 with a Bearer challenge", status, hdr)
	}
	if status, hdr, _ := userInfo("Bearer " + at[:len(at)-3] + "AAA"); status != 401 || !strings.Contains(hdr, `error="invalid_token"`) {
		t.Fatalf("tampered token: %d %q; want 401 invalid_token", status, hdr)
	}
	m2m := e.pool.MustMintM2MToken(e.m2m.ID, []string{"orders/read"})
	if status, _, _ := userInfo("Bearer " + m2m); status != 401 {
		t.Fatalf("M2M token: %d; want 401", status)
	}

	revoke := func(form url.Values, user, pass string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", e.srv.OAuthDomain()+"/oauth2/revoke", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		return resp.StatusCode, v
	}
	if status, v := revoke(url.Values{}, e.web.ID, e.web.Secret); status != 400 || v["error"] != "invalid_request" {
		t.Fatalf("revoke without token: %d %v", status, v)
	}
	if status, v := revoke(url.Values{"token": {rt}}, e.web.ID, "wrong"); status != 400 || v["error"] != "invalid_client" {
		t.Fatalf("revoke with a wrong secret: %d %v", status, v)
	}
	if status, v := revoke(url.Values{"token": {at}}, e.web.ID, e.web.Secret); status != 400 || v["error"] != "unsupported_token_type" {
		t.Fatalf("revoke an access token: %d %v", status, v)
	}
	if status, _ := revoke(url.Values{"token": {rt}}, e.web.ID, e.web.Secret); status != 200 {
		t.Fatalf("revoke: %d; want 200", status)
	}
	if status, _, _ := userInfo("Bearer " + at); status != 401 {
		t.Fatalf("userInfo after revocation: %d; want 401", status)
	}
	if status, v := e.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, e.web.ID, e.web.Secret); status != 400 || v["error"] != "invalid_grant" {
		t.Fatalf("refresh after revocation: %d %v", status, v)
	}

	for _, tc := range []struct {
		q      string
		status int
		loc    string
	}{
		{"client_id=" + e.web.ID + "&logout_uri=" + url.QueryEscape("https://app.example.com/bye"), 302, "https://app.example.com/bye"},
		{"client_id=" + e.web.ID + "&logout_uri=" + url.QueryEscape("https://evil.com/"), 400, ""},
		{"client_id=nosuch&logout_uri=" + url.QueryEscape("https://app.example.com/bye"), 400, ""},
		{"client_id=" + e.web.ID, 400, ""},
		{"client_id=" + e.web.ID + "&response_type=code&redirect_uri=" + url.QueryEscape(oauthCallback), 302, "/oauth2/authorize?"},
	} {
		resp, err := noRedirectClient().Get(e.srv.OAuthDomain() + "/logout?" + tc.q)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Location"), tc.loc) {
			t.Errorf("logout?%s: %d %q; want %d %q", tc.q, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.loc)
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// FuzzOAuthToken posts arbitrary forms and credentials to the token
// endpoint: it must answer 200 or a JSON RFC 6749 error, never 500.
func FuzzOAuthToken(f *testing.F) {
	e := newOAuthEnv(f)
	f.Add("grant_type=client_credentials", e.m2m.ID, e.m2m.Secret)
	f.Add("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback", e.web.ID, e.web.Secret)
	f.Add("grant_type=refresh_token&refresh_token=a.b.c.d.e", e.web.ID, e.web.Secret)
	f.Add("grant_type=client_credentials&scope=orders%2Fread+orders%2Fread", e.m2m.ID, e.m2m.Secret)
	f.Add("grant_type=authorization_code&client_id="+e.pub.ID, "", "")
	f.Add("%zz&&=", "a:b", "%")
	known := map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true}
	f.Fuzz(func(t *testing.T, body, user, pass string) {
		req, _ := http.NewRequest(http.MethodPost, e.srv.OAuthDomain()+"/oauth2/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Skip() // invalid header bytes are refused by the client
		}
		var v map[string]any
		derr := json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		switch {
		case resp.StatusCode == 200:
			if derr != nil || v["access_token"] == nil {
				t.Fatalf("200 without an access token")
			}
		case resp.StatusCode == 400:
			if code, _ := v["error"].(string); !known[code] {
				t.Fatalf("400 with error %v; want an RFC 6749 code", v["error"])
			}
		default:
			t.Fatalf("status %d for body %q", resp.StatusCode, body)
		}
	})
}
