package verifier

import (
	"hash/maphash"
	"math"
	"math/bits"
	"reflect"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// tokenCache remembers verified tokens. It is a fixed-size table of
// atomic pointers, cut into sets of cacheWays slots, with twice as many
// slots as the configured size. Each token may live in two sets, chosen
// by two halves of its hash ("two choices"), and is stored in the emptier
// one. A single random set per token would let some sets overflow while
// others stay half empty: with one choice and exactly size slots, a
// working set of size tokens found only about 85% of its entries. With
// two choices and twice the room, the fullest set after size insertions
// holds about 7 of its 8 slots, so a working set of size tokens stays
// whole (TestCacheWorkingSet checks at most 1% misses; it measures none).
//
// A lookup loads at most 2·cacheWays tags, which live in an array beside
// the slots so that a miss reads no entry, and confirms a matching tag by
// comparing the stored token with the presented one in full: a hash
// collision can only cause a miss. Reads take no lock and do not
// allocate.
//
// The hash covers the token's length and its last hashTail bytes: the
// end of a JWS is its signature, which nobody but the issuer can choose,
// so the tail spreads tokens as well as the whole token would at a
// fraction of the cost. (Tokens that share a tail are still told apart by
// the full comparison; only verified tokens are ever stored.)
//
// Memory is bounded twice: by the number of slots, and by maxBytes, an
// upper estimate of the heap each entry keeps alive (see entryCost) summed
// over the entries. Writes replace an empty, expired or soonest-expiring
// entry of the two sets; when the byte budget would be exceeded they
// replace the largest entry instead, if it is larger, and otherwise do not
// cache the token. So a flood of large tokens cannot grow the cache past
// maxBytes, and ordinary tokens still displace the large ones.
type tokenCache struct {
	seed  maphash.Seed
	mask  uint64 // number of sets - 1
	tags  []atomic.Uint64
	slots []atomic.Pointer[cacheEntry]
	// maxBytes bounds the summed cost of the entries.
	maxBytes int64
	// bytes is at least the summed cost of the entries in slots: a write
	// adds the new entry's cost before publishing it and subtracts the
	// replaced entry's cost after unpublishing it.
	bytes atomic.Int64
}

const (
	cacheWays = 8
	// cacheSlack is the number of slots per entry of the configured size.
	cacheSlack = 2
	// hashTail is how many bytes at the end of a token the hash reads.
	hashTail = 32
)

// cacheEntry is an immutable verified token.
type cacheEntry struct {
	hash  uint64
	token string
	// claims are shared by every caller that presents the token: Verify
	// returns this pointer, and callers must not modify what it points to
	// (see Claims). In race-enabled builds, pristine is a deep copy that
	// every hit compares with, to catch callers that do.
	claims   *Claims
	pristine *Claims
	pool     *pool
	key      *publicKey
	cost     int64 // entryCost
	// The time checks of checkTime, precomputed in Unix nanoseconds: the
	// token is valid at now when validFrom <= now < validUntil. A hit
	// outside that range runs checkTime for the precise error.
	validFrom, validUntil int64
}

func newTokenCache(size int, maxBytes int64) *tokenCache {
	sets := 1
	for sets*cacheWays < cacheSlack*size {
		sets *= 2
	}
	return &tokenCache{
		seed:     maphash.MakeSeed(),
		mask:     uint64(sets - 1),
		tags:     make([]atomic.Uint64, sets*cacheWays),
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

// hash hashes the token's length and its last hashTail bytes.
func (tc *tokenCache) hash(token string) uint64 {
	tail := token
	if len(tail) > hashTail {
		tail = tail[len(tail)-hashTail:]
	}
	return maphash.String(tc.seed, tail) ^ uint64(len(token))*0x9e3779b97f4a7c15
}

// tag is the tag array's value for hash h; 0 marks a slot that never held
// an entry.
func tag(h uint64) uint64 { return h | 1 }

// sets returns the first slot of each of the two sets of h. They differ
// whenever the table has more than one set.
func (tc *tokenCache) sets(h uint64) (a, b uint64) {
	a = h & tc.mask
	b = bits.RotateLeft64(h, 32) & tc.mask
	if b == a {
		b = a ^ 1&tc.mask
	}
	return a * cacheWays, b * cacheWays
}

// get returns the entry for token, or nil.
func (tc *tokenCache) get(token string, h uint64) *cacheEntry {
	a, b := tc.sets(h)
	if e := tc.find(a, token, h); e != nil {
		return e
	}
	return tc.find(b, token, h)
}

// find looks for token in the set that starts at slot base.
func (tc *tokenCache) find(base uint64, token string, h uint64) *cacheEntry {
	t := tag(h)
	tags := tc.tags[base : base+cacheWays : base+cacheWays]
	for i := range tags {
		if tags[i].Load() != t {
			continue
		}
		// The tag is a hint: a writer publishes the entry, then its tag,
		// so the slot may hold another entry by now.
		if e := tc.slots[base+uint64(i)].Load(); e != nil && e.hash == h && e.token == token {
			return e
		}
	}
	return nil
}

// put stores e (whose cost is set) in one of its two sets: in place of
// the same token if it is there; else in a free slot (empty, or holding
// an expired entry or one whose key was removed) of the set with more
// free slots; else in place of the soonest-expiring entry of the two
// sets. When the byte budget does not allow that, it evicts the largest
// entry of the two sets and of the evictSets sets after the first, if
// that entry is larger than e, and tries once more; otherwise e is not
// stored. So a flood of large tokens cannot grow the cache past maxBytes,
// and smaller tokens still displace them.
func (tc *tokenCache) put(e *cacheEntry, now time.Time) {
	if e.cost > tc.maxBytes {
		return
	}
	var (
		free       [2]slotRef // the first free slot of each set
		nfree      [2]int
		same, soon slotRef
		nowNs      = now.UnixNano()
		setA, setB = tc.sets(e.hash)
	)
	for s, base := range [2]uint64{setA, setB} {
		for i := base; i < base+cacheWays; i++ {
			old := tc.slots[i].Load()
			switch {
			case old != nil && old.hash == e.hash && old.token == e.token:
				if !same.ok {
					same = slotRef{i, old, true}
				}
			case old == nil || nowNs >= old.validUntil || old.key.removed.Load():
				if nfree[s] == 0 {
					free[s] = slotRef{i, old, true}
				}
				nfree[s]++
			case !soon.ok || old.validUntil < soon.old.validUntil:
				soon = slotRef{i, old, true}
			}
		}
	}
	var victim slotRef
	switch {
	case same.ok:
		victim = same
	case nfree[0] > 0 && nfree[0] >= nfree[1]:
		victim = free[0]
	case nfree[1] > 0:
		victim = free[1]
	default:
		victim = soon
	}
	if !victim.ok || tc.replace(victim.i, victim.old, e) {
		return
	}

	// Over the byte budget: make room by evicting a larger entry.
	var big slotRef
	scan := func(base uint64) {
		for i := base; i < base+cacheWays; i++ {
			if old := tc.slots[i].Load(); old != nil && i != victim.i && (!big.ok || old.cost > big.old.cost) {
				big = slotRef{i, old, true}
			}
		}
	}
	scan(setB)
	for k := range uint64(evictSets) {
		scan((setA/cacheWays + k) & tc.mask * cacheWays)
	}
	if !big.ok || big.old.cost <= e.cost || !tc.slots[big.i].CompareAndSwap(big.old, nil) {
		return
	}
	tc.bytes.Add(-big.old.cost)
	tc.replace(victim.i, victim.old, e)
}

// slotRef is a slot of a tokenCache and the entry it held when read.
type slotRef struct {
	i   uint64
	old *cacheEntry
	ok  bool
}

// evictSets is how many sets put searches for a larger entry to evict when
// the byte budget is exhausted.
const evictSets = 16

func costOf(e *cacheEntry) int64 {
	if e == nil {
		return 0
	}
	return e.cost
}

// replace swaps e into slot i in place of old if the byte budget allows it
// and the slot still holds old. It reports whether it gave up for lack of
// budget, which a caller may retry with a larger victim; a lost race is
// not worth retrying and reports true.
func (tc *tokenCache) replace(i uint64, old, e *cacheEntry) (done bool) {
	// Reserve e's cost first, so that concurrent writers see it; only
	// then may old's cost be counted as freed.
	if tc.bytes.Add(e.cost)-costOf(old) > tc.maxBytes {
		tc.bytes.Add(-e.cost)
		return false
	}
	if !tc.slots[i].CompareAndSwap(old, e) {
		tc.bytes.Add(-e.cost)
		return true
	}
	tc.tags[i].Store(tag(e.hash))
	if old != nil {
		tc.bytes.Add(-old.cost)
	}
	return true
}

// remove drops e if it is still cached.
func (tc *tokenCache) remove(e *cacheEntry) {
	a, b := tc.sets(e.hash)
	for _, base := range [2]uint64{a, b} {
		for i := base; i < base+cacheWays; i++ {
			if tc.slots[i].CompareAndSwap(e, nil) {
				tc.bytes.Add(-e.cost)
				return
			}
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

// checkPristine panics if the shared claims of e differ from the pristine
// copy taken when e was cached: a caller of Verify (or a Policy Check)
// wrote to claims it must only read. Race-enabled builds call it on
// every hit.
func checkPristine(e *cacheEntry) {
	if e.pristine != nil && !sameClaims(e.claims, e.pristine) {
		panic("cognitokit/verifier: the *Claims returned by Verify were modified; they are shared by every caller " +
			"of the same token and must be treated as read-only (use Claims.Clone for a copy you may change)")
	}
}

// sameClaims reports whether a and b hold the same claims, slice elements
// included. It is for race builds only: reflect is slow, but it compares
// every field, including fields added later.
func sameClaims(a, b *Claims) bool { return reflect.DeepEqual(a, b) }

// validRange returns the precomputed time checks of a cacheEntry for c
// under leeway: the Unix nanoseconds from which and until which checkTime
// accepts it. Times beyond the range of Unix nanoseconds saturate, which
// only ever narrows the range; checkTime decides outside it.
func validRange(c *Claims, leeway time.Duration) (from, until int64) {
	from = math.MinInt64
	for _, t := range [2]time.Time{c.NotBefore, c.IssuedAt} {
		if !t.IsZero() {
			from = max(from, unixNanoSat(t.Add(-leeway)))
		}
	}
	return from, unixNanoSat(c.ExpiresAt.Add(leeway))
}

// unixNanoSat is t.UnixNano, saturated at the int64 bounds (the earliest
// value for times before 1678, the latest for times after 2262).
func unixNanoSat(t time.Time) int64 {
	const maxSec = math.MaxInt64/int64(time.Second) - 1
	switch sec := t.Unix(); {
	case sec >= maxSec:
		return math.MaxInt64
	case sec <= -maxSec:
		return math.MinInt64
	}
	return t.UnixNano()
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
