package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jwksServer is a JWKS endpoint whose behaviour tests change on the fly.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu          sync.Mutex // guards the fields below
	body        []byte
	status      int
	contentType string
	header      http.Header
	gate        chan struct{} // if set, requests wait for it to close
	hang        bool          // if set, requests block until the client gives up
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{body: body, status: http.StatusOK, contentType: "application/json"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	body, status, ct, gate, hang := s.body, s.status, s.contentType, s.gate, s.hang
	for k, v := range s.header {
		w.Header()[k] = v
	}
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if hang {
		<-r.Context().Done()
		return
	}
	if etag := w.Header().Get("ETag"); etag != "" && r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(status)
	w.Write(body)
}

func (s *jwksServer) set(f func(s *jwksServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// fakeClock is a JWKS clock that tests advance by hand.
type fakeClock struct{ off atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *fakeClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// remoteConfig is an access-token pool whose JWKS is served by srv.
func remoteConfig(srv *jwksServer) Config {
	return Config{
		Pools: []Pool{{
			UserPoolID: testPoolID,
			ClientIDs:  []string{testClientID},
			TokenUse:   TokenUseAccess,
			JWKSURL:    srv.URL + "/.well-known/jwks.json",
		}},
		Now:          func() time.Time { return testEpoch },
		FetchTimeout: 2 * time.Second,
	}
}

func newRemote(t *testing.T, cfg Config, clock *fakeClock) *Verifier {
	t.Helper()
	var c func() time.Time
	if clock != nil {
		c = clock.now
	}
	v, err := newVerifier(cfg, c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// unsignedToken has a well-formed header naming kid and a zero signature;
// it is enough to exercise key lookup without an RSA signing per token.
func unsignedToken(kid string) string {
	return b64u(hdr("alg", "RS256", "kid", kid)) + "." + b64u(marshal(accessClaims())) + "." + b64u(make([]byte, 256))
}

func TestJWKSColdSingleFlight(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	gate := make(chan struct{})
	srv.set(func(s *jwksServer) { s.gate = gate })
	v := newRemote(t, remoteConfig(srv), nil)
	tok := mint(t, keyA, accessClaims())

	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), tok)
			errs <- err
		})
	}
	// Let every goroutine reach the wait, then release the one fetch.
	deadline := time.Now().Add(5 * time.Second)
	for srv.hits.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}
}

func TestJWKSUnknownKidStorm(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	clock := &fakeClock{}
	var fetches atomic.Int64
	cfg := remoteConfig(srv)
	cfg.Observer.OnFetch = func(FetchEvent) { fetches.Add(1) }
	v := newRemote(t, cfg, clock)
	if err := v.Warm(context.Background()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	// The cooldown window starts at the warm-up fetch; move past it so the
	// storm may trigger exactly one refetch.
	clock.advance(DefaultRefetchCooldown + time.Second)

	// 2,000 unknown-kid tokens from 50 goroutines: a storm for the
	// cooldown's single flight; COGNITOKIT_SOAK=1 sends 10,000.
	n := int64(2000)
	if os.Getenv("COGNITOKIT_SOAK") != "" {
		n = 10000
	}
	toks := make([]string, n)
	for i := range toks {
		toks[i] = unsignedToken(fmt.Sprintf("storm-%d", i))
	}
	var wg sync.WaitGroup
	var cooldowns, unknown atomic.Int64
	start := time.Now()
	for w := range 50 {
		wg.Go(func() {
			for i := int64(w); i < n; i += 50 {
				_, err := v.Verify(context.Background(), toks[i])
				switch {
				case errors.Is(err, ErrCooldown):
					cooldowns.Add(1)
					if !errors.Is(err, ErrUnknownKey) {
						t.Errorf("cooldown error %v does not match ErrUnknownKey", err)
					}
				case errors.Is(err, ErrUnknownKey):
					unknown.Add(1)
				default:
					t.Errorf("storm token: got %v; want ErrUnknownKey", err)
				}
			}
		})
	}
	wg.Wait()
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("fetches after warm-up and storm: got %d; want 2 (one per cooldown window)", got)
	}
	if cooldowns.Load()+unknown.Load() != n || cooldowns.Load() < n/2 {
		t.Errorf("got %d cooldown and %d unknown-key errors; want %d in all, mostly cooldown", cooldowns.Load(), unknown.Load(), n)
	}
	t.Logf("storm of %d tokens took %v", n, time.Since(start))

	// The next window allows one more refetch, no more.
	clock.advance(DefaultRefetchCooldown + time.Second)
	for i := range 100 {
		v.Verify(context.Background(), toks[i])
	}
	if got := srv.hits.Load(); got != 3 {
		t.Errorf("fetches after the next window: got %d; want 3", got)
	}
	if got := fetches.Load(); got != 3 {
		t.Errorf("OnFetch calls: got %d; want 3", got)
	}
	// A valid token is unaffected by the storm.
	if _, err := v.Verify(context.Background(), mint(t, keyA, accessClaims())); err != nil {
		t.Errorf("valid token after storm: %v", err)
	}
}

func TestJWKSBadSignatureNeverRefetches(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	clock := &fakeClock{}
	v := newRemote(t, remoteConfig(srv), clock)
	forged := signRaw(t, keyB, "RS256", hdr("alg", "RS256", "kid", keyA.kid), marshal(accessClaims()))
	for range 5 {
		clock.advance(time.Minute)
		if _, err := v.Verify(context.Background(), forged); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("got %v; want ErrBadSignature", err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}
}

func TestJWKSRotation(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	clock := &fakeClock{}
	v := newRemote(t, remoteConfig(srv), clock)
	ctx := context.Background()
	tokA := mint(t, keyA, accessClaims())
	tokB := mint(t, keyB, accessClaims())
	if _, err := v.Verify(ctx, tokA); err != nil {
		t.Fatalf("token A: %v", err)
	}
	// A new key appears: the first token signed with it triggers a refetch
	// (once the cooldown since the first fetch has passed).
	srv.set(func(s *jwksServer) { s.body = jwksOf(keyA, keyB) })
	clock.advance(DefaultRefetchCooldown)
	if _, err := v.Verify(ctx, tokB); err != nil {
		t.Fatalf("token B after rotation: %v", err)
	}
	if _, err := v.Verify(ctx, tokA); err != nil {
		t.Fatalf("token A still listed: %v", err)
	}
	if v.cache.len() != 2 {
		t.Errorf("cached tokens: got %d; want 2", v.cache.len())
	}
	// The old key disappears. After the next successful fetch, tokens
	// signed with it (cached ones included) are no longer accepted.
	srv.set(func(s *jwksServer) { s.body = jwksOf(keyB) })
	clock.advance(DefaultRefetchCooldown)
	if _, err := v.Verify(ctx, unsignedToken("kid-nobody-has")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown kid: got %v; want ErrUnknownKey", err)
	}
	if v.cache.len() != 1 {
		t.Errorf("cached tokens after key A left: got %d; want 1", v.cache.len())
	}
	if _, err := v.Verify(ctx, tokA); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("token A after its key left: got %v; want ErrUnknownKey", err)
	}
	if _, err := v.Verify(ctx, tokB); err != nil {
		t.Errorf("token B: %v", err)
	}
	if got := srv.hits.Load(); got != 3 {
		t.Errorf("fetches: got %d; want 3", got)
	}
}

func TestJWKSBackgroundRefresh(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	srv.set(func(s *jwksServer) { s.header = http.Header{"Cache-Control": {"public, max-age=0"}} })
	cfg := remoteConfig(srv)
	cfg.MinRefreshInterval = 20 * time.Millisecond
	cfg.MaxRefreshInterval = time.Hour
	cfg.RefetchCooldown = 20 * time.Millisecond
	v := newRemote(t, cfg, nil)
	ctx := context.Background()
	tokA := mint(t, keyA, accessClaims())
	if _, err := v.Verify(ctx, tokA); err != nil {
		t.Fatal(err)
	}
	// Refresh failures keep the last good keys.
	srv.set(func(s *jwksServer) { s.status = http.StatusInternalServerError; s.body = []byte("oops") })
	waitFor(t, func() bool { return srv.hits.Load() >= 3 })
	if _, err := v.Verify(ctx, tokA); err != nil {
		t.Fatalf("token A while refreshes fail: %v", err)
	}
	// The key leaves the JWKS: the background refresh drops it.
	srv.set(func(s *jwksServer) { s.status = http.StatusOK; s.body = jwksOf(keyB) })
	waitFor(t, func() bool {
		_, err := v.Verify(ctx, tokA)
		return errors.Is(err, ErrUnknownKey)
	})
}

func TestJWKSConditionalRefresh(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	srv.set(func(s *jwksServer) { s.header = http.Header{"Etag": {`"v1"`}} })
	clock := &fakeClock{}
	var notModified atomic.Int64
	cfg := remoteConfig(srv)
	cfg.MaxStaleness = time.Minute
	cfg.Observer.OnFetch = func(e FetchEvent) {
		if e.NotModified {
			notModified.Add(1)
		}
	}
	v := newRemote(t, cfg, clock)
	tokA := mint(t, keyA, accessClaims())
	if _, err := v.Verify(context.Background(), tokA); err != nil {
		t.Fatal(err)
	}
	clock.advance(2 * time.Minute) // stale: the next Verify revalidates
	if _, err := v.Verify(context.Background(), tokA); err != nil {
		t.Fatalf("after 304: %v", err)
	}
	if notModified.Load() != 1 || srv.hits.Load() != 2 {
		t.Errorf("got %d not-modified of %d fetches; want 1 of 2", notModified.Load(), srv.hits.Load())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestJWKSFetchFailures(t *testing.T) {
	keys(t)
	tests := []struct {
		name    string
		setup   func(s *jwksServer)
		timeout time.Duration
		maxSize int64
		wantMsg string
	}{
		{name: "500", setup: func(s *jwksServer) { s.status = 500; s.body = []byte(`{"keys":[]}`) }, wantMsg: "HTTP status 500"},
		{name: "404", setup: func(s *jwksServer) { s.status = 404 }, wantMsg: "HTTP status 404"},
		{name: "hang past timeout", setup: func(s *jwksServer) { s.hang = true }, timeout: 100 * time.Millisecond, wantMsg: "FetchTimeout"},
		{name: "garbage", setup: func(s *jwksServer) { s.body = []byte("\x00\x01garbage{") }, wantMsg: "not a JSON object"},
		{name: "HTML error page", setup: func(s *jwksServer) { s.contentType = "text/html"; s.body = []byte("<html>") }, wantMsg: "Content-Type"},
		{name: "no keys member", setup: func(s *jwksServer) { s.body = []byte(`{"kids":[]}`) }, wantMsg: "no keys array"},
		{name: "no usable key", setup: func(s *jwksServer) {
			s.body = jwksOf(keySmall)
		}, wantMsg: "no usable signing key"},
		{name: "encryption keys only", setup: func(s *jwksServer) {
			s.body = bytes.ReplaceAll(jwksOf(keyA), []byte(`"use":"sig"`), []byte(`"use":"enc"`))
		}, wantMsg: "no usable signing key"},
		{name: "oversize body", setup: func(s *jwksServer) {
			s.body = append(jwksOf(keyA)[:len(jwksOf(keyA))-1], []byte(`,"pad":"`+strings.Repeat("x", 4096)+`"}`)...)
		}, maxSize: 2048, wantMsg: "MaxJWKSSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, jwksOf(keyA))
			srv.set(tc.setup)
			cfg := remoteConfig(srv)
			if tc.timeout > 0 {
				cfg.FetchTimeout = tc.timeout
			}
			cfg.MaxJWKSSize = tc.maxSize
			v := newRemote(t, cfg, nil)
			tok := mint(t, keyA, accessClaims())
			start := time.Now()
			_, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("got %v; want ErrKeysUnavailable", err)
			}
			if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrUnknownKey) || errors.Is(err, ErrMalformed) {
				t.Errorf("keys-unavailable error %v also matches a bad-token sentinel", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
			if tc.timeout > 0 && time.Since(start) > tc.timeout+time.Second {
				t.Errorf("fetch took %v; timeout was %v", time.Since(start), tc.timeout)
			}
			if err := v.Ready(); !errors.Is(err, ErrKeysUnavailable) {
				t.Errorf("Ready: got %v; want ErrKeysUnavailable", err)
			}
			// Within the cooldown, further calls fail fast without fetching.
			hits := srv.hits.Load()
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrKeysUnavailable) {
				t.Errorf("second Verify: got %v; want ErrKeysUnavailable", err)
			}
			if srv.hits.Load() != hits {
				t.Errorf("second Verify fetched again within the cooldown")
			}
		})
	}
}

func TestJWKSMaxStaleness(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	clock := &fakeClock{}
	cfg := remoteConfig(srv)
	cfg.MaxStaleness = time.Hour
	v := newRemote(t, cfg, clock)
	ctx := context.Background()
	tok := mint(t, keyA, accessClaims())
	if err := v.Warm(ctx); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if err := v.Ready(); err != nil {
		t.Fatalf("Ready after Warm: %v", err)
	}
	srv.set(func(s *jwksServer) { s.status = http.StatusBadGateway })
	// Stale-while-revalidate: the last good keys serve until MaxStaleness.
	clock.advance(59 * time.Minute)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatalf("before max staleness: %v", err)
	}
	clock.advance(2 * time.Minute)
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("after max staleness: got %v; want ErrKeysUnavailable", err)
	}
	if err := v.Ready(); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Ready after max staleness: got %v; want ErrKeysUnavailable", err)
	}
	// The IdP recovers: after the cooldown the next call fetches again.
	srv.set(func(s *jwksServer) { s.status = http.StatusOK })
	clock.advance(DefaultRefetchCooldown)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if err := v.Ready(); err != nil {
		t.Fatalf("Ready after recovery: %v", err)
	}
}

func TestJWKSContextCancellation(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	gate := make(chan struct{})
	srv.set(func(s *jwksServer) { s.gate = gate })
	v := newRemote(t, remoteConfig(srv), nil)
	tok := mint(t, keyA, accessClaims())

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := v.Verify(ctx, tok)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("got %v; want context.Canceled and ErrKeysUnavailable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Verify returned after %v; want soon after cancellation", d)
	}
	// The fetch itself was not cancelled: once the server answers, a new
	// caller gets the keys from that same fetch.
	close(gate)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("after release: %v", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("fetches: got %d; want 1", got)
	}

	// Deadline while waiting.
	srv2 := newJWKSServer(t, jwksOf(keyA))
	srv2.set(func(s *jwksServer) { s.hang = true })
	v2 := newRemote(t, remoteConfig(srv2), nil)
	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer dcancel()
	if _, err := v2.Verify(dctx, tok); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v; want context.DeadlineExceeded", err)
	}
}

func TestWarmReadyMultiPool(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA, keyB))
	url := srv.URL + "/jwks.json"
	cfg := Config{
		Pools: []Pool{
			{UserPoolID: "us-east-1_PoolOne", ClientIDs: []string{"c1"}, TokenUse: TokenUseAccess, JWKSURL: url},
			{UserPoolID: "eu-west-1_PoolTwo", ClientIDs: []string{"c2"}, TokenUse: TokenUseID, JWKSURL: url},
			{UserPoolID: "us-gov-west-1_PoolGov", ClientIDs: []string{"c3"}, TokenUse: TokenUseAny, JWKS: jwksOf(keyC)},
		},
		Now: func() time.Time { return testEpoch },
	}
	v := newRemote(t, cfg, nil)
	if err := v.Ready(); !errors.Is(err, ErrKeysUnavailable) || !strings.Contains(err.Error(), "Warm") {
		t.Fatalf("Ready before Warm: got %v; want ErrKeysUnavailable telling to Warm", err)
	}
	if err := v.Warm(context.Background()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if err := v.Ready(); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("fetches for two pools sharing a JWKS URL: got %d; want 1", got)
	}
	ctx := context.Background()
	t1 := mint(t, keyA, with(accessClaims(), "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolOne", "client_id", "c1"))
	t2 := mint(t, keyB, with(idClaims(), "iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_PoolTwo", "aud", "c2"))
	t3 := mint(t, keyC, with(idClaims(), "iss", "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_PoolGov", "aud", "c3"))
	for i, tc := range []struct {
		tok, pool string
	}{{t1, "us-east-1_PoolOne"}, {t2, "eu-west-1_PoolTwo"}, {t3, "us-gov-west-1_PoolGov"}} {
		c, err := v.Verify(ctx, tc.tok)
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if c.UserPoolID != tc.pool {
			t.Errorf("token %d: UserPoolID got %s; want %s", i, c.UserPoolID, tc.pool)
		}
	}
	// Pool one's client is not accepted by pool two.
	t4 := mint(t, keyB, with(idClaims(), "iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_PoolTwo", "aud", "c1"))
	if _, err := v.Verify(ctx, t4); !errors.Is(err, ErrWrongClient) {
		t.Errorf("cross-pool client: got %v; want ErrWrongClient", err)
	}
	// Warm with a failing endpoint reports keys unavailable.
	bad := newJWKSServer(t, nil)
	bad.set(func(s *jwksServer) { s.status = 503 })
	vb := newRemote(t, remoteConfig(bad), nil)
	if err := vb.Warm(ctx); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("Warm against 503: got %v; want ErrKeysUnavailable", err)
	}
}

func TestCloseStopsFetching(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	v := newRemote(t, remoteConfig(srv), nil)
	tok := mint(t, keyA, accessClaims())
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// Known keys keep working; nothing new is fetched.
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("after Close: %v", err)
	}
	v2 := newRemote(t, remoteConfig(srv), nil)
	v2.Close()
	if _, err := v2.Verify(context.Background(), tok); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("cold Verify after Close: got %v; want ErrKeysUnavailable", err)
	}
}

type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if r.Header.Get("Accept") == "" {
		return nil, errors.New("no Accept header")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestJWKSUsesCallerHTTPClient(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	tr := &countingTransport{}
	cfg := remoteConfig(srv)
	cfg.HTTPClient = &http.Client{Transport: tr}
	v := newRemote(t, cfg, nil)
	if _, err := v.Verify(context.Background(), mint(t, keyA, accessClaims())); err != nil {
		t.Fatal(err)
	}
	if tr.n.Load() != 1 || srv.hits.Load() != 1 {
		t.Errorf("got %d round trips and %d server hits; want 1 and 1", tr.n.Load(), srv.hits.Load())
	}
}

func TestCloseCancelsHangingFetch(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	srv.set(func(s *jwksServer) { s.hang = true })
	cfg := remoteConfig(srv)
	cfg.FetchTimeout = time.Minute
	v := newRemote(t, cfg, nil)
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), mint(t, keyA, accessClaims()))
		done <- err
	}()
	waitFor(t, func() bool { return srv.hits.Load() == 1 })
	start := time.Now()
	v.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrKeysUnavailable) {
			t.Errorf("got %v; want ErrKeysUnavailable", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Verify still waiting 5s after Close")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
}

// redirector answers every request with a redirect to target+path.
func redirector(t *testing.T, target string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestJWKSRefusesCrossHostRedirects: a JWKS endpoint that redirects to
// another host does not get to choose the keys.
func TestJWKSRefusesCrossHostRedirects(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	tok := mint(t, keyA, accessClaims())
	refused := []struct {
		name   string
		target string
		client *http.Client
	}{
		{"another host name", "http://localhost:" + strconv.Itoa(port), nil},
		{"another port", srv.URL, nil},
		{"another host, caller's client", "http://localhost:" + strconv.Itoa(port), &http.Client{}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			from := redirector(t, tc.target)
			cfg := remoteConfig(srv)
			cfg.Pools[0].JWKSURL = from.URL + "/.well-known/jwks.json"
			cfg.HTTPClient = tc.client
			v := newRemote(t, cfg, nil)
			_, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("got %v; want ErrKeysUnavailable", err)
			}
			var re *RedirectError
			if !errors.As(err, &re) || re.Reason != RedirectCrossHost || re.From != cfg.Pools[0].JWKSURL ||
				re.To != tc.target+"/.well-known/jwks.json" {
				t.Fatalf("got %#v; want a *RedirectError from %s to %s", re, cfg.Pools[0].JWKSURL, tc.target)
			}
			if !strings.Contains(err.Error(), "AllowCrossHostRedirects") {
				t.Errorf("error %q does not say how to allow the redirect", err)
			}
			if srv.hits.Load() != 0 {
				t.Errorf("the redirect target was fetched %d times", srv.hits.Load())
			}
		})
	}

	// Redirects on the same host are followed.
	same := http.NewServeMux()
	same.Handle("/old", http.RedirectHandler("/.well-known/jwks.json", http.StatusMovedPermanently))
	same.HandleFunc("/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) { w.Write(jwksOf(keyA)) })
	sameSrv := httptest.NewServer(same)
	t.Cleanup(sameSrv.Close)
	cfg := remoteConfig(srv)
	cfg.Pools[0].JWKSURL = sameSrv.URL + "/old"
	if _, err := newRemote(t, cfg, nil).Verify(context.Background(), tok); err != nil {
		t.Errorf("same-host redirect: %v", err)
	}

	// AllowCrossHostRedirects opts in, with the caller's own policy still
	// consulted afterwards.
	from := redirector(t, "http://localhost:"+strconv.Itoa(port))
	cfg = remoteConfig(srv)
	cfg.Pools[0].JWKSURL = from.URL + "/.well-known/jwks.json"
	cfg.AllowCrossHostRedirects = true
	var consulted atomic.Int64
	cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { consulted.Add(1); return nil }}
	if _, err := newRemote(t, cfg, nil).Verify(context.Background(), tok); err != nil {
		t.Errorf("cross-host redirect with AllowCrossHostRedirects: %v", err)
	}
	if srv.hits.Load() != 1 || consulted.Load() != 1 {
		t.Errorf("got %d fetches of the target and %d calls of the caller's CheckRedirect; want 1 and 1", srv.hits.Load(), consulted.Load())
	}
	if cfg.HTTPClient.CheckRedirect == nil || cfg.HTTPClient.Transport != nil {
		t.Errorf("New modified the caller's http.Client")
	}

	// https to http is refused even then.
	tlsFrom := httptest.NewTLSServer(http.RedirectHandler(srv.URL+"/.well-known/jwks.json", http.StatusFound))
	t.Cleanup(tlsFrom.Close)
	cfg = remoteConfig(srv)
	cfg.Pools[0].JWKSURL = tlsFrom.URL + "/.well-known/jwks.json"
	cfg.AllowCrossHostRedirects = true
	cfg.HTTPClient = tlsFrom.Client()
	_, err := newRemote(t, cfg, nil).Verify(context.Background(), tok)
	var re *RedirectError
	if !errors.Is(err, ErrKeysUnavailable) || !errors.As(err, &re) || re.Reason != RedirectDowngrade {
		t.Errorf("https to http: got %v; want ErrKeysUnavailable with a downgrade *RedirectError", err)
	}
}
