package cognitotest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// These tests send the requests a browser sends (a preflight OPTIONS with
// Origin and Access-Control-Request-*, the actual POST with Origin and
// Sec-Fetch-Site, a DNS-rebound Host) through the real HTTP server, and
// check both the answer and that nothing changed on the server.

const (
	evilOrigin = "http://evil.example"
	// a browser SDK's preflight for an unsigned call
	publicRequestHeaders = "amz-sdk-invocation-id,amz-sdk-request,content-type,x-amz-target,x-amz-user-agent"
	// a browser SDK's preflight for a SigV4-signed (admin) call
	signedRequestHeaders = "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent"
	fakeSigV4            = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260305/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000"
)

// rawCall sends one AWS JSON 1.1 request of the user pool API (or of the
// service named by target's prefix) with the given headers; "Host" sets the
// Host header.
func rawCall(t *testing.T, srv *cognitotest.Server, target string, body any, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(string(b)))
	if !strings.Contains(target, ".") {
		target = "AWSCognitoIdentityProviderService." + target
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// preflight sends the OPTIONS request a browser sends before a
// cross-origin POST with non-safelisted headers.
func preflight(t *testing.T, srv *cognitotest.Server, path, origin, method, headers string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL()+path, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	req.Header.Set("Sec-Fetch-Mode", "cors")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Sec-Fetch-Dest", "empty")
	resp, _ := do(t, req)
	return resp
}

func allowsHeader(resp *http.Response, name string) bool {
	for _, h := range strings.Split(resp.Header.Get("Access-Control-Allow-Headers"), ",") {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return true
		}
	}
	return false
}

// guardEnv is a server with a pool, a confidential client and a user.
type guardEnv struct {
	*env
	port string
}

func newGuardEnv(t *testing.T, opts ...cognitotest.Option) *guardEnv {
	t.Helper()
	e := newEnv(t, cognitotest.PoolConfig{}, opts...)
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: testPassword})
	u, _ := url.Parse(e.srv.URL())
	return &guardEnv{env: e, port: u.Port()}
}

// signsIn reports whether alice signs in with password (through the SDK,
// which sends no Origin).
func (g *guardEnv) signsIn(password string) bool {
	_, err := g.passwordLogin(g.public, "alice", password)
	return err == nil
}

func TestGuardHost(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t)
	describe := map[string]any{"UserPoolId": g.pool.ID(), "ClientId": g.secret.ID}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + g.port, true},
		{"127.0.0.1", true},
		{"127.1.2.3:" + g.port, true},
		{"localhost:" + g.port, true},
		{"LocalHost:" + g.port, true},
		{"localhost.:" + g.port, true},
		{"[::1]:" + g.port, true},
		{"evil.example", false},
		{"evil.example:" + g.port, false},
		{"localhost.evil.example:" + g.port, false},
		{"127.0.0.1.nip.io:" + g.port, false},
		{"sub.localhost:" + g.port, false},
		{"[::2]:" + g.port, false},
		{"10.0.0.1:" + g.port, false},
		{"0.0.0.0:" + g.port, false},
	} {
		t.Run(tc.host, func(t *testing.T) {
			resp, body := rawCall(t, g.srv, "DescribeUserPoolClient", describe, map[string]string{"Host": tc.host, "Authorization": fakeSigV4})
			if tc.ok {
				if resp.StatusCode != 200 || !strings.Contains(body, g.secret.Secret) {
					t.Fatalf("Host %s: status %d; want 200 with the client", tc.host, resp.StatusCode)
				}
				return
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("Host %s: status %d; want 403", tc.host, resp.StatusCode)
			}
			if strings.Contains(body, g.secret.Secret) {
				t.Errorf("Host %s: the client secret leaked", tc.host)
			}
			if !strings.Contains(body, "--allow-host") || !strings.Contains(body, "WithAllowedHosts") {
				t.Errorf("Host %s: body %q does not say how to allow the host", tc.host, body)
			}
			if got := resp.Header.Get("X-Amzn-Errortype"); got != "HostNotAllowedException" {
				t.Errorf("Host %s: X-Amzn-Errortype %q; want HostNotAllowedException", tc.host, got)
			}
		})
	}

	// DNS rebinding on every kind of endpoint, state-changing ones included.
	evil := "evil.example:" + g.port
	setPw := map[string]any{"UserPoolId": g.pool.ID(), "Username": "alice", "Password": "Rebound-Passw0rd!", "Permanent": true}
	resp, _ := rawCall(t, g.srv, "AdminSetUserPassword", setPw, map[string]string{"Host": evil, "Authorization": fakeSigV4})
	if resp.StatusCode != http.StatusForbidden || g.signsIn("Rebound-Passw0rd!") || !g.signsIn(testPassword) {
		t.Errorf("AdminSetUserPassword through a rebound Host: status %d, and the password changed", resp.StatusCode)
	}
	for _, path := range []string{"/" + g.pool.ID() + "/.well-known/jwks.json", "/" + g.pool.ID() + "/.well-known/openid-configuration", "/oauth2/authorize?client_id=" + g.public.ID} {
		req, _ := http.NewRequest(http.MethodGet, g.srv.URL()+path, nil)
		req.Host = evil
		if resp, _ := do(t, req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s with Host %s: status %d; want 403", path, evil, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, g.srv.URL()+"/", nil)
	req.Host = evil
	req.Header.Set("Origin", "http://"+evil)
	req.Header.Set("Access-Control-Request-Method", "POST")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight with Host %s: status %d, ACAO %q; want 403 without CORS", evil, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestGuardPreflight(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t)
	// An unsigned call (InitiateAuth, SignUp, ...) from any origin: allowed,
	// as in Cognito.
	resp := preflight(t, g.srv, "/", evilOrigin, "POST", publicRequestHeaders)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("public preflight: status %d, ACAO %q; want 204, *", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if !allowsHeader(resp, "x-amz-target") || allowsHeader(resp, "authorization") || allowsHeader(resp, "x-amz-security-token") {
		t.Errorf("public preflight allows headers %q; want x-amz-target but not authorization or x-amz-security-token", resp.Header.Get("Access-Control-Allow-Headers"))
	}
	// A signed call from a foreign origin: refused.
	for _, origin := range []string{evilOrigin, "null", "http://localhost:3000", "http://127.0.0.1:" + g.port + "0"} {
		resp = preflight(t, g.srv, "/", origin, "POST", signedRequestHeaders)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" || allowsHeader(resp, "authorization") {
			t.Errorf("signed preflight from %s: status %d, ACAO %q, ACAH %q; want 403 without CORS headers", origin,
				resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Headers"))
		}
	}
	// The sign-in form takes no cross-origin requests at all.
	resp = preflight(t, g.srv, "/login", evilOrigin, "POST", "content-type")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight for /login: ACAO %q; want none", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// The OAuth token, userInfo and revoke endpoints and the key set are
	// public, as in Cognito (single-page apps redeem codes with PKCE).
	for _, p := range []struct{ path, method, headers string }{
		{"/oauth2/token", "POST", "content-type"},
		{"/oauth2/token", "POST", "authorization,content-type"},
		{"/oauth2/userInfo", "GET", "authorization"},
		{"/oauth2/revoke", "POST", "content-type"},
		{"/" + g.pool.ID() + "/.well-known/jwks.json", "GET", "cache-control"},
	} {
		resp = preflight(t, g.srv, p.path, evilOrigin, p.method, p.headers)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("preflight %s %s: status %d, ACAO %q; want 204, *", p.method, p.path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		for _, h := range strings.Split(p.headers, ",") {
			if !allowsHeader(resp, h) {
				t.Errorf("preflight %s %s: header %s not allowed (%q)", p.method, p.path, h, resp.Header.Get("Access-Control-Allow-Headers"))
			}
		}
	}
}

func TestGuardCrossOriginAdmin(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t)
	describe := map[string]any{"UserPoolId": g.pool.ID(), "ClientId": g.secret.ID}
	// Every browser signal of a foreign page: Origin, Origin null (sandboxed
	// frames, file: pages), Sec-Fetch-Site without Origin, and a same-site
	// page on another port.
	for _, tc := range []struct {
		name string
		hdr  map[string]string
	}{
		{"Origin", map[string]string{"Origin": evilOrigin}},
		{"Origin and Sec-Fetch-Site", map[string]string{"Origin": evilOrigin, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}},
		{"Origin null", map[string]string{"Origin": "null"}},
		{"Sec-Fetch-Site cross-site, no Origin", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site page on another port", map[string]string{"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}},
		{"localhost page", map[string]string{"Origin": "http://localhost:3000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, auth := range []string{fakeSigV4, ""} {
				hdr := map[string]string{"Authorization": auth}
				for k, v := range tc.hdr {
					hdr[k] = v
				}
				resp, body := rawCall(t, g.srv, "DescribeUserPoolClient", describe, hdr)
				if resp.StatusCode != http.StatusForbidden || strings.Contains(body, g.secret.Secret) {
					t.Errorf("DescribeUserPoolClient (Authorization %t): status %d; want 403 without the secret", auth != "", resp.StatusCode)
				}
				if resp.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("DescribeUserPoolClient: ACAO %q; want none", resp.Header.Get("Access-Control-Allow-Origin"))
				}
				if !strings.Contains(body, "--cors-origin") {
					t.Errorf("DescribeUserPoolClient: body %q does not say how to allow an origin", body)
				}
				pw := "Stolen-Passw0rd-" + auth[:min(len(auth), 4)]
				resp, _ = rawCall(t, g.srv, "AdminSetUserPassword", map[string]any{"UserPoolId": g.pool.ID(), "Username": "alice", "Password": pw, "Permanent": true}, hdr)
				// Signing in with pw here would count towards alice's
				// lockout; the check after the loop that her own password
				// still works shows that none of these calls changed it.
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("AdminSetUserPassword: status %d; want 403", resp.StatusCode)
				}
				resp, body = rawCall(t, g.srv, "ListUserPoolClients", map[string]any{"UserPoolId": g.pool.ID(), "MaxResults": 10}, hdr)
				if resp.StatusCode != http.StatusForbidden || strings.Contains(body, g.secret.ID) {
					t.Errorf("ListUserPoolClients: status %d; want 403", resp.StatusCode)
				}
				resp, _ = rawCall(t, g.srv, "AWSCognitoIdentityService.CreateIdentityPool", map[string]any{"IdentityPoolName": "x", "AllowUnauthenticatedIdentities": true}, hdr)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("CreateIdentityPool: status %d; want 403", resp.StatusCode)
				}
			}
		})
	}
	if !g.signsIn(testPassword) {
		t.Fatal("alice's password changed")
	}
	if _, body := rawCall(t, g.srv, "AWSCognitoIdentityService.ListIdentityPools", map[string]any{"MaxResults": 10}, map[string]string{"Authorization": fakeSigV4}); !strings.Contains(body, `"IdentityPools":[]`) {
		t.Fatalf("identity pools created from a foreign origin: %s", body)
	}

	// The same calls from a non-browser client (no Origin, no
	// Sec-Fetch-Site) and from a page of the emulator's own origin work.
	for _, hdr := range []map[string]string{
		{"Authorization": fakeSigV4},
		{"Authorization": fakeSigV4, "Origin": g.srv.URL(), "Sec-Fetch-Site": "same-origin"},
		{"Authorization": fakeSigV4, "Origin": g.srv.URL()},
		{"Authorization": fakeSigV4, "Sec-Fetch-Site": "same-origin"},
	} {
		resp, body := rawCall(t, g.srv, "DescribeUserPoolClient", describe, hdr)
		if resp.StatusCode != 200 || !strings.Contains(body, g.secret.Secret) {
			t.Errorf("DescribeUserPoolClient with %v: status %d; want 200", hdr, resp.StatusCode)
		}
	}
}

func TestGuardCrossOriginPublic(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t)
	hdr := map[string]string{"Origin": evilOrigin, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}
	resp, body := rawCall(t, g.srv, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": g.public.ID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, hdr)
	if resp.StatusCode != 200 || !strings.Contains(body, "AccessToken") {
		t.Fatalf("InitiateAuth from a foreign origin: status %d; want 200, as in Cognito", resp.StatusCode)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "x-amzn-requestid") {
		t.Errorf("InitiateAuth: ACAO %q, expose %q", resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Expose-Headers"))
	}
	var out struct{ AuthenticationResult struct{ AccessToken string } }
	json.Unmarshal([]byte(body), &out)
	resp, body = rawCall(t, g.srv, "GetUser", map[string]any{"AccessToken": out.AuthenticationResult.AccessToken}, hdr)
	if resp.StatusCode != 200 || !strings.Contains(body, "alice") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GetUser from a foreign origin: status %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// Cognito Identity: the unauthenticated calls of Amplify's
	// fetchAuthSession are readable by web pages too.
	ip, err := g.srv.CreateIdentityPool(cognitotest.IdentityPoolConfig{AllowUnauthenticated: true})
	noErr(t, err)
	resp, body = rawCall(t, g.srv, "AWSCognitoIdentityService.GetId", map[string]any{"IdentityPoolId": ip.ID}, hdr)
	if resp.StatusCode != 200 || !strings.Contains(body, "IdentityId") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GetId from a foreign origin: status %d, ACAO %q, body %.200s", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), body)
	}
}

// TestGuardSimpleRequests: requests a page can send without a preflight
// (text/plain or form bodies, no custom headers) change nothing.
func TestGuardSimpleRequests(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t)
	setPw, _ := json.Marshal(map[string]any{"UserPoolId": g.pool.ID(), "Username": "alice", "Password": "Simple-Passw0rd!", "Permanent": true})
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		for _, path := range []string{"/", "/?Action=AdminSetUserPassword"} {
			req, _ := http.NewRequest(http.MethodPost, g.srv.URL()+path, strings.NewReader(string(setPw)))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Origin", evilOrigin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Sec-Fetch-Mode", "no-cors")
			resp, _ := do(t, req)
			if resp.StatusCode == 200 {
				t.Errorf("simple POST %s (%s): status 200", path, ct)
			}
		}
	}
	if g.signsIn("Simple-Passw0rd!") || !g.signsIn(testPassword) {
		t.Fatal("a simple cross-origin POST changed alice's password")
	}
}

// TestGuardLoginFormCSRF: a foreign page cannot post the managed-login
// form (login CSRF: signing the victim's browser in as the attacker).
func TestGuardLoginFormCSRF(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		ok   bool
	}{
		{"cross-site", map[string]string{"Origin": evilOrigin, "Sec-Fetch-Site": "cross-site"}, false},
		{"cross-site, no Origin", map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		{"Origin only", map[string]string{"Origin": evilOrigin}, false},
		{"same-origin", map[string]string{"Origin": e.srv.URL(), "Sec-Fetch-Site": "same-origin"}, true},
		{"no browser headers", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := noRedirectClient()
			id := e.authorize(t, hc, authQuery(e.pub.ID))
			form := url.Values{"request": {id}, "username": {"alice"}, "password": {"Alice-Passw0rd!"}}
			req, _ := http.NewRequest(http.MethodPost, e.srv.OAuthDomain()+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			resp, err := hc.Do(req)
			noErr(t, err)
			readAll(t, resp)
			signedIn := resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), oauthCallback)
			if signedIn != tc.ok {
				t.Errorf("POST /login: status %d, Location %q; signed in %t, want %t", resp.StatusCode, resp.Header.Get("Location"), signedIn, tc.ok)
			}
			if !tc.ok && resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST /login: status %d; want 403", resp.StatusCode)
			}
		})
	}
	// Navigations from other sites to the authorization endpoint are how
	// OAuth works: they stay allowed.
	req, _ := http.NewRequest(http.MethodGet, e.srv.OAuthDomain()+"/oauth2/authorize?"+authQuery(e.pub.ID).Encode(), nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusFound {
		t.Errorf("cross-site navigation to /oauth2/authorize: status %d; want 302", resp.StatusCode)
	}
}

// TestGuardTokenEndpointCORS: a single-page app redeems its code with PKCE
// from the browser, as Cognito allows.
func TestGuardTokenEndpointCORS(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t)
	verifier := strings.Repeat("v", 50)
	q := authQuery(e.pub.ID, "code_challenge", pkceS256(verifier), "code_challenge_method", "S256")
	code := e.code(t, q, "alice", "Alice-Passw0rd!")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.pub.ID}, "code": {code}, "redirect_uri": {oauthCallback}, "code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, e.srv.OAuthDomain()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, body := do(t, req)
	if resp.StatusCode != 200 || !strings.Contains(body, "access_token") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("token endpoint from a web page: status %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(body), &tok)
	req, _ = http.NewRequest(http.MethodGet, e.srv.OAuthDomain()+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Origin", "https://app.example.com")
	resp, body = do(t, req)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("userInfo from a web page: status %d, ACAO %q, %.100s", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), body)
	}
}

func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestGuardAllowedHosts(t *testing.T) {
	t.Parallel()
	g := newGuardEnv(t, cognitotest.WithAllowedHosts("cognito", "192.168.1.20"))
	describe := map[string]any{"UserPoolId": g.pool.ID(), "ClientId": g.secret.ID}
	for host, want := range map[string]int{
		"cognito:9229":           200,
		"COGNITO":                200,
		"192.168.1.20:" + g.port: 200,
		"localhost:" + g.port:    200,
		"cognito.evil.example":   http.StatusForbidden,
		"192.168.1.21":           http.StatusForbidden,
	} {
		resp, _ := rawCall(t, g.srv, "DescribeUserPoolClient", describe, map[string]string{"Host": host, "Authorization": fakeSigV4})
		if resp.StatusCode != want {
			t.Errorf("Host %s: status %d; want %d", host, resp.StatusCode, want)
		}
	}
}

func TestGuardTrustedOrigin(t *testing.T) {
	t.Parallel()
	const app = "http://localhost:5173"
	g := newGuardEnv(t, cognitotest.WithCORSOrigins(app+"/", "https://admin.example.com"))
	resp := preflight(t, g.srv, "/", app, "POST", signedRequestHeaders)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != app || !allowsHeader(resp, "authorization") || !allowsHeader(resp, "x-amz-security-token") {
		t.Errorf("trusted signed preflight: status %d, ACAO %q, ACAH %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Headers"))
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
		t.Errorf("trusted preflight: Vary %q; want Origin", resp.Header.Get("Vary"))
	}
	// Chrome's Private Network Access: a trusted page on a public address.
	req, _ := http.NewRequest(http.MethodOptions, g.srv.URL()+"/", nil)
	for k, v := range map[string]string{"Origin": "https://admin.example.com", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization,content-type,x-amz-target", "Access-Control-Request-Private-Network": "true"} {
		req.Header.Set(k, v)
	}
	if resp, _ := do(t, req); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("private-network preflight from a trusted origin: status %d, %v", resp.StatusCode, resp.Header)
	}
	req.Header.Set("Origin", evilOrigin)
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target")
	if resp, _ := do(t, req); resp.Header.Get("Access-Control-Allow-Private-Network") != "" {
		t.Errorf("private-network preflight from a foreign origin: granted")
	}

	describe := map[string]any{"UserPoolId": g.pool.ID(), "ClientId": g.secret.ID}
	hdr := map[string]string{"Origin": app, "Sec-Fetch-Site": "same-site", "Authorization": fakeSigV4}
	resp, body := rawCall(t, g.srv, "DescribeUserPoolClient", describe, hdr)
	if resp.StatusCode != 200 || !strings.Contains(body, g.secret.Secret) || resp.Header.Get("Access-Control-Allow-Origin") != app {
		t.Errorf("DescribeUserPoolClient from a trusted origin: status %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// Trust is not a credential: admin operations still need one.
	delete(hdr, "Authorization")
	if resp, _ := rawCall(t, g.srv, "DescribeUserPoolClient", describe, hdr); resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("DescribeUserPoolClient from a trusted origin without Authorization: status %d, %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	// Another port of the same host is another origin.
	hdr = map[string]string{"Origin": "http://localhost:5174", "Sec-Fetch-Site": "same-site", "Authorization": fakeSigV4}
	if resp, _ := rawCall(t, g.srv, "DescribeUserPoolClient", describe, hdr); resp.StatusCode != http.StatusForbidden {
		t.Errorf("DescribeUserPoolClient from http://localhost:5174: status %d; want 403", resp.StatusCode)
	}
}

func TestGuardOptionErrors(t *testing.T) {
	t.Parallel()
	for _, opt := range []cognitotest.Option{
		cognitotest.WithAllowedHosts("http://cognito"),
		cognitotest.WithAllowedHosts("cognito:9229"),
		cognitotest.WithAllowedHosts(""),
		cognitotest.WithAllowedHosts("cognito/"),
		cognitotest.WithCORSOrigins("*"),
		cognitotest.WithCORSOrigins("null"),
		cognitotest.WithCORSOrigins("localhost:3000"),
		cognitotest.WithCORSOrigins("http://localhost:3000/app"),
		cognitotest.WithCORSOrigins("ftp://localhost"),
	} {
		srv, err := cognitotest.Start(nil, opt)
		if err == nil {
			srv.Close()
			t.Errorf("Start accepted a bad allow-list")
			continue
		}
		if !errors.Is(err, cognitotest.ErrInvalidConfig) {
			t.Errorf("Start: %v; want ErrInvalidConfig", err)
		}
	}
}
