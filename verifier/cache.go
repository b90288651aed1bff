package verifier

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// tokenCache remembers verified tokens. It is a fixed-size, set-associative
// table of atomic pointers: a lookup hashes the whole token, loads at most
// cacheWays pointers from one set and compares the stored token with the
// presented one in full, so a hash collision can only cause a miss. Reads
// take no lock and do not allocate.
//
// Memory is bounded twice: by the number of slots, and by maxBytes, an
// upper estimate of the heap each entry keeps alive (see entryCost) summed
// over the entries. Writes replace an empty, expired or soonest-expiring
// entry of the set; when the byte budget would be exceeded they replace
// the set's largest entry instead, if it is larger, and otherwise do not
// cache the token. So a flood of large tokens cannot grow the cache past
// maxBytes, and ordinary tokens still displace the large ones.
type tokenCache struct {
	seed     maphash.Seed
	mask     uint64 // number of sets - 1
	slots    []atomic.Pointer[cacheEntry]
	maxBytes int64
	// bytes is at least the summed cost of the entries in slots: a write
	// adds the new entry's cost before publishing it and subtracts the
	// replaced entry's cost after unpublishing it.
	bytes atomic.Int64
}

const cacheWays = 8

// cacheEntry is an immutable verified token.
type cacheEntry struct {
	hash   uint64
	token  string
	claims *Claims // never handed out; callers get copies
	pool   *pool
	key    *publicKey
	cost   int64 // entryCost
}

func newTokenCache(size int, maxBytes int64) *tokenCache {
	sets := 1
	for sets*cacheWays < size {
		sets *= 2
	}
	return &tokenCache{
		seed:     maphash.MakeSeed(),
		mask:     uint64(sets - 1),
		slots:    make([]atomic.Pointer[cacheEntry], sets*cacheWays),
		maxBytes: maxBytes,
	}
}

// entryCost is an upper estimate of the heap bytes an entry for token and
// c keeps alive: the copy of the token, the decoded payload (c.raw, of
// which the claim strings are substrings), strings decoded from JSON
// escapes (each no longer than its escaped form, so at most the payload
// again), the Groups and Scopes slices, and the two structs. Each
// allocation is rounded up by an eighth for the allocator's size classes.
func entryCost(token string, c *Claims) int64 {
	alloc := func(n int) int64 { return int64(n + n/8) }
	cost := alloc(len(token)) + alloc(len(c.raw)) +
		alloc(int(unsafe.Sizeof(cacheEntry{}))) + alloc(int(unsafe.Sizeof(Claims{})))
	if strings.IndexByte(c.raw, '\\') >= 0 {
		cost += alloc(len(c.raw))
	}
	const stringHeader = int(unsafe.Sizeof(""))
	if len(c.Groups) > 0 {
		cost += alloc(stringHeader * len(c.Groups))
	}
	if len(c.Scopes) > 0 {
		cost += alloc(stringHeader * len(c.Scopes))
	}
	return cost
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

// put stores e (whose cost is set) in its set, in place of an empty,
// expired or soonest-expiring entry, or of the set's largest entry when
// the byte budget requires it. It does not store e when e does not fit.
func (tc *tokenCache) put(e *cacheEntry, now time.Time) {
	if e.cost > tc.maxBytes {
		return
	}
	set := tc.set(e.hash)
	free, soon, big := -1, -1, -1
	var freeOld, soonOld, bigOld *cacheEntry
	for i := range set {
		old := set[i].Load()
		switch {
		case old == nil || (old.hash == e.hash && old.token == e.token) || !now.Before(old.claims.ExpiresAt) ||
			old.key.removed.Load():
			if free < 0 {
				free, freeOld = i, old
			}
			continue
		case soon < 0 || old.claims.ExpiresAt.Before(soonOld.claims.ExpiresAt):
			soon, soonOld = i, old
		}
		if big < 0 || old.cost > bigOld.cost {
			big, bigOld = i, old
		}
	}
	if free < 0 {
		free, freeOld = soon, soonOld
	}
	if tc.replace(&set[free], freeOld, e) || big < 0 || big == free || bigOld.cost <= costOf(freeOld) {
		return
	}
	tc.replace(&set[big], bigOld, e)
}

func costOf(e *cacheEntry) int64 {
	if e == nil {
		return 0
	}
	return e.cost
}

// replace swaps e into slot in place of old if the byte budget allows it
// and the slot still holds old. It reports whether it gave up for lack of
// budget, which a caller may retry with a larger victim; a lost race is
// not worth retrying and reports true.
func (tc *tokenCache) replace(slot *atomic.Pointer[cacheEntry], old, e *cacheEntry) (done bool) {
	// Reserve e's cost first, so that concurrent writers see it; only
	// then may old's cost be counted as freed.
	if tc.bytes.Add(e.cost)-costOf(old) > tc.maxBytes {
		tc.bytes.Add(-e.cost)
		return false
	}
	if !slot.CompareAndSwap(old, e) {
		tc.bytes.Add(-e.cost)
		return true
	}
	if old != nil {
		tc.bytes.Add(-old.cost)
	}
	return true
}

// remove drops e if it is still cached.
func (tc *tokenCache) remove(e *cacheEntry) {
	set := tc.set(e.hash)
	for i := range set {
		if set[i].CompareAndSwap(e, nil) {
			tc.bytes.Add(-e.cost)
			return
		}
	}
}

// sweep drops every entry for which drop returns true.
func (tc *tokenCache) sweep(drop func(*cacheEntry) bool) {
	for i := range tc.slots {
		if e := tc.slots[i].Load(); e != nil && drop(e) && tc.slots[i].CompareAndSwap(e, nil) {
			tc.bytes.Add(-e.cost)
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
