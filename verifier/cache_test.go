package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCacheKeyedByWholeToken(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	good := mint(t, keyA, accessClaims())
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	// Same header and payload, another signature: must not hit the cache.
	dot := strings.LastIndexByte(good, '.')
	forged := good[:dot+1] + b64u(make([]byte, 256))
	if _, err := v.Verify(context.Background(), forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged signature after caching the real token: got %v; want ErrBadSignature", err)
	}
	// A prefix or extension of a cached token is a different token too.
	if _, err := v.Verify(context.Background(), good+"A"); err == nil {
		t.Fatalf("extended token accepted")
	}
}

func TestCacheRechecksTime(t *testing.T) {
	keys(t)
	var now atomic.Int64
	now.Store(testEpoch.UnixNano())
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Now = func() time.Time { return time.Unix(0, now.Load()) }
	var hits, misses atomic.Int64
	var rejects []string
	cfg.Observer = Observer{
		OnCache: func(hit bool) {
			if hit {
				hits.Add(1)
			} else {
				misses.Add(1)
			}
		},
		OnReject: func(reason error) { rejects = append(rejects, Reason(reason)) },
	}
	v := mustNew(t, cfg)
	ctx := context.Background()
	tok := mint(t, keyA, with(accessClaims(), "nbf", testEpoch.Add(time.Minute).Unix()))
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("before nbf: got %v; want ErrNotYetValid", err)
	}
	now.Store(testEpoch.Add(2 * time.Minute).UnixNano())
	for range 3 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatalf("valid: %v", err)
		}
	}
	if hits.Load() != 2 || misses.Load() != 2 {
		t.Errorf("cache hits/misses: got %d/%d; want 2/2", hits.Load(), misses.Load())
	}
	if v.cache.len() != 1 {
		t.Fatalf("cached: got %d; want 1", v.cache.len())
	}
	now.Store(testEpoch.Add(50 * time.Minute).UnixNano()) // exp
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrExpired) {
		t.Fatalf("after exp: got %v; want ErrExpired", err)
	}
	if v.cache.len() != 0 {
		t.Errorf("expired entry still cached")
	}
	if got := strings.Join(rejects, ","); got != "not_yet_valid,expired" {
		t.Errorf("OnReject reasons: got %s; want not_yet_valid,expired", got)
	}
}

// TestCacheSharesClaims: a cache hit returns the cached claims themselves,
// without a copy; Clone gives a copy the caller may change.
func TestCacheSharesClaims(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	tok := mint(t, keyA, with(accessClaims(), "cognito:groups", []string{"ops"}))
	c1, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if c1 != c2 {
		t.Errorf("a cache hit returned a copy of the claims; want the shared pointer")
	}
	mine := c1.Clone()
	mine.Username = "mallory"
	mine.Scopes[0] = "admin"
	mine.Groups[0] = "root"
	mine.Groups = append(mine.Groups, "root")
	c3, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if c3.Username != "alice" || c3.Scopes[0] == "admin" || c3.HasGroup("root") {
		t.Errorf("a change to a Clone leaked into the cache: got %s %v %v", c3.Username, c3.Scopes, c3.Groups)
	}
	if (*Claims)(nil).Clone() != nil {
		t.Errorf("nil Clone: got non-nil")
	}
}

// TestModifiedClaimsPanicUnderRace: writing to the shared claims is caught
// on the next hit in race-enabled builds (go test -race), whatever was
// written: a field, a slice element, a slice itself, a time.
func TestModifiedClaimsPanicUnderRace(t *testing.T) {
	if !raceEnabled {
		t.Skip("the check runs in race-enabled builds; run go test -race")
	}
	keys(t)
	for _, tc := range []struct {
		name   string
		modify func(*Claims)
	}{
		{"field", func(c *Claims) { c.Username = "mallory" }},
		{"slice element", func(c *Claims) { c.Scopes[0] = "admin" }},
		{"append", func(c *Claims) { c.Groups = append(c.Groups, "root") }},
		{"time", func(c *Claims) { c.ExpiresAt = c.ExpiresAt.Add(time.Hour) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, staticConfig(TokenUseAccess, keyA))
			tok := mint(t, keyA, with(accessClaims(), "cognito:groups", []string{"ops"}))
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(context.Background(), tok); err != nil { // an unmodified hit is fine
				t.Fatal(err)
			}
			tc.modify(c)
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "read-only") || !strings.Contains(msg, "Clone") {
					t.Errorf("got panic %q; want one naming the read-only rule and Clone", msg)
				}
			}()
			v.Verify(context.Background(), tok)
		})
	}
}

// cacheTestEntry is an entry for tok with claims c, as Verify builds it.
func cacheTestEntry(tc *tokenCache, tok string, c *Claims, k *publicKey, cost int64) *cacheEntry {
	e := &cacheEntry{hash: tc.hash(tok), token: tok, claims: c, key: k, cost: cost}
	e.validFrom, e.validUntil = validRange(c, 0)
	return e
}

// TestCacheWorkingSet: a working set as large as the configured size is
// served from the cache after one pass, with at most 1% misses (the
// design measures none), for the default size and others, over several
// hash seeds. A single hash choice per token, with as many slots as the
// size, missed 19% at 4,096.
func TestCacheWorkingSet(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	k := &publicKey{}
	now := testEpoch
	exp := &Claims{ExpiresAt: now.Add(time.Hour)}
	for _, size := range []int{8, 64, 1000, DefaultCacheSize, 20000} {
		seeds := 4
		if size > DefaultCacheSize {
			seeds = 1 // 20,000 tokens are sample enough, and 80% of the test's time with four
		}
		for seed := range seeds {
			tc := newTokenCache(size, 1<<40)
			toks := make([]string, size)
			for i := range toks {
				// A JWS-like token: a shared prefix, a distinct signature
				// (built without fmt, which costs most of the test's time
				// under -race).
				b := append(make([]byte, 0, 80), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0."...)
				b = appendHex8(b, uint64(i)*2654435761)
				b = appendHex8(b, uint64(seed))
				b = append(b, "-sig-"...)
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, '-')
				b = strconv.AppendInt(b, int64(seed), 10)
				toks[i] = string(b)
			}
			misses := 0
			for pass := range 3 {
				for _, tok := range toks {
					if tc.get(tok, tc.hash(tok)) != nil {
						continue
					}
					if pass > 0 {
						misses++
					}
					tc.put(cacheTestEntry(tc, tok, exp, k, 100), now)
				}
			}
			if lookups := 2 * size; misses*100 > lookups {
				t.Errorf("size %d, seed %d: %d misses in %d lookups of a working set of %d tokens; want at most 1%%",
					size, seed, misses, lookups, size)
			} else if misses > 0 {
				t.Logf("size %d, seed %d: %d misses in %d lookups", size, seed, misses, lookups)
			}
		}
	}
}

// appendHex8 appends v as fmt's %08x does.
func appendHex8(b []byte, v uint64) []byte {
	h := strconv.FormatUint(v, 16)
	for range 8 - len(h) {
		b = append(b, '0')
	}
	return append(b, h...)
}

// TestCacheHashTail: the hash reads the end of the token, so tokens that
// share it collide; the full comparison still tells them apart.
func TestCacheHashTail(t *testing.T) {
	tc := newTokenCache(64, 1<<30)
	a := strings.Repeat("a", 100) + ".signature-tail-that-is-long-enough-000"
	b := strings.Repeat("b", 100) + ".signature-tail-that-is-long-enough-000"
	if tc.hash(a) != tc.hash(b) {
		t.Fatalf("tokens with the same length and tail hash differently; the hash should read only the tail")
	}
	if tc.hash(a) == tc.hash(a+"0") || tc.hash(a) == tc.hash(a[1:]) {
		t.Errorf("tokens of other lengths or tails hash alike")
	}
	tc.put(cacheTestEntry(tc, a, &Claims{ExpiresAt: testEpoch.Add(time.Hour)}, &publicKey{}, 100), testEpoch)
	if tc.get(b, tc.hash(b)) != nil {
		t.Errorf("a token sharing a cached token's hash was found")
	}
	if tc.get(a, tc.hash(a)) == nil {
		t.Errorf("the cached token was not found")
	}
}

func TestCacheBoundedUnderFlood(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	tc := newTokenCache(64, 1<<30)
	if len(tc.slots) != cacheSlack*64 {
		t.Fatalf("slots: got %d; want %d", len(tc.slots), cacheSlack*64)
	}
	k := &publicKey{}
	now := testEpoch
	for i := range 100000 {
		tok := "token-" + strconv.Itoa(i)
		c := &Claims{ExpiresAt: now.Add(time.Duration(i%1000+1) * time.Second)}
		tc.put(cacheTestEntry(tc, tok, c, k, 100), now)
	}
	if n := tc.len(); n > len(tc.slots) {
		t.Errorf("entries: got %d; want at most %d", n, len(tc.slots))
	}
	// The newest token is always present right after its insertion.
	tok := "token-new"
	tc.put(cacheTestEntry(tc, tok, &Claims{ExpiresAt: now.Add(time.Second)}, k, 100), now)
	if tc.get(tok, tc.hash(tok)) == nil {
		t.Errorf("newest entry missing")
	}
	// Expired entries are the first to go. Two sets of 8: every token may
	// go in either, so 16 tokens fill the table.
	tc2 := newTokenCache(8, 1<<30)
	for i := range 16 {
		tok := fmt.Sprintf("t%d", i)
		exp := now.Add(time.Hour + time.Duration(i)*time.Second)
		if i == 3 {
			exp = now.Add(time.Second)
		}
		tc2.put(cacheTestEntry(tc2, tok, &Claims{ExpiresAt: exp}, k, 100), now)
	}
	if tc2.len() != 16 {
		t.Fatalf("entries: got %d; want 16", tc2.len())
	}
	now = now.Add(2 * time.Second) // t3 has expired
	tc2.put(cacheTestEntry(tc2, "x", &Claims{ExpiresAt: now.Add(time.Hour)}, k, 100), now)
	if tc2.get("t3", tc2.hash("t3")) != nil {
		t.Errorf("expired entry survived an insertion into full sets")
	}
	for _, tok := range []string{"t0", "t15", "x"} {
		if tc2.get(tok, tc2.hash(tok)) == nil {
			t.Errorf("live entry %s evicted instead of the expired one", tok)
		}
	}
	// Then the soonest-expiring one.
	tc2.put(cacheTestEntry(tc2, "y", &Claims{ExpiresAt: now.Add(2 * time.Hour)}, k, 100), now)
	if tc2.get("t0", tc2.hash("t0")) != nil || tc2.get("y", tc2.hash("y")) == nil {
		t.Errorf("the soonest-expiring entry t0 should have made room for y")
	}
}

func TestCacheDisabled(t *testing.T) {
	keys(t)
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.CacheSize = -1
	var calls atomic.Int64
	cfg.Observer.OnCache = func(bool) { calls.Add(1) }
	v := mustNew(t, cfg)
	tok := mint(t, keyA, accessClaims())
	for range 2 {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if v.cache != nil || calls.Load() != 0 {
		t.Errorf("cache disabled: got cache %v and %d OnCache calls", v.cache != nil, calls.Load())
	}
}

func TestPolicyEvaluatedOnCacheHits(t *testing.T) {
	keys(t)
	var allow atomic.Bool
	allow.Store(true)
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Pools[0].Policy.Check = func(context.Context, *Claims) error {
		if !allow.Load() {
			return errors.New("revoked")
		}
		return nil
	}
	v := mustNew(t, cfg)
	tok := mint(t, keyA, accessClaims())
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	allow.Store(false)
	_, err := v.Verify(context.Background(), tok)
	var pe *PolicyError
	if !errors.As(err, &pe) || !errors.Is(err, ErrCheckFailed) || pe.Err == nil || pe.Err.Error() != "revoked" {
		t.Fatalf("got %v; want *PolicyError with ErrCheckFailed wrapping the check's error", err)
	}
}

func TestObserverFetchEvents(t *testing.T) {
	keys(t)
	srv := newJWKSServer(t, jwksOf(keyA))
	clock := &fakeClock{}
	var mu sync.Mutex
	var events []FetchEvent
	cfg := remoteConfig(srv)
	cfg.Observer.OnFetch = func(e FetchEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	v := newRemote(t, cfg, clock)
	ctx := context.Background()
	if _, err := v.Verify(ctx, mint(t, keyA, accessClaims())); err != nil {
		t.Fatal(err)
	}
	srv.set(func(s *jwksServer) { s.status = 500 })
	clock.advance(DefaultRefetchCooldown)
	v.Verify(ctx, unsignedToken("nope"))
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 {
		t.Fatalf("events: got %d; want 2", len(events))
	}
	e0, e1 := events[0], events[1]
	if e0.Trigger != "cold" || e0.Status != 200 || e0.Keys != 1 || e0.Err != nil || e0.Duration <= 0 || !strings.HasPrefix(e0.URL, srv.URL) {
		t.Errorf("first event: got %+v", e0)
	}
	if e1.Trigger != "unknown_kid" || e1.Status != 500 || e1.Keys != 0 || e1.Err == nil {
		t.Errorf("second event: got %+v", e1)
	}
}

func TestClaimsMarshalJSON(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	c, err := v.Verify(context.Background(), mint(t, keyA, accessClaims()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		C *Claims `json:"c"`
		V Claims  `json:"v"`
	}{c, *c})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		C map[string]any `json:"c"`
		V map[string]any `json:"v"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.C["username"] != "alice" || back.V["client_id"] != testClientID {
		t.Errorf("got %s", b)
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCacheBoundedByBytes: a user who can enlarge their own tokens
// (writable custom attributes) and refreshes repeatedly must not grow the
// verified-token cache past its byte bound. 1,500 distinct valid tokens of
// almost 16 KiB (the default MaxTokenSize) would hold about 45 MB if
// every one were cached.
func TestCacheBoundedByBytes(t *testing.T) {
	keys(t)
	if testing.Short() {
		t.Skip("mints and verifies 1,500 large tokens")
	}
	cfg := staticConfig(TokenUseAccess, keyEC) // ES256: fast to sign
	var hits atomic.Int64
	cfg.Observer.OnCache = func(hit bool) {
		if hit {
			hits.Add(1)
		}
	}
	v := mustNew(t, cfg)
	ctx := context.Background()
	// The tokens differ only in their jti, which ends the payload. The
	// rest is marshalled and encoded once, its length a multiple of 3 so
	// that its base64 starts every token's payload (minting, not
	// verifying, was most of the test's time under -race).
	var prefix []byte
	for pad := 0; len(prefix) == 0 || len(prefix)%3 != 0; pad++ {
		body := marshal(with(accessClaims(), "jti", nil, "custom:blob", strings.Repeat("x", 11300+pad)))
		prefix = append(body[:len(body)-1:len(body)-1], `,"jti":"jti-`...)
	}
	head := b64u(marshal(map[string]any{"kid": keyEC.kid, "alg": keyEC.alg})) + "." + b64u(prefix)
	const n = 1500
	before := heapInUse()
	size := 0
	for i := range n {
		input := head + b64u(fmt.Appendf(nil, `%d"}`, i))
		tok := input + "." + b64u(signBytes(t, keyEC, keyEC.alg, []byte(input)))
		size = len(tok)
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	growth := int64(heapInUse()) - int64(before)
	bound := int64(DefaultCacheMaxBytes)
	t.Logf("%d tokens of %d bytes: heap grew %.1f MiB with %d cached (bound %.1f MiB)",
		n, size, float64(growth)/(1<<20), v.cache.len(), float64(bound)/(1<<20))
	if growth > bound+bound/16 {
		t.Errorf("heap grew %d bytes; want at most DefaultCacheMaxBytes (%d) plus 1/16", growth, bound)
	}
	if cached := v.cache.len(); cached < int(bound/(3*int64(size))) {
		t.Errorf("only %d large tokens cached; the byte budget should hold about %d", cached, bound/int64(2*size))
	}
	// A Cognito-sized token arriving after the flood is still cached.
	small := mint(t, keyEC, accessClaims())
	for range 2 {
		if _, err := v.Verify(ctx, small); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("a small token after the flood: got %d cache hits; want 1", hits.Load())
	}
	runtime.KeepAlive(v)
}

// cachedBytes sums the cost of the entries in tc.
func cachedBytes(tc *tokenCache) int64 {
	var n int64
	for i := range tc.slots {
		if e := tc.slots[i].Load(); e != nil {
			n += e.cost
		}
	}
	return n
}

func TestCacheByteAccounting(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	k := &publicKey{}
	now := testEpoch
	entry := func(tc *tokenCache, tok string, cost int64, exp time.Duration) *cacheEntry {
		return cacheTestEntry(tc, tok, &Claims{ExpiresAt: now.Add(exp)}, k, cost)
	}
	check := func(t *testing.T, tc *tokenCache) {
		t.Helper()
		if got, sum := tc.bytes.Load(), cachedBytes(tc); got != sum || got > tc.maxBytes {
			t.Fatalf("accounted %d bytes; entries hold %d; budget %d", got, sum, tc.maxBytes)
		}
	}

	// Two sets of 8 ways (every token may go in either) and a budget of
	// 10,000 bytes.
	tc := newTokenCache(8, 10_000)
	for i := range 8 {
		tc.put(entry(tc, fmt.Sprintf("big%d", i), 3000, time.Hour+time.Duration(i)*time.Minute), now)
		check(t, tc)
	}
	if n := tc.len(); n != 3 {
		t.Fatalf("3,000-byte entries under a 10,000-byte budget: got %d cached; want 3", n)
	}
	// A small token displaces the largest entry instead of being refused.
	tc.put(entry(tc, "small", 1500, time.Hour), now)
	check(t, tc)
	if tc.get("small", tc.hash("small")) == nil || tc.len() != 3 {
		t.Errorf("small entry not cached in place of a large one (%d entries)", tc.len())
	}
	// An entry larger than the whole budget is never cached.
	tc.put(entry(tc, "huge", 10_001, time.Hour), now)
	check(t, tc)
	if tc.get("huge", tc.hash("huge")) != nil {
		t.Errorf("an entry larger than the budget was cached")
	}
	// remove and sweep give the bytes back.
	tc.remove(tc.get("small", tc.hash("small")))
	check(t, tc)
	tc.sweep(func(*cacheEntry) bool { return true })
	check(t, tc)
	if tc.bytes.Load() != 0 || tc.len() != 0 {
		t.Errorf("after sweeping everything: %d bytes, %d entries", tc.bytes.Load(), tc.len())
	}

	// Concurrent writers, removers and sweepers (run with -race) leave
	// the count equal to the entries' bytes, within the budget.
	tc = newTokenCache(256, 50_000)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5000 {
				e := entry(tc, "g"+strconv.Itoa(g)+"-"+strconv.Itoa(i), int64(100+(i*7919)%5000), time.Duration(i%50)*time.Minute)
				tc.put(e, now)
				if i%7 == 0 {
					tc.remove(e)
				}
				if i%1000 == 0 {
					tc.sweep(func(e *cacheEntry) bool { return e.cost > 4000 })
				}
			}
		})
	}
	wg.Wait()
	check(t, tc)
	if tc.len() < 10 {
		t.Errorf("only %d entries cached after the concurrent writes", tc.len())
	}
}

func TestEntryCost(t *testing.T) {
	keys(t)
	v := mustNew(t, staticConfig(TokenUseAccess, keyA))
	tok := mint(t, keyA, accessClaims())
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	plain := entryCost(tok, c)
	if min := int64(len(tok) + len(c.raw)); plain < min {
		t.Errorf("cost %d is below the token and payload bytes %d", plain, min)
	}
	if plain > 3000 {
		t.Errorf("a typical access token costs %d bytes; the docs say about 2.5 KB", plain)
	}
	escaped := mint(t, keyA, with(accessClaims(), "username", "al\"ice"))
	ce, err := v.Verify(context.Background(), escaped)
	if err != nil {
		t.Fatal(err)
	}
	if got := entryCost(escaped, ce); got < plain+int64(len(ce.raw)) {
		t.Errorf("cost with escaped strings %d does not count the decoded copies (plain %d)", got, plain)
	}
}
