package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/oauth/weblogin"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

func newStore(t *testing.T, client redis.UniversalClient, mod func(*redisstore.SessionStoreConfig)) *redisstore.SessionStore {
	t.Helper()
	cfg := redisstore.SessionStoreConfig{Client: client}
	if mod != nil {
		mod(&cfg)
	}
	st, err := redisstore.NewSessionStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func testSession(sub string) *weblogin.Session {
	return &weblogin.Session{Subject: sub, Username: sub, AccessToken: "access-token-of-" + sub, RefreshToken: "refresh-token-of-" + sub,
		Expiry: time.Now().Add(time.Hour), CreatedAt: time.Now(), Groups: []string{"staff"}}
}

// save saves s as a new session and returns the cookie the browser got.
func save(t *testing.T, st *redisstore.SessionStore, s *weblogin.Session) *http.Cookie {
	t.Helper()
	w := httptest.NewRecorder()
	if err := st.Save(w, httptest.NewRequest("GET", "/", nil), s); err != nil {
		t.Fatalf("Save: %v", err)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("Save set %d cookies; want 1", len(cs))
	}
	return cs[0]
}

func load(st *redisstore.SessionStore, c *http.Cookie) (*weblogin.Session, error) {
	r := httptest.NewRequest("GET", "/", nil)
	if c != nil {
		r.AddCookie(c)
	}
	return st.Load(r)
}

func TestSessionStoreRoundTrip(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rc := srv.Client()
	st := newStore(t, rc, nil)
	s := testSession("alice")
	c := save(t, st, s)
	if c.Name != "__Host-cognito_session" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("cookie attributes: %+v", c)
	}
	if len(c.Value) != 43 || strings.Contains(c.Value, "alice") || c.Value != s.ID {
		t.Fatalf("cookie value %q: want the 43-character opaque ID, also in Session.ID", c.Value)
	}
	got, err := load(st, c)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Subject != "alice" || got.AccessToken != s.AccessToken || got.RefreshToken != s.RefreshToken || got.ID != c.Value || got.Groups[0] != "staff" {
		t.Fatalf("Load = %+v", got)
	}
	// Redis holds the tokens under the ID's hash, never the ID itself.
	keys, _ := rc.Keys(context.Background(), "*").Result()
	for _, k := range keys {
		if strings.Contains(k, c.Value) {
			t.Fatalf("key %q contains the session ID", k)
		}
		if v, err := rc.Get(context.Background(), k).Result(); err == nil && strings.Contains(v, c.Value) {
			t.Fatalf("value of %q contains the session ID", k)
		}
	}
	// A refresh saves over the same ID without a new cookie value.
	got.AccessToken = "refreshed"
	w := httptest.NewRecorder()
	if err := st.Save(w, httptest.NewRequest("GET", "/", nil), got); err != nil {
		t.Fatal(err)
	}
	if again, _ := load(st, c); again == nil || again.AccessToken != "refreshed" {
		t.Fatalf("after the refresh: %+v", again)
	}
	// Delete ends it.
	w = httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", nil)
	r.AddCookie(c)
	if err := st.Delete(w, r); err != nil {
		t.Fatal(err)
	}
	if _, err := load(st, c); !errors.Is(err, weblogin.ErrInvalidCookie) {
		t.Fatalf("after Delete: got %v; want ErrInvalidCookie", err)
	}
	// A refresh of a deleted session does not bring it back.
	if err := st.Save(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), got); !errors.Is(err, weblogin.ErrSessionEnded) {
		t.Fatalf("Save of an ended session: got %v; want ErrSessionEnded", err)
	}
}

func TestSessionStoreBadCookies(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	st := newStore(t, srv.Client(), nil)
	if _, err := load(st, nil); !errors.Is(err, weblogin.ErrNoSession) {
		t.Fatalf("no cookie: got %v; want ErrNoSession", err)
	}
	for _, v := range []string{"short", strings.Repeat("a", 42) + "!", strings.Repeat("a", 44), strings.Repeat("A", 43)} {
		_, err := load(st, &http.Cookie{Name: st.Name(), Value: v})
		if !errors.Is(err, weblogin.ErrInvalidCookie) {
			t.Errorf("cookie %q: got %v; want ErrInvalidCookie", v, err)
		}
	}
}

func TestSessionStoreExpiry(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rc := srv.Client()
	ctx := context.Background()
	// Absolute: Load refuses a session older than MaxAge.
	now := time.Now()
	clk := func() time.Time { return now }
	st := newStore(t, rc, func(c *redisstore.SessionStoreConfig) { c.MaxAge = time.Hour; c.Now = clk })
	alice := testSession("alice")
	alice.CreatedAt = now // signed in at the store's clock (testSession's is a moment later)
	c := save(t, st, alice)
	if c.MaxAge < 3590 || c.MaxAge > 3600 {
		t.Fatalf("cookie Max-Age %d; want about 3600", c.MaxAge)
	}
	now = now.Add(time.Hour)
	if _, err := load(st, c); !errors.Is(err, weblogin.ErrExpired) {
		t.Fatalf("past MaxAge: got %v; want ErrExpired", err)
	}
	// Sliding: the key's TTL is IdleTimeout, and a request pushes it back.
	sl := newStore(t, rc, func(c *redisstore.SessionStoreConfig) { c.IdleTimeout = 10 * time.Minute })
	c = save(t, sl, testSession("bob"))
	keys, _ := rc.Keys(ctx, "cognitokit:session:*").Result()
	var key string
	for _, k := range keys {
		if v, _ := rc.Get(ctx, k).Result(); strings.Contains(v, "bob") {
			key = k
		}
	}
	ttl := rc.PTTL(ctx, key).Val()
	if ttl < 9*time.Minute || ttl > 10*time.Minute {
		t.Fatalf("TTL after Save = %v; want about 10 min (IdleTimeout)", ttl)
	}
	rc.PExpire(ctx, key, 5*time.Minute) // five idle minutes later
	if _, err := load(sl, c); err != nil {
		t.Fatal(err)
	}
	if ttl := rc.PTTL(ctx, key).Val(); ttl < 9*time.Minute {
		t.Fatalf("TTL after a request = %v; want pushed back to about 10 min", ttl)
	}
	rc.PExpire(ctx, key, 9*time.Minute+55*time.Second)
	load(sl, c)
	if ttl := rc.PTTL(ctx, key).Val(); ttl > 9*time.Minute+56*time.Second {
		t.Fatalf("TTL = %v: a request within the first tenth of IdleTimeout must not write", ttl)
	}
}

func TestSessionStoreUserSessions(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	st := newStore(t, srv.Client(), func(c *redisstore.SessionStoreConfig) { c.MaxSessionsPerUser = 3 })
	ctx := context.Background()
	var cookies []*http.Cookie
	for range 4 {
		cookies = append(cookies, save(t, st, testSession("alice")))
		time.Sleep(2 * time.Millisecond)
	}
	other := save(t, st, testSession("bob"))
	list, err := st.Sessions(ctx, "alice")
	if err != nil || len(list) != 3 {
		t.Fatalf("Sessions = %v, %v; want 3 (MaxSessionsPerUser)", list, err)
	}
	if _, err := load(st, cookies[0]); !errors.Is(err, weblogin.ErrInvalidCookie) {
		t.Fatalf("the oldest session beyond MaxSessionsPerUser: got %v; want ended", err)
	}
	for _, info := range list {
		if strings.Contains(info.Handle, cookies[1].Value) || info.Handle == cookies[1].Value {
			t.Fatal("a handle reveals a session ID")
		}
	}
	if err := st.EndSession(ctx, "alice", list[0].Handle); err != nil {
		t.Fatal(err)
	}
	if _, err := load(st, cookies[1]); !errors.Is(err, weblogin.ErrInvalidCookie) {
		t.Fatalf("after EndSession: got %v; want ErrInvalidCookie", err)
	}
	ended, err := st.EndUserSessions(ctx, "alice")
	if err != nil || len(ended) != 2 || ended[0].RefreshToken != "refresh-token-of-alice" {
		t.Fatalf("EndUserSessions = %v, %v; want alice's 2 remaining sessions with their tokens", ended, err)
	}
	for _, c := range cookies {
		if _, err := load(st, c); err == nil {
			t.Fatal("a session of alice survived EndUserSessions")
		}
	}
	if _, err := load(st, other); err != nil {
		t.Fatalf("bob's session: %v", err)
	}
	if _, err := st.Sessions(ctx, ""); !errors.Is(err, redisstore.ErrInvalidInput) {
		t.Fatalf("empty subject: got %v; want ErrInvalidInput", err)
	}
}

func TestSessionStoreRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// One dial per command, without go-redis's retries (five dials 100 ms
	// apart): the refused connection is reported at once.
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialerRetries: 1})
	defer rc.Close()
	st := newStore(t, rc, func(c *redisstore.SessionStoreConfig) { c.Timeout = 500 * time.Millisecond })
	c := save(t, st, testSession("alice"))
	srv.Stop()
	if _, err := load(st, c); !errors.Is(err, weblogin.ErrStoreUnavailable) {
		t.Fatalf("Load with Redis down: got %v; want ErrStoreUnavailable", err)
	}
	if err := st.Save(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), testSession("bob")); !errors.Is(err, weblogin.ErrStoreUnavailable) {
		t.Fatalf("Save with Redis down: got %v; want ErrStoreUnavailable", err)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", nil)
	r.AddCookie(c)
	if err := st.Delete(w, r); !errors.Is(err, weblogin.ErrStoreUnavailable) || len(w.Result().Cookies()) != 0 {
		t.Fatalf("Delete with Redis down: got %v and cookies %v; want ErrStoreUnavailable and the cookie kept", err, w.Result().Cookies())
	}
}

// TestSessionStoreCluster runs the store on a 3-node Redis Cluster through
// the universal client: session keys and user indexes land in different
// slots. It also checks the cluster of redistest.LaunchCluster itself.
func TestSessionStoreCluster(t *testing.T) {
	t.Parallel()
	rc := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: clusterAddrs(t)})
	defer rc.Close()
	if _, ok := rc.(*redis.ClusterClient); !ok {
		t.Fatalf("NewUniversalClient with 3 addresses returned %T; want *redis.ClusterClient", rc)
	}
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d", "e"} { // keys spread over the nodes
		if err := rc.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
		if got, err := rc.Get(ctx, k).Result(); err != nil || got != k {
			t.Fatalf("GET %s = %q, %v", k, got, err)
		}
	}
	st := newStore(t, rc, nil)
	var cookies []*http.Cookie
	for _, sub := range []string{"alice", "alice", "bob", "carol"} {
		cookies = append(cookies, save(t, st, testSession(sub)))
	}
	for _, c := range cookies {
		if _, err := load(st, c); err != nil {
			t.Fatalf("Load on the cluster: %v", err)
		}
	}
	ended, err := st.EndUserSessions(context.Background(), "alice")
	if err != nil || len(ended) != 2 {
		t.Fatalf("EndUserSessions on the cluster = %d, %v; want 2", len(ended), err)
	}
	if _, err := load(st, cookies[0]); err == nil {
		t.Fatal("alice's session survived")
	}
	if _, err := load(st, cookies[2]); err != nil {
		t.Fatalf("bob's session: %v", err)
	}
}

func TestSessionStoreConfig(t *testing.T) {
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rc.Close()
	for _, cfg := range []redisstore.SessionStoreConfig{
		{},
		{Client: rc, MaxAge: time.Second},
		{Client: rc, IdleTimeout: time.Second},
		{Client: rc, Name: "bad name"},
		{Client: rc, Name: "__Host-x", Insecure: true},
		{Client: rc, MaxSessionsPerUser: -1},
		{Client: rc, Timeout: -1},
	} {
		if _, err := redisstore.NewSessionStore(cfg); !errors.Is(err, redisstore.ErrInvalidConfig) {
			t.Errorf("NewSessionStore(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
	st := newStore(t, rc, func(c *redisstore.SessionStoreConfig) { c.Insecure = true })
	if st.Name() != "cognito_session" {
		t.Fatalf("Insecure default name = %q", st.Name())
	}
}

// TestSentinel runs the session store and the revocation sync through a
// Sentinel with the universal client (MasterName set: a failover client).
func TestSentinel(t *testing.T) {
	t.Parallel()
	name, sentinel := redistest.StartSentinel(t)
	opts := &redis.UniversalOptions{MasterName: name, Addrs: []string{sentinel}}
	rc := redis.NewUniversalClient(opts)
	defer rc.Close()
	if _, ok := rc.(*redis.Client); !ok {
		t.Fatalf("NewUniversalClient with MasterName returned %T; want a failover *redis.Client", rc)
	}
	st := newStore(t, rc, nil)
	c := save(t, st, testSession("alice"))
	if got, err := load(st, c); err != nil || got.Subject != "alice" {
		t.Fatalf("Load through the Sentinel: %v, %v", got, err)
	}
	a, b := replicaList(t, opts), replicaList(t, opts)
	a.Revoke(context.Background(), revocation.Entry{OriginJTI: "via-sentinel"})
	waitRevoked(t, b, tokenOf("via-sentinel"), 5*time.Second)
}
