package verifier

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeRevocation revokes origin_jti values put in it and counts its calls.
type fakeRevocation struct {
	mu      sync.Mutex
	revoked map[string]bool
	err     error // returned when set
	calls   atomic.Int64
	tokens  []string
}

func (f *fakeRevocation) CheckRevoked(_ context.Context, token string, c *Claims) error {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, token)
	if f.err != nil {
		return f.err
	}
	if f.revoked[c.OriginJTI] {
		return reject(ErrRevoked, "revoked by test")
	}
	return nil
}

func (f *fakeRevocation) revoke(jti string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked == nil {
		f.revoked = map[string]bool{}
	}
	f.revoked[jti] = true
}

func TestRevocationCheckedOnCacheHits(t *testing.T) {
	keys(t)
	rev := &fakeRevocation{}
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Revocation = rev
	var rejected []string
	var accepted atomic.Int64
	cfg.Observer = Observer{
		OnReject: func(r error) { rejected = append(rejected, Reason(r)) },
		OnAccept: func(use TokenUse) {
			if use != TokenUseAccess {
				t.Errorf("OnAccept(%q); want access", use)
			}
			accepted.Add(1)
		},
	}
	v := mustNew(t, cfg)
	claims := accessClaims()
	tok := mint(t, keyA, claims)
	ctx := context.Background()
	for i := range 3 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatalf("Verify #%d: %v", i, err)
		}
	}
	if got := rev.calls.Load(); got != 3 {
		t.Fatalf("CheckRevoked calls = %d; want 3 (one per Verify, cache hits included)", got)
	}
	if rev.tokens[2] != tok {
		t.Fatalf("CheckRevoked got another token on the cache hit")
	}
	rev.revoke(claims["origin_jti"].(string))
	_, err := v.Verify(ctx, tok)
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("after revocation, a cached token: got %v; want ErrRevoked", err)
	}
	if got := Reason(err); got != "revoked" {
		t.Fatalf("Reason = %q; want revoked", got)
	}
	if accepted.Load() != 3 || len(rejected) != 1 || rejected[0] != "revoked" {
		t.Fatalf("observer: accepted %d, rejected %v; want 3 and [revoked]", accepted.Load(), rejected)
	}
	// Another token of another session is not affected.
	other := accessClaims()
	other["origin_jti"] = "another-origin"
	if _, err := v.Verify(ctx, mint(t, keyA, other)); err != nil {
		t.Fatalf("unrelated token: %v", err)
	}
}

func TestRevokedTokenIsNotCached(t *testing.T) {
	keys(t)
	rev := &fakeRevocation{}
	rev.revoke(accessClaims()["origin_jti"].(string))
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Revocation = rev
	var hits atomic.Int64
	cfg.Observer.OnCache = func(hit bool) {
		if hit {
			hits.Add(1)
		}
	}
	v := mustNew(t, cfg)
	tok := mint(t, keyA, accessClaims())
	for range 2 {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrRevoked) {
			t.Fatalf("got %v; want ErrRevoked", err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("a revoked token was served from the cache %d times", hits.Load())
	}
}

func TestRevocationCheckerErrors(t *testing.T) {
	keys(t)
	tok := mint(t, keyA, accessClaims())
	for _, tc := range []struct {
		name   string
		err    error
		want   error
		reason string
	}{
		{"unavailable kept", reject(ErrRevocationUnavailable, "cognito down"), ErrRevocationUnavailable, "revocation_unavailable"},
		{"foreign error fails closed", errors.New("boom"), ErrRevocationUnavailable, "revocation_unavailable"},
		{"wrapped revoked", errors.Join(errors.New("x"), ErrRevoked), ErrRevoked, "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := staticConfig(TokenUseAccess, keyA)
			cfg.Revocation = &fakeRevocation{err: tc.err}
			v := mustNew(t, cfg)
			_, err := v.Verify(context.Background(), tok)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v; want %v", err, tc.want)
			}
			if got := Reason(err); got != tc.reason {
				t.Fatalf("Reason = %q; want %q", got, tc.reason)
			}
			if strings.Contains(err.Error(), tok) {
				t.Fatal("the error contains the token")
			}
		})
	}
}

func TestRevocationBeforePolicy(t *testing.T) {
	keys(t)
	rev := &fakeRevocation{}
	rev.revoke(accessClaims()["origin_jti"].(string))
	cfg := staticConfig(TokenUseAccess, keyA)
	cfg.Pools[0].Policy = Policy{AllGroups: []string{"nobody-has-this"}}
	cfg.Revocation = rev
	v := mustNew(t, cfg)
	_, err := v.Verify(context.Background(), mint(t, keyA, accessClaims()))
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("got %v; want ErrRevoked before the policy's verdict", err)
	}
}
