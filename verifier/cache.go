package verifier

import (
	"hash/maphash"
	"sync/atomic"
	"time"
)

// tokenCache remembers verified tokens. It is a fixed-size, set-associative
// table of atomic pointers: a lookup hashes the whole token, loads at most
// cacheWays pointers from one set and compares the stored token with the
// presented one in full, so a hash collision can only cause a miss. Reads
// take no lock and do not allocate. Writes replace an empty, expired or
// soonest-expiring entry of the set, so memory is bounded by the table size
// whatever the traffic.
type tokenCache struct {
	seed  maphash.Seed
	mask  uint64 // number of sets - 1
	slots []atomic.Pointer[cacheEntry]
}

const cacheWays = 8

// cacheEntry is an immutable verified token.
type cacheEntry struct {
	hash   uint64
	token  string
	claims *Claims // never handed out; callers get copies
	pool   *pool
	key    *publicKey
}

func newTokenCache(size int) *tokenCache {
	sets := 1
	for sets*cacheWays < size {
		sets *= 2
	}
	return &tokenCache{
		seed:  maphash.MakeSeed(),
		mask:  uint64(sets - 1),
		slots: make([]atomic.Pointer[cacheEntry], sets*cacheWays),
	}
}

func (tc *tokenCache) hash(token string) uint64 { return maphash.String(tc.seed, token) }

func (tc *tokenCache) set(h uint64) []atomic.Pointer[cacheEntry] {
	base := (h & tc.mask) * cacheWays
	return tc.slots[base : base+cacheWays : base+cacheWays]
}

// get returns the entry for token, or nil.
func (tc *tokenCache) get(token string, h uint64) *cacheEntry {
	set := tc.set(h)
	for i := range set {
		if e := set[i].Load(); e != nil && e.hash == h && e.token == token {
			return e
		}
	}
	return nil
}

// put stores e, evicting the entry of its set that expires first.
func (tc *tokenCache) put(e *cacheEntry, now time.Time) {
	set := tc.set(e.hash)
	victim := 0
	var victimExp time.Time
	for i := range set {
		old := set[i].Load()
		if old == nil || (old.hash == e.hash && old.token == e.token) || !now.Before(old.claims.ExpiresAt) ||
			old.key.removed.Load() {
			set[i].Store(e)
			return
		}
		if i == 0 || old.claims.ExpiresAt.Before(victimExp) {
			victim, victimExp = i, old.claims.ExpiresAt
		}
	}
	set[victim].Store(e)
}

// remove drops e if it is still cached.
func (tc *tokenCache) remove(e *cacheEntry) {
	set := tc.set(e.hash)
	for i := range set {
		if set[i].CompareAndSwap(e, nil) {
			return
		}
	}
}

// sweep drops every entry for which drop returns true.
func (tc *tokenCache) sweep(drop func(*cacheEntry) bool) {
	for i := range tc.slots {
		if e := tc.slots[i].Load(); e != nil && drop(e) {
			tc.slots[i].CompareAndSwap(e, nil)
		}
	}
}

// len counts the cached entries (tests).
func (tc *tokenCache) len() int {
	n := 0
	for i := range tc.slots {
		if tc.slots[i].Load() != nil {
			n++
		}
	}
	return n
}
