package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/middleware"
	"github.com/cognitokit/cognitokit/oauth"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/verifier"
)

const alicePass = "Alice-Passw0rd!"

// shiftClock is real time plus an offset the test moves forward, shared
// by the emulator and every replica.
type shiftClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *shiftClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *shiftClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.off += d }

// fleet is one Cognito emulator, one Redis, and replicas of one web app.
type fleet struct {
	t     *testing.T
	clk   *shiftClock
	srv   *cognitotest.Server
	pool  *cognitotest.Pool
	ac    cognitotest.AppClient
	redis *redistest.Server
	keys  [][]byte
}

// replica is one instance of the app: weblogin with the Redis session
// store, and an API (/api) verifying bearer tokens with a revocation list
// shared through Redis.
type replica struct {
	ts    *httptest.Server
	h     *weblogin.Handler
	store *redisstore.SessionStore
	list  *syncedList
}

func newFleet(t *testing.T, n int) (*fleet, []*replica) {
	t.Helper()
	f := &fleet{t: t, redis: redistest.Start(t), clk: &shiftClock{}}
	f.srv = cognitotest.NewServer(t, cognitotest.WithClock(f.clk.Now), cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	f.pool = f.srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Replicas", Name: "replicas"})
	k, _ := weblogin.NewKey()
	f.keys = [][]byte{k}
	// The servers exist before the app client, which must list their
	// callback URLs; their handler is set once built.
	handlers := make([]http.Handler, n)
	servers := make([]*httptest.Server, n)
	var callbacks []string
	for i := range servers {
		servers[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handlers[i].ServeHTTP(w, r) }))
		t.Cleanup(servers[i].Close)
		callbacks = append(callbacks, servers[i].URL+"/auth/callback")
	}
	f.ac = f.pool.MustCreateClient(cognitotest.ClientConfig{
		Name: "web", GenerateSecret: true, CallbackURLs: callbacks,
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
	})
	f.pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass, Email: "alice@example.com"})
	reps := make([]*replica, n)
	for i := range reps {
		reps[i] = f.replica(servers[i])
		handlers[i] = reps[i].mux()
	}
	return f, reps
}

func (f *fleet) replica(ts *httptest.Server) *replica {
	t := f.t
	// One dial per command, without go-redis's retries (five dials 100 ms
	// apart): with Redis stopped, a request fails at once.
	rc := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{f.redis.Addr}, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { rc.Close() })
	store, err := redisstore.NewSessionStore(redisstore.SessionStoreConfig{Client: rc, Insecure: true, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	sync, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: rc})
	if err != nil {
		t.Fatal(err)
	}
	list := newSyncedList(t, sync)
	client, err := oauth.New(oauth.Config{
		Domain: f.srv.OAuthDomain(), ClientID: f.ac.ID, ClientSecret: f.ac.Secret, RedirectURL: ts.URL + "/auth/callback",
		UserPoolID: f.pool.ID(), Issuer: f.pool.Issuer(), JWKSURL: f.pool.JWKSURL(), Now: f.clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	h, err := weblogin.New(weblogin.Config{Client: client, Keys: f.keys, Store: store, InsecureCookies: true, Revocation: list.List, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &replica{ts: ts, h: h, store: store, list: list}
}

func (r *replica) mux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/auth/", r.h)
	mux.Handle("/me", r.h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s, _ := weblogin.SessionFromContext(req.Context())
		json.NewEncoder(w).Encode(map[string]string{"user": s.Username, "access_token": s.AccessToken, "sub": s.Subject})
	})))
	return mux
}

// api returns an API server of the replica's verifier: it is where the
// session's access token is used as a bearer token.
func (f *fleet) api(r *replica) *httptest.Server {
	v, err := verifier.New(verifier.Config{
		Pools:      []verifier.Pool{{UserPoolID: f.pool.ID(), ClientIDs: []string{f.ac.ID}, TokenUse: verifier.TokenUseAccess, Issuer: f.pool.Issuer()}},
		Revocation: r.list.List, Now: f.clk.Now,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { v.Close() })
	mw, err := middleware.New(v, middleware.Config{})
	if err != nil {
		f.t.Fatal(err)
	}
	ts := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })))
	f.t.Cleanup(ts.Close)
	return ts
}

// browser keeps cookies, as a browser does; cookies of 127.0.0.1 are sent
// to every port, so it presents one replica's session to the other, as a
// load balancer in front of both would make it do.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (b *browser) do(method, u string, form url.Values, accept string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Accept", accept)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", strings.TrimSuffix(u, req.URL.RequestURI()))
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// signIn goes through the real managed login of the emulator: /me on the
// replica redirects to sign-in, the emulator's form is posted with the
// password, and the callback lands back on /me.
func (b *browser) signIn(r *replica, srv *cognitotest.Server) map[string]string {
	b.t.Helper()
	resp, body := b.do("GET", r.ts.URL+"/me", nil, "text/html")
	// Without the emulator's managed-login session the sign-in form
	// shows; with it (single sign-on) the browser is back at /me.
	if m := requestRE.FindStringSubmatch(body); m != nil {
		resp, body = b.do("POST", srv.OAuthDomain()+"/login", url.Values{"request": {m[1]}, "username": {"alice"}, "password": {alicePass}}, "text/html")
	}
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/me" {
		b.t.Fatalf("after sign-in: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, body)
	}
	var me map[string]string
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		b.t.Fatalf("/me: %v: %.200s", err, body)
	}
	return me
}

// me asks /me as an API client (401 rather than a redirect when signed out).
func (b *browser) me(r *replica) int {
	resp, _ := b.do("GET", r.ts.URL+"/me", nil, "application/json")
	return resp.StatusCode
}

func bearer(t *testing.T, api *httptest.Server, token string) int {
	req, _ := http.NewRequest("GET", api.URL, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTwoReplicasOneRedis: sign in on one replica, use the session on the
// other, sign out everywhere there, and both refuse: the sessions and
// (through the shared revocation list) the access token as a bearer
// token.
func TestTwoReplicasOneRedis(t *testing.T) {
	f, reps := newFleet(t, 2)
	a, b := reps[0], reps[1]
	apiA, apiB := f.api(a), f.api(b)
	laptop, phone := newBrowser(t), newBrowser(t)
	me := laptop.signIn(a, f.srv)
	if me["user"] != "alice" {
		t.Fatalf("/me on replica A = %v", me)
	}
	phone.signIn(b, f.srv) // a second session of alice, from another device
	for i, r := range reps {
		if got := laptop.me(r); got != 200 {
			t.Fatalf("laptop on replica %d: status %d; want 200 (one session, shared through Redis)", i, got)
		}
	}
	if got := bearer(t, apiA, me["access_token"]); got != 200 {
		t.Fatalf("API A with the session's access token: %d; want 200", got)
	}
	if got := bearer(t, apiB, me["access_token"]); got != 200 {
		t.Fatalf("API B with the session's access token: %d; want 200", got)
	}
	sessions, err := a.store.Sessions(context.Background(), me["sub"])
	if err != nil || len(sessions) != 2 {
		t.Fatalf("Sessions = %v, %v; want 2 (laptop and phone)", sessions, err)
	}
	// Sign out everywhere, from the laptop, on replica B.
	resp, _ := laptop.do("POST", b.ts.URL+"/auth/logout", url.Values{"everywhere": {"1"}}, "text/html")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		// Redirected to "/", which this app does not serve (404) in
		// the mux above: accept either, but not an error page.
		if resp.StatusCode != 404 {
			t.Fatalf("sign out everywhere: %d at %s", resp.StatusCode, resp.Request.URL)
		}
	}
	for i, r := range reps {
		if got := laptop.me(r); got != 401 {
			t.Fatalf("laptop on replica %d after sign out everywhere: %d; want 401", i, got)
		}
		if got := phone.me(r); got != 401 {
			t.Fatalf("phone on replica %d after sign out everywhere: %d; want 401", i, got)
		}
	}
	// Replica A learns of the revocation from Redis: ask A's API again
	// each time A's list has applied entries from Redis.
	start := time.Now()
	timeout := time.NewTimer(time.Second)
	defer timeout.Stop()
	for bearer(t, apiA, me["access_token"]) != 401 {
		select {
		case <-a.list.applied:
		case <-timeout.C:
			t.Fatal("API A still accepts the access token a second after sign out everywhere on replica B")
		}
	}
	t.Logf("API A refused the token %v after the sign-out on replica B", time.Since(start))
	if got := bearer(t, apiB, me["access_token"]); got != 401 {
		t.Fatalf("API B after sign out everywhere: %d; want 401", got)
	}
	if sessions, _ := a.store.Sessions(context.Background(), me["sub"]); len(sessions) != 0 {
		t.Fatalf("Sessions after sign out everywhere = %v; want none", sessions)
	}
	// Signing in again at once (single sign-on makes it silent) lands on
	// a page asking to wait, not in a redirect loop.
	if resp, body := laptop.do("GET", a.ts.URL+"/me", nil, "text/html"); resp.StatusCode != http.StatusConflict {
		t.Fatalf("signing in again within the margin: %d; want 409: %.200s", resp.StatusCode, body)
	}
	// Signing in again works, once the few seconds during which new
	// tokens are refused too (weblogin's sign-out margin) have passed.
	f.clk.Add(10 * time.Second)
	laptop.signIn(a, f.srv)
	if got := laptop.me(b); got != 200 {
		t.Fatalf("after signing in again, replica B: %d; want 200", got)
	}
}

// TestRedisDownIs503: with Redis down, a signed-in browser gets 503 (never
// 401, and its cookie is kept); when Redis is back, the same session works.
func TestRedisDownIs503(t *testing.T) {
	f, reps := newFleet(t, 1)
	a := reps[0]
	br := newBrowser(t)
	br.signIn(a, f.srv)
	u, _ := url.Parse(a.ts.URL)
	cookieBefore := br.hc.Jar.Cookies(u)
	data := dumpKeys(t, f.redis)
	f.redis.Stop()
	if got := br.me(a); got != 503 {
		t.Fatalf("/me with Redis down: %d; want 503", got)
	}
	resp, _ := br.do("GET", a.ts.URL+"/me", nil, "text/html")
	if resp.StatusCode != 503 {
		t.Fatalf("/me (browser) with Redis down: %d; want 503", resp.StatusCode)
	}
	resp, _ = br.do("POST", a.ts.URL+"/auth/logout", url.Values{}, "text/html")
	if resp.StatusCode != 503 {
		t.Fatalf("sign-out with Redis down: %d; want 503 (the sign-out did not happen; retry)", resp.StatusCode)
	}
	if after := br.hc.Jar.Cookies(u); len(after) != len(cookieBefore) || after[0].Value != cookieBefore[0].Value {
		t.Fatalf("the session cookie changed while Redis was down: %v -> %v", cookieBefore, after)
	}
	// Redis comes back (this test's server has no persistence: restore
	// what it held, as a persistent Redis would after a restart).
	f.redis.Restart()
	restoreKeys(t, f.redis, data)
	if got := br.me(a); got != 200 {
		t.Fatalf("/me after Redis came back: %d; want 200 (the session was kept)", got)
	}
}

func dumpKeys(t *testing.T, s *redistest.Server) map[string]string {
	c := s.Client()
	ctx := context.Background()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		out[k], _ = c.Dump(ctx, k).Result()
	}
	return out
}

func restoreKeys(t *testing.T, s *redistest.Server, data map[string]string) {
	c := s.Client()
	for k, v := range data {
		if err := c.RestoreReplace(context.Background(), k, 0, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

var _ = errors.Is
