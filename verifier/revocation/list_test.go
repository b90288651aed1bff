package revocation_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var epoch = time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)

func newList(t *testing.T, cfg revocation.Config) (*revocation.List, *clock) {
	t.Helper()
	clk := &clock{t: epoch}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	l, err := revocation.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, clk
}

func claims(sub, origin string, iat time.Time) *verifier.Claims {
	return &verifier.Claims{Subject: sub, OriginJTI: origin, IssuedAt: iat, ExpiresAt: iat.Add(time.Hour), TokenUse: verifier.TokenUseAccess}
}

func TestListByOriginJTI(t *testing.T) {
	l, _ := newList(t, revocation.Config{})
	ctx := context.Background()
	a := claims("alice", "origin-a", epoch.Add(-time.Minute))
	b := claims("alice", "origin-b", epoch.Add(-time.Minute))
	if err := l.CheckRevoked(ctx, "", a); err != nil {
		t.Fatalf("empty list: %v", err)
	}
	if err := l.Revoke(ctx, revocation.Entry{OriginJTI: "origin-a"}); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckRevoked(ctx, "", a); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("got %v; want ErrRevoked", err)
	}
	if err := l.CheckRevoked(ctx, "", b); err != nil {
		t.Fatalf("another sign-in of the same user: got %v; want nil", err)
	}
	if l.Len() != 1 {
		t.Fatalf("Len = %d; want 1", l.Len())
	}
}

func TestListByUserIssuedBefore(t *testing.T) {
	l, _ := newList(t, revocation.Config{})
	ctx := context.Background()
	signOut := epoch.Add(-30 * time.Second)
	if err := l.Revoke(ctx, revocation.Entry{Subject: "alice", IssuedBefore: signOut}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    *verifier.Claims
		want error
	}{
		{"issued before", claims("alice", "o1", signOut.Add(-time.Second)), verifier.ErrRevoked},
		{"issued after", claims("alice", "o2", signOut.Add(time.Second)), nil},
		{"no iat", claims("alice", "o3", time.Time{}), verifier.ErrRevoked},
		{"another user", claims("bob", "o4", signOut.Add(-time.Hour)), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := l.CheckRevoked(ctx, "", tc.c); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v; want %v", err, tc.want)
			}
		})
	}
	// A later sign-out moves the bar; an earlier one never lowers it.
	later := epoch.Add(10 * time.Second)
	l.Revoke(ctx, revocation.Entry{Subject: "alice", IssuedBefore: later})
	l.Revoke(ctx, revocation.Entry{Subject: "alice", IssuedBefore: signOut.Add(-time.Hour)})
	if err := l.CheckRevoked(ctx, "", claims("alice", "o2", signOut.Add(time.Second))); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("after a second sign-out: got %v; want ErrRevoked", err)
	}
}

func TestListEntriesExpire(t *testing.T) {
	l, clk := newList(t, revocation.Config{MaxTokenLifetime: time.Hour})
	ctx := context.Background()
	l.Revoke(ctx, revocation.Entry{OriginJTI: "old"})
	clk.Add(59 * time.Minute)
	if err := l.CheckRevoked(ctx, "", claims("u", "old", epoch)); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("within the lifetime: got %v; want ErrRevoked", err)
	}
	clk.Add(2 * time.Minute)
	// The next write sweeps expired entries.
	l.Revoke(ctx, revocation.Entry{OriginJTI: "new"})
	if l.Len() != 1 {
		t.Fatalf("Len after expiry = %d; want 1 (only the new entry)", l.Len())
	}
	// An entry whose tokens have all expired is not even stored.
	l.Revoke(ctx, revocation.Entry{OriginJTI: "ancient", Expires: clk.Now().Add(-time.Second)})
	if l.Len() != 1 {
		t.Fatalf("Len = %d; want 1", l.Len())
	}
}

func TestListMaxEntries(t *testing.T) {
	evicted := 0
	l, clk := newList(t, revocation.Config{MaxEntries: 3, Observer: revocation.Observer{OnEvict: func() { evicted++ }}})
	ctx := context.Background()
	for _, o := range []string{"a", "b", "c", "d"} {
		l.Revoke(ctx, revocation.Entry{OriginJTI: o})
		clk.Add(time.Second)
	}
	if l.Len() != 3 || evicted != 1 {
		t.Fatalf("Len = %d, evicted %d; want 3 and 1", l.Len(), evicted)
	}
	if err := l.CheckRevoked(ctx, "", claims("u", "a", epoch)); err != nil {
		t.Fatalf("the entry closest to expiry (a) should have been dropped: %v", err)
	}
	if err := l.CheckRevoked(ctx, "", claims("u", "d", epoch)); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("d: got %v; want ErrRevoked", err)
	}
}

func TestListInvalid(t *testing.T) {
	l, _ := newList(t, revocation.Config{})
	ctx := context.Background()
	long := string(make([]byte, 200))
	for _, e := range []revocation.Entry{
		{},
		{OriginJTI: "a", Subject: "b", IssuedBefore: epoch},
		{Subject: "b"},
		{OriginJTI: "has space"},
		{OriginJTI: long},
	} {
		if err := l.Revoke(ctx, e); !errors.Is(err, revocation.ErrInvalidEntry) {
			t.Errorf("Revoke(%+v): got %v; want ErrInvalidEntry", e, err)
		}
	}
	for _, cfg := range []revocation.Config{{MaxTokenLifetime: -1}, {MaxTokenLifetime: 8 * 24 * time.Hour}, {MaxEntries: -1}, {SyncRetry: -1}} {
		if _, err := revocation.New(cfg); !errors.Is(err, revocation.ErrInvalidConfig) {
			t.Errorf("New(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
	l.Close()
	if err := l.Revoke(ctx, revocation.Entry{OriginJTI: "x"}); !errors.Is(err, revocation.ErrClosed) {
		t.Errorf("after Close: got %v; want ErrClosed", err)
	}
}

// memSync is a Sync whose replicas share a slice, for the contract of
// List with Sync.
type memSync struct {
	mu      sync.Mutex
	entries []revocation.Entry
	subs    []chan revocation.Entry
	fail    error
}

func (m *memSync) Publish(_ context.Context, e revocation.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.entries = append(m.entries, e)
	for _, c := range m.subs {
		c <- e
	}
	return nil
}

func (m *memSync) Run(ctx context.Context, apply func([]revocation.Entry)) error {
	c := make(chan revocation.Entry, 100)
	m.mu.Lock()
	apply(append([]revocation.Entry(nil), m.entries...))
	m.subs = append(m.subs, c)
	m.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-c:
			apply([]revocation.Entry{e})
		}
	}
}

func TestListSync(t *testing.T) {
	ms := &memSync{}
	ms.entries = []revocation.Entry{{OriginJTI: "before-start", Expires: epoch.Add(time.Hour)}}
	var ops []string
	var mu sync.Mutex
	obs := revocation.Observer{OnSync: func(op string, err error) { mu.Lock(); ops = append(ops, op); mu.Unlock() }}
	a, _ := newList(t, revocation.Config{Sync: ms, Observer: obs})
	b, _ := newList(t, revocation.Config{Sync: ms})
	ctx := context.Background()
	waitRevoked(t, b, claims("u", "before-start", epoch))
	if err := a.Revoke(ctx, revocation.Entry{OriginJTI: "from-a"}); err != nil {
		t.Fatal(err)
	}
	waitRevoked(t, b, claims("u", "from-a", epoch))
	ms.mu.Lock()
	ms.fail = errors.New("store down")
	ms.mu.Unlock()
	err := a.Revoke(ctx, revocation.Entry{OriginJTI: "unshared"})
	if !errors.Is(err, revocation.ErrNotShared) {
		t.Fatalf("got %v; want ErrNotShared", err)
	}
	if err := a.CheckRevoked(ctx, "", claims("u", "unshared", epoch)); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("an unshared entry is still in force locally: got %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ops) != 2 || ops[0] != "publish" || ops[1] != "publish" {
		t.Fatalf("OnSync ops = %v; want [publish publish]", ops)
	}
}

func waitRevoked(t *testing.T, l *revocation.List, c *verifier.Claims) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for l.CheckRevoked(context.Background(), "", c) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("origin %s was never revoked", c.OriginJTI)
		}
		time.Sleep(time.Millisecond)
	}
}
