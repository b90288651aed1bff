package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// replicaList is one replica's revocation list, synced through Redis with
// its own client, as separate processes would be.
func replicaList(t *testing.T, opts *redis.UniversalOptions) *syncedList {
	return replicaListEvery(t, opts, time.Hour)
}

// replicaListEvery is replicaList with a reconcile interval: the default
// of an hour shows that propagation does not come from the periodic
// reload.
func replicaListEvery(t *testing.T, opts *redis.UniversalOptions, reconcile time.Duration) *syncedList {
	t.Helper()
	c := redis.NewUniversalClient(opts)
	t.Cleanup(func() { c.Close() })
	rs, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: c, ReconcileInterval: reconcile})
	if err != nil {
		t.Fatal(err)
	}
	return newSyncedList(t, rs)
}

// syncedList is a revocation list whose Sync tells the test each time it
// applied entries from Redis, so that a test waits for that event rather
// than polling.
type syncedList struct {
	*revocation.List
	applied chan struct{} // a token after each apply; capacity 1
}

// observedSync is a revocation.Sync that signals applied after each call
// of the list's apply function.
type observedSync struct {
	revocation.Sync
	applied chan struct{}
}

func (o observedSync) Run(ctx context.Context, apply func([]revocation.Entry)) error {
	return o.Sync.Run(ctx, func(es []revocation.Entry) {
		apply(es)
		select {
		case o.applied <- struct{}{}:
		default: // a token is already waiting
		}
	})
}

func newSyncedList(t *testing.T, sync revocation.Sync) *syncedList {
	t.Helper()
	applied := make(chan struct{}, 1)
	l, err := revocation.New(revocation.Config{Sync: observedSync{Sync: sync, applied: applied}, SyncRetry: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return &syncedList{List: l, applied: applied}
}

func tokenOf(origin string) *verifier.Claims {
	return &verifier.Claims{Subject: "alice", OriginJTI: origin, IssuedAt: time.Now().Add(-time.Minute)}
}

// waitRevoked waits until l refuses c, checking again each time l applies
// entries from Redis, and returns how long that took. It fails t when
// that takes longer than within.
func waitRevoked(t *testing.T, l *syncedList, c *verifier.Claims, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for l.CheckRevoked(context.Background(), "", c) == nil {
		select {
		case <-l.applied:
		case <-timeout.C:
			t.Fatalf("token of subject %s, origin %q: not revoked after %v", c.Subject, c.OriginJTI, within)
		}
	}
	return time.Since(start)
}

func TestRevocationSharedWithinASecond(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	opts := &redis.UniversalOptions{Addrs: []string{srv.Addr}}
	a, b := replicaList(t, opts), replicaList(t, opts)
	ctx := context.Background()
	// Let b subscribe before the first revocation.
	if err := a.Revoke(ctx, revocation.Entry{OriginJTI: "warmup"}); err != nil {
		t.Fatal(err)
	}
	waitRevoked(t, b, tokenOf("warmup"), 5*time.Second)
	var worst time.Duration
	for i := range 20 {
		origin := "origin-" + string(rune('a'+i))
		if err := a.Revoke(ctx, revocation.Entry{OriginJTI: origin}); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, waitRevoked(t, b, tokenOf(origin), time.Second))
	}
	t.Logf("slowest propagation from one replica to the other over 20 revocations: %v", worst)
	// A replica that starts later loads what was revoked before.
	c := replicaList(t, opts)
	waitRevoked(t, c, tokenOf("origin-a"), 5*time.Second)
	if c.Len() != 21 {
		t.Fatalf("late replica Len = %d; want 21", c.Len())
	}
	// User entries travel too.
	if err := b.Revoke(ctx, revocation.Entry{Subject: "bob", IssuedBefore: time.Now()}); err != nil {
		t.Fatal(err)
	}
	bobs := &verifier.Claims{Subject: "bob", IssuedAt: time.Now().Add(-time.Hour)}
	waitRevoked(t, a, bobs, time.Second) // user entries are shared within a second too
}

// TestRevocationReconcileAfterReconnect: a replica whose subscription is
// cut misses the announcement but loads the entry when it resubscribes.
func TestRevocationReconcileAfterReconnect(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	opts := &redis.UniversalOptions{Addrs: []string{srv.Addr}}
	a := replicaList(t, opts)
	b := replicaList(t, opts)
	ctx := context.Background()
	a.Revoke(ctx, revocation.Entry{OriginJTI: "first"})
	waitRevoked(t, b, tokenOf("first"), 5*time.Second)
	admin := srv.Client()
	// Cut every pub/sub connection, then revoke before they come back.
	if err := admin.ClientKillByFilter(ctx, "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	if err := a.Revoke(ctx, revocation.Entry{OriginJTI: "while-away"}); err != nil {
		t.Fatal(err)
	}
	waitRevoked(t, b, tokenOf("while-away"), 5*time.Second)
}

// TestRevocationRedisDown: checks never wait for Redis; a revocation made
// while Redis is down is in force locally and reported as not shared.
func TestRevocationRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// One dial per command, without go-redis's retries (five dials 100 ms
	// apart): the refused connection is reported at once.
	opts := &redis.UniversalOptions{Addrs: []string{srv.Addr}, MaxRetries: -1, DialerRetries: 1}
	a := replicaList(t, opts)
	ctx := context.Background()
	a.Revoke(ctx, revocation.Entry{OriginJTI: "known"})
	srv.Stop()
	if err := a.CheckRevoked(ctx, "", tokenOf("known")); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("with Redis down, a known revocation: got %v; want ErrRevoked", err)
	}
	err := a.Revoke(ctx, revocation.Entry{OriginJTI: "local-only"})
	if !errors.Is(err, revocation.ErrNotShared) {
		t.Fatalf("Revoke with Redis down: got %v; want ErrNotShared", err)
	}
	if err := a.CheckRevoked(ctx, "", tokenOf("local-only")); !errors.Is(err, verifier.ErrRevoked) {
		t.Fatalf("local-only entry: got %v; want ErrRevoked", err)
	}
}

// TestRevocationCluster: the same sharing through a 3-node Redis Cluster
// with the universal client.
func TestRevocationCluster(t *testing.T) {
	t.Parallel()
	opts := &redis.UniversalOptions{Addrs: clusterAddrs(t)}
	a, b := replicaList(t, opts), replicaList(t, opts)
	ctx := context.Background()
	a.Revoke(ctx, revocation.Entry{OriginJTI: "warmup"})
	waitRevoked(t, b, tokenOf("warmup"), 5*time.Second)
	if err := b.Revoke(ctx, revocation.Entry{OriginJTI: "cluster"}); err != nil {
		t.Fatal(err)
	}
	d := waitRevoked(t, a, tokenOf("cluster"), time.Second)
	t.Logf("propagation through the cluster: %v", d)
}

func TestRevocationSyncConfig(t *testing.T) {
	if _, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{}); !errors.Is(err, redisstore.ErrInvalidConfig) {
		t.Fatalf("no client: got %v; want ErrInvalidConfig", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: c, Timeout: -1}); !errors.Is(err, redisstore.ErrInvalidConfig) {
		t.Fatalf("negative Timeout: got %v; want ErrInvalidConfig", err)
	}
}
