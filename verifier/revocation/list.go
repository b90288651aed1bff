package revocation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
)

// Defaults of [Config].
const (
	// DefaultMaxTokenLifetime is Cognito's longest access and ID token
	// lifetime (1 day).
	DefaultMaxTokenLifetime = 24 * time.Hour
	// DefaultMaxEntries bounds the list: about 150 MB at most.
	DefaultMaxEntries = 1 << 20
	// DefaultSyncRetry is the pause before Config.Sync's Run is started
	// again after it failed.
	DefaultSyncRetry = time.Second

	maxTokenLifetimeCap = 7 * 24 * time.Hour
)

// Config configures a [List]. Every field is optional; the zero value is
// a list of this process alone.
type Config struct {
	// MaxTokenLifetime is the longest lifetime of the access and ID tokens
	// checked against the list (the app clients' AccessTokenValidity and
	// IdTokenValidity). An entry is forgotten this long after the
	// revocation, when every token it covers has expired anyway. A
	// shorter value keeps the list smaller; a value shorter than the real
	// lifetime would let revoked tokens back in before they expire.
	// Optional. Default DefaultMaxTokenLifetime (24 h, Cognito's
	// maximum); at most 7 days.
	MaxTokenLifetime time.Duration

	// MaxEntries bounds the number of entries. When it is reached, the
	// entry that would expire first is dropped, logged at Warn and counted
	// by Observer.OnEvict: its tokens would be accepted again until they
	// expire. Optional. Default DefaultMaxEntries (about a million).
	MaxEntries int

	// Sync shares the list between replicas (see package
	// [github.com/cognitokit/cognitokit/adapters/redisstore]): entries revoked by
	// any replica reach every other one, and a replica that starts or
	// reconnects loads every live entry. Optional. Default: this process
	// only.
	Sync Sync

	// SyncRetry is the pause before Sync.Run is started again after it
	// returned an error. Optional. Default DefaultSyncRetry (1 s).
	SyncRetry time.Duration

	// Observer receives metrics callbacks. Optional.
	Observer Observer

	// Logger receives sync failures and evictions (never tokens).
	// Optional. Default: discard.
	Logger *slog.Logger

	// Now is the clock. Optional. Default time.Now.
	Now func() time.Time
}

// Observer is a set of optional callbacks for metrics. Nil fields are not
// called. They are called synchronously and concurrently: keep them fast.
type Observer struct {
	// OnCheck is called for every [List.CheckRevoked], with revoked true
	// when the token was refused.
	OnCheck func(revoked bool)
	// OnSync is called after each exchange with Config.Sync: op is
	// "publish" when this replica shared an entry (err is nil on
	// success), and "run" when Sync.Run failed (err says why) and will be
	// started again after Config.SyncRetry.
	OnSync func(op string, err error)
	// OnEvict is called when MaxEntries forced out an entry before it
	// expired.
	OnEvict func()
}

// Sync shares revocations between the replicas of an application. The
// List calls Publish for each local revocation and runs Run for as long
// as it is open. Implementations must be safe for concurrent use.
type Sync interface {
	// Publish stores e durably in the shared store and announces it to
	// the other replicas. It returns nil only once the store has
	// acknowledged the entry.
	Publish(ctx context.Context, e Entry) error
	// Run calls apply with every live entry when it connects (and again
	// after every reconnection, so that nothing missed while
	// disconnected is lost), then with each entry published by any
	// replica as it arrives. It returns ctx's error when ctx ends, or
	// another error when it cannot go on; the List then calls it again
	// after Config.SyncRetry.
	Run(ctx context.Context, apply func([]Entry)) error
}

// List is a revocation list: the origin_jti values and (user, issued
// before) pairs whose tokens must be refused. It implements
// [verifier.RevocationChecker] (set it as verifier.Config.Revocation) and
// [Revoker]. It is safe for concurrent use; close it with [List.Close].
type List struct {
	cfg   Config
	n     atomic.Int64     // len(origins) + len(users), read without the lock
	mu    sync.RWMutex     // guards origins, users and lastSweep
	orig  map[string]int64 // origin_jti -> expiry (Unix ns)
	users map[string]userEntry
	sweep time.Time // last sweep of expired entries

	cancel context.CancelFunc
	done   chan struct{} // closed when the sync goroutine ends
	closed atomic.Bool
}

type userEntry struct {
	before  int64 // IssuedBefore, Unix ns: tokens with iat before it are revoked
	expires int64 // Unix ns
}

// New validates cfg and returns a List. With Config.Sync it starts a
// goroutine that keeps the list in step with the other replicas until
// [List.Close].
func New(cfg Config) (*List, error) {
	switch {
	case cfg.MaxTokenLifetime < 0 || cfg.MaxTokenLifetime > maxTokenLifetimeCap:
		return nil, fmt.Errorf("%w: MaxTokenLifetime %v is outside [0, %v]; use 0 for the default %v", ErrInvalidConfig, cfg.MaxTokenLifetime, maxTokenLifetimeCap, DefaultMaxTokenLifetime)
	case cfg.MaxTokenLifetime == 0:
		cfg.MaxTokenLifetime = DefaultMaxTokenLifetime
	}
	switch {
	case cfg.MaxEntries < 0:
		return nil, fmt.Errorf("%w: MaxEntries is negative; use 0 for the default %d", ErrInvalidConfig, DefaultMaxEntries)
	case cfg.MaxEntries == 0:
		cfg.MaxEntries = DefaultMaxEntries
	}
	switch {
	case cfg.SyncRetry < 0:
		return nil, fmt.Errorf("%w: SyncRetry is negative; use 0 for the default %v", ErrInvalidConfig, DefaultSyncRetry)
	case cfg.SyncRetry == 0:
		cfg.SyncRetry = DefaultSyncRetry
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &List{cfg: cfg, orig: map[string]int64{}, users: map[string]userEntry{}, done: make(chan struct{})}
	if cfg.Sync == nil {
		close(l.done)
		l.cancel = func() {}
		return l, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.runSync(ctx)
	return l, nil
}

func (l *List) runSync(ctx context.Context) {
	defer close(l.done)
	for {
		err := l.cfg.Sync.Run(ctx, l.applyShared)
		if ctx.Err() != nil {
			return
		}
		l.cfg.Logger.Warn("revocation: the shared list is unreachable; revocations by other replicas wait for the reconnection", "err", err)
		if f := l.cfg.Observer.OnSync; f != nil {
			f("run", err)
		}
		t := time.NewTimer(l.cfg.SyncRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// applyShared applies entries that came from Config.Sync.
func (l *List) applyShared(entries []Entry) {
	for _, e := range entries {
		if e.check() == nil {
			l.apply(e)
		}
	}
}

// Revoke puts e in force in this process at once and, with Config.Sync,
// shares it with the other replicas. It returns an error matching
// ErrInvalidEntry for a malformed entry (nothing is revoked), and one
// matching ErrNotShared when the entry is in force here but the shared
// store did not acknowledge it.
func (l *List) Revoke(ctx context.Context, e Entry) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context; pass context.Background() or the request's context", ErrInvalidEntry)
	}
	if l.closed.Load() {
		return ErrClosed
	}
	if err := e.check(); err != nil {
		return err
	}
	if e.Expires.IsZero() {
		from := l.cfg.Now()
		if e.Subject != "" && e.IssuedBefore.Before(from) {
			from = e.IssuedBefore
		}
		e.Expires = from.Add(l.cfg.MaxTokenLifetime)
	}
	if !l.cfg.Now().Before(e.Expires) {
		return nil // every token it covers has expired
	}
	l.apply(e)
	if l.cfg.Sync == nil {
		return nil
	}
	err := l.cfg.Sync.Publish(ctx, e)
	if f := l.cfg.Observer.OnSync; f != nil {
		f("publish", err)
	}
	if err != nil {
		l.cfg.Logger.Error("revocation: the revocation is in force here but not shared with the other replicas", "err", err)
		return fmt.Errorf("%w: %w", ErrNotShared, err)
	}
	return nil
}

// apply adds e (valid, with Expires set) to the maps.
func (l *List) apply(e Entry) {
	now := l.cfg.Now()
	exp := e.Expires.UnixNano()
	if e.Expires.IsZero() {
		exp = now.Add(l.cfg.MaxTokenLifetime).UnixNano()
	}
	if exp <= now.UnixNano() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		l.sweepLocked(now.UnixNano())
		l.sweep = now
	}
	if e.OriginJTI != "" {
		old, ok := l.orig[e.OriginJTI]
		if !ok {
			l.makeRoomLocked(now)
		}
		l.orig[e.OriginJTI] = max(old, exp)
	} else {
		old, ok := l.users[e.Subject]
		if !ok {
			l.makeRoomLocked(now)
		}
		l.users[e.Subject] = userEntry{before: max(old.before, e.IssuedBefore.UnixNano()), expires: max(old.expires, exp)}
	}
	l.n.Store(int64(len(l.orig) + len(l.users)))
}

func (l *List) sweepLocked(now int64) {
	for k, exp := range l.orig {
		if exp <= now {
			delete(l.orig, k)
		}
	}
	for k, u := range l.users {
		if u.expires <= now {
			delete(l.users, k)
		}
	}
}

// makeRoomLocked makes room for one entry when the list is full: expired
// entries go first, then the one that expires first.
func (l *List) makeRoomLocked(now time.Time) {
	if len(l.orig)+len(l.users) < l.cfg.MaxEntries {
		return
	}
	l.sweepLocked(now.UnixNano())
	l.sweep = now
	if len(l.orig)+len(l.users) < l.cfg.MaxEntries {
		return
	}
	var victim string
	var user bool
	soonest := int64(1<<63 - 1)
	for k, exp := range l.orig {
		if exp < soonest {
			victim, user, soonest = k, false, exp
		}
	}
	for k, u := range l.users {
		if u.expires < soonest {
			victim, user, soonest = k, true, u.expires
		}
	}
	if user {
		delete(l.users, victim)
	} else {
		delete(l.orig, victim)
	}
	l.cfg.Logger.Warn("revocation: the list is full (Config.MaxEntries); dropped the entry closest to expiry", "max_entries", l.cfg.MaxEntries)
	if f := l.cfg.Observer.OnEvict; f != nil {
		f()
	}
}

var (
	errRevokedSignIn = fmt.Errorf("%w: the token's sign-in was revoked (sign-out or revoked refresh token); sign in again", verifier.ErrRevoked)
	errRevokedUser   = fmt.Errorf("%w: the user signed out everywhere after the token was issued; sign in again", verifier.ErrRevoked)
)

// CheckRevoked implements [verifier.RevocationChecker]: it returns an
// error matching [verifier.ErrRevoked] when c's origin_jti is revoked, or
// when c's user signed out everywhere after c was issued (a token without
// iat counts as issued before). It is two map lookups under a read lock,
// and nothing at all while the list is empty.
func (l *List) CheckRevoked(_ context.Context, _ string, c *verifier.Claims) error {
	err := l.check(c)
	if f := l.cfg.Observer.OnCheck; f != nil {
		f(err != nil)
	}
	return err
}

func (l *List) check(c *verifier.Claims) error {
	if c == nil {
		return errors.New("revocation: nil claims")
	}
	if l.n.Load() == 0 {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if c.OriginJTI != "" {
		if _, ok := l.orig[c.OriginJTI]; ok {
			return errRevokedSignIn
		}
	}
	if u, ok := l.users[c.Subject]; ok && c.Subject != "" {
		if c.IssuedAt.IsZero() || c.IssuedAt.UnixNano() < u.before {
			return errRevokedUser
		}
	}
	return nil
}

// Len returns the number of entries, expired ones not yet swept included.
func (l *List) Len() int { return int(l.n.Load()) }

// Close stops sharing: the sync goroutine ends, and Revoke fails with
// ErrClosed. CheckRevoked keeps answering from the entries already known.
// Close is idempotent and returns nil.
func (l *List) Close() error {
	l.closed.Store(true)
	l.cancel()
	<-l.done
	return nil
}

var (
	_ verifier.RevocationChecker = (*List)(nil)
	_ Revoker                    = (*List)(nil)
)
