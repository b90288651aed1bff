package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/cognitokit/cognitokit/internal/rsaverify"
)

// Internal fetch errors; they reach callers wrapped in ErrKeysUnavailable.
var (
	errTooManyRedirects = errors.New("stopped after 5 redirects")
	errClosed           = errors.New("the verifier is closed")
	errNilClaims        = errors.New("nil claims")
)

const (
	minRSABits = 2048
	maxRSABits = 8192
	maxSigSize = maxRSABits / 8
	maxJWKSKey = 1000 // keys per JWKS document
)

// publicKey is one usable JWK, parsed once at fetch time.
type publicKey struct {
	kid string
	alg algorithm // the one alg this key verifies
	// algImplicit: an RSA JWK without alg (alg is then RS256; identity
	// pools take it as RS512).
	algImplicit bool
	rsa         *rsa.PublicKey
	// pkcs1 is rsa with its modulus precomputed, for RS256, RS384 and
	// RS512 (see jws.go); nil for EC keys.
	pkcs1 *rsaverify.PublicKey
	ec    *ecdsa.PublicKey
	// removed is set when a successful refresh no longer lists this key;
	// cached tokens signed by it are then dropped.
	removed atomic.Bool
}

func (k *publicKey) sameMaterial(o *publicKey) bool {
	if k.alg != o.alg {
		return false
	}
	if k.rsa != nil {
		return o.rsa != nil && k.rsa.Equal(o.rsa)
	}
	return o.ec != nil && k.ec.Equal(o.ec)
}

// keySnapshot is an immutable key set. Readers load it with one atomic
// load and use its map without locks.
type keySnapshot struct {
	keys      map[string]*publicKey
	fetchedAt time.Time // last successful fetch or revalidation (JWKS clock)
	staleAt   time.Time // zero: never stale (static JWKS)
	maxAge    time.Duration
	etag      string
}

func (s *keySnapshot) fresh(now time.Time) bool {
	return s != nil && (s.staleAt.IsZero() || now.Before(s.staleAt))
}

// fetchCall is one in-flight fetch that callers wait on.
type fetchCall struct {
	done chan struct{}
	snap *keySnapshot // set on success
	err  error        // set on failure
}

// keySet is the key cache of one JWKS URL (or one static JWKS), shared by
// the pools that use it.
type keySet struct {
	url    string
	static bool
	s      *settings
	snap   atomic.Pointer[keySnapshot]
	// onRemove is called after a refresh stopped trusting some keys.
	onRemove func()

	ctx context.Context // cancelled by close
	wg  *sync.WaitGroup

	mu          sync.Mutex // guards the fields below
	inflight    *fetchCall
	lastAttempt time.Time
	lastErr     error
	failures    int
	refreshing  bool // background refresh goroutine started
	closed      bool
}

// Fetch triggers, reported in FetchEvent.Trigger.
const (
	triggerCold       = "cold"
	triggerUnknownKid = "unknown_kid"
	triggerRefresh    = "refresh"
	triggerStale      = "stale"
	triggerWarm       = "warm"
)

var errCoolingDown = errors.New("cooling down")

// key returns the key named kid, fetching the key set when it is cold,
// stale, or lacks kid (subject to the cooldown).
func (ks *keySet) key(ctx context.Context, kid string) (*publicKey, error) {
	snap := ks.snap.Load()
	if snap != nil && (snap.staleAt.IsZero() || ks.s.clock().Before(snap.staleAt)) {
		if k := snap.keys[kid]; k != nil {
			return k, nil
		}
		if ks.static {
			return nil, reject(ErrUnknownKey, "the kid is not in the pool's static JWKS")
		}
		call, err := ks.start(triggerUnknownKid, true)
		if err != nil {
			if errors.Is(err, errCoolingDown) {
				return nil, &rejection{sentinel: ErrCooldown, also: ErrUnknownKey,
					msg: "the kid is not in the pool's JWKS, which was fetched less than RefetchCooldown ago; the token is from another pool or forged"}
			}
			return nil, &rejection{sentinel: ErrKeysUnavailable, msg: "cannot refetch the JWKS", cause: err}
		}
		snap, err = ks.wait(ctx, call)
		if err != nil {
			return nil, err
		}
		if k := snap.keys[kid]; k != nil {
			return k, nil
		}
		return nil, reject(ErrUnknownKey, "the kid is not in the pool's JWKS, even after a refetch")
	}
	trigger := triggerCold
	if snap != nil {
		trigger = triggerStale
	}
	call, err := ks.start(trigger, true)
	if err != nil {
		return nil, ks.unavailable(err)
	}
	snap, err = ks.wait(ctx, call)
	if err != nil {
		return nil, err
	}
	if k := snap.keys[kid]; k != nil {
		return k, nil
	}
	return nil, reject(ErrUnknownKey, "the kid is not in the pool's JWKS")
}

// unavailable builds the ErrKeysUnavailable error for a fetch that could
// not start.
func (ks *keySet) unavailable(err error) error {
	if errors.Is(err, errCoolingDown) {
		ks.mu.Lock()
		last := ks.lastErr
		ks.mu.Unlock()
		if last == nil {
			last = errors.New("no usable keys yet")
		}
		return &rejection{sentinel: ErrKeysUnavailable,
			msg: "the JWKS at " + ks.url + " failed recently and is retried after RefetchCooldown", cause: last}
	}
	return &rejection{sentinel: ErrKeysUnavailable, msg: "cannot fetch the JWKS at " + ks.url, cause: err}
}

// start joins the in-flight fetch or starts one. With cooldown set, it
// refuses to start a fetch within RefetchCooldown of the previous one.
func (ks *keySet) start(trigger string, cooldown bool) (*fetchCall, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.closed {
		return nil, errClosed
	}
	if ks.inflight != nil {
		return ks.inflight, nil
	}
	now := ks.s.clock()
	if cooldown && !ks.lastAttempt.IsZero() {
		if since := now.Sub(ks.lastAttempt); since >= 0 && since < ks.s.cooldown {
			return nil, errCoolingDown
		}
	}
	ks.lastAttempt = now
	call := &fetchCall{done: make(chan struct{})}
	ks.inflight = call
	ks.wg.Add(1)
	go ks.run(call, trigger)
	return call, nil
}

// wait waits for call or for ctx.
func (ks *keySet) wait(ctx context.Context, call *fetchCall) (*keySnapshot, error) {
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, &rejection{sentinel: ErrKeysUnavailable, msg: "stopped waiting for the JWKS", cause: ctx.Err()}
	}
	if call.err != nil {
		return nil, &rejection{sentinel: ErrKeysUnavailable, msg: "fetching the JWKS at " + ks.url + " failed", cause: call.err}
	}
	return call.snap, nil
}

// run performs one fetch for call and publishes its outcome.
func (ks *keySet) run(call *fetchCall, trigger string) {
	defer ks.wg.Done()
	ctx, cancel := context.WithTimeout(ks.ctx, ks.s.fetchTimeout)
	began := time.Now()
	prev := ks.snap.Load()
	snap, status, notModified, err := ks.fetch(ctx, prev)
	cancel()
	elapsed := time.Since(began)
	if err != nil && ctx.Err() == context.DeadlineExceeded && ks.ctx.Err() == nil {
		err = fmt.Errorf("no complete response within FetchTimeout (%v): %w", ks.s.fetchTimeout, err)
	}

	var removed int
	ks.mu.Lock()
	if err == nil {
		ks.snap.Store(snap)
		// Keys no longer listed (or whose material changed) stop being
		// trusted now; the new snapshot is already published.
		if prev != nil {
			for kid, k := range prev.keys {
				if snap.keys[kid] != k {
					k.removed.Store(true)
					removed++
				}
			}
		}
		ks.lastErr = nil
		ks.failures = 0
	} else {
		ks.lastErr = err
		ks.failures++
	}
	call.snap, call.err = snap, err
	ks.inflight = nil
	startRefresh := err == nil && !ks.refreshing && !ks.closed
	if startRefresh {
		ks.refreshing = true
		ks.wg.Add(1)
	}
	ks.mu.Unlock()

	if startRefresh {
		go ks.refreshLoop()
	}
	if removed > 0 && ks.onRemove != nil {
		ks.onRemove() // drop cached tokens of removed keys
	}
	nkeys := 0
	if snap != nil {
		nkeys = len(snap.keys)
	}
	// Sweep and report before releasing the waiters, so that a caller who
	// saw the outcome also sees its effects.
	if ks.s.obs.OnFetch != nil {
		ks.s.obs.OnFetch(FetchEvent{URL: ks.url, Trigger: trigger, Duration: elapsed, Status: status,
			Keys: nkeys, Err: err, NotModified: notModified})
	}
	close(call.done)
	if err != nil {
		ks.s.log.Warn("cognitokit/verifier: JWKS fetch failed", slog.String("url", ks.url),
			slog.String("trigger", trigger), slog.Duration("elapsed", elapsed), slog.Any("error", err))
	} else {
		ks.s.log.Debug("cognitokit/verifier: JWKS fetched", slog.String("url", ks.url),
			slog.String("trigger", trigger), slog.Duration("elapsed", elapsed), slog.Int("keys", nkeys),
			slog.Int("removed", removed), slog.Bool("not_modified", notModified))
	}
}

// refreshLoop refreshes the key set in the background until close.
func (ks *keySet) refreshLoop() {
	defer ks.wg.Done()
	for {
		t := time.NewTimer(ks.nextRefresh())
		select {
		case <-ks.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		call, err := ks.start(triggerRefresh, false)
		if err != nil {
			return // closed
		}
		select {
		case <-call.done:
		case <-ks.ctx.Done():
			return
		}
	}
}

// nextRefresh is the delay before the next background refresh: the
// response's max-age within [MinRefreshInterval, MaxRefreshInterval], or
// an exponential backoff from RefetchCooldown after failures.
func (ks *keySet) nextRefresh() time.Duration {
	ks.mu.Lock()
	failures := ks.failures
	ks.mu.Unlock()
	if failures > 0 {
		d := ks.s.cooldown
		for i := 1; i < failures && d < ks.s.minRefresh; i++ {
			d *= 2
		}
		return min(d, max(ks.s.minRefresh, ks.s.cooldown))
	}
	d := ks.s.maxRefresh
	if snap := ks.snap.Load(); snap != nil && snap.maxAge > 0 {
		d = snap.maxAge
	}
	return min(max(d, ks.s.minRefresh), ks.s.maxRefresh)
}

// fetch downloads and parses the JWKS. prev, if any, supplies the ETag for
// a conditional request and the keys to keep on 304.
func (ks *keySet) fetch(ctx context.Context, prev *keySnapshot) (snap *keySnapshot, status int, notModified bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, 0, false, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	if prev != nil && prev.etag != "" {
		req.Header.Set("If-None-Match", prev.etag)
	}
	resp, err := ks.s.client.Do(req)
	if err != nil {
		return nil, 0, false, err
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	maxAge := cacheMaxAge(resp.Header)
	now := ks.s.clock()
	if status == http.StatusNotModified && prev != nil && prev.etag != "" {
		return &keySnapshot{keys: prev.keys, fetchedAt: now, staleAt: now.Add(ks.s.maxStale),
			maxAge: maxAge, etag: prev.etag}, status, true, nil
	}
	if status != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, status, false, fmt.Errorf("HTTP status %d from the JWKS endpoint; want 200", status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, perr := mime.ParseMediaType(ct)
		if perr != nil || !acceptableJWKSType(mt) {
			return nil, status, false, fmt.Errorf("JWKS response has Content-Type %q; want application/json", ct)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, ks.s.maxJWKS+1))
	if err != nil {
		return nil, status, false, fmt.Errorf("reading the JWKS response: %w", err)
	}
	if int64(len(body)) > ks.s.maxJWKS {
		return nil, status, false, fmt.Errorf("JWKS response is larger than MaxJWKSSize (%d bytes)", ks.s.maxJWKS)
	}
	keys, err := parseJWKS(body, ks.s.log)
	if err != nil {
		return nil, status, false, err
	}
	// Keep the identity of unchanged keys so that cached tokens stay valid.
	if prev != nil {
		for kid, k := range keys {
			if old := prev.keys[kid]; old != nil && old.sameMaterial(k) {
				keys[kid] = old
			}
		}
	}
	return &keySnapshot{keys: keys, fetchedAt: now, staleAt: now.Add(ks.s.maxStale), maxAge: maxAge,
		etag: resp.Header.Get("ETag")}, status, false, nil
}

func acceptableJWKSType(mt string) bool {
	switch mt {
	case "application/json", "application/jwk-set+json", "text/plain", "application/octet-stream":
		return true
	}
	return strings.HasSuffix(mt, "+json")
}

// cacheMaxAge returns Cache-Control max-age, or 0 when absent. max-age=0,
// no-cache and no-store give 1ns, which means MinRefreshInterval after
// clamping.
func cacheMaxAge(h http.Header) time.Duration {
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			d = strings.TrimSpace(strings.ToLower(d))
			if rest, ok := strings.CutPrefix(d, "max-age="); ok {
				if n, err := strconv.ParseInt(strings.Trim(rest, `"`), 10, 64); err == nil && n >= 0 && n < 1<<31 {
					return max(time.Duration(n)*time.Second, time.Nanosecond)
				}
			}
			if d == "no-cache" || d == "no-store" {
				return time.Nanosecond
			}
		}
	}
	return 0
}

// parseJWKS parses a JWKS document into the usable verification keys. It
// skips (and logs) keys that are not for signatures, not on the
// allow-list, too small, private, whose members repeat, or whose kid is
// duplicated; it fails when the document is not a JWKS or has no usable
// key.
//
// The document and each key's kty, kid, use, alg, key_ops and d are read
// with the package's strict JSON scanner, case-sensitively as RFC 7517
// and jwx (which parses the key material) read them. encoding/json would
// fold case, so that "use":"enc","USE":"sig" meant sig here while jwx saw
// enc. An object whose member names repeat, exactly or ignoring case, has
// no single meaning: such a document is refused, such a key ignored.
func parseJWKS(body []byte, log *slog.Logger) (map[string]*publicKey, error) {
	// A copy: the kids kept in the keys must not alias the caller's
	// buffer (Pool.JWKS belongs to the caller).
	sc := scanner{s: string(body)}
	if !sc.eat('{') {
		return nil, errors.New("the JWKS is not a JSON object with a keys array")
	}
	var buf [8]string
	names := memberNames{list: buf[:0]}
	keys := map[string]*publicKey{}
	var dup []string
	seenKeys := false
	if !sc.eat('}') {
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok || !sc.eat(':') {
				return nil, errors.New("the JWKS is not a JSON object with a keys array: invalid JSON")
			}
			if names.add(name) {
				return nil, errors.New("the JWKS repeats a member name, exactly or in another case")
			}
			sc.ws()
			if name != "keys" {
				if !sc.skip(1) {
					return nil, errors.New("the JWKS is not a JSON object with a keys array: invalid JSON, or an object whose member names repeat")
				}
			} else {
				if !sc.eat('[') {
					return nil, errors.New("the JWKS has no keys array")
				}
				seenKeys = true
				n := 0
				for !sc.eat(']') {
					if n > 0 && !sc.eat(',') {
						return nil, errors.New("the JWKS is not a JSON object with a keys array: invalid JSON in keys")
					}
					if n++; n > maxJWKSKey {
						return nil, fmt.Errorf("the JWKS has more than %d keys", maxJWKSKey)
					}
					sc.ws()
					k, why, ok := sc.jwk()
					if !ok {
						return nil, errors.New("the JWKS is not a JSON object with a keys array: invalid JSON in keys, or an object whose member names repeat")
					}
					if k == nil {
						log.Warn("cognitokit/verifier: ignoring JWK", slog.Int("index", n-1), slog.String("reason", why))
						continue
					}
					if _, exists := keys[k.kid]; exists {
						dup = append(dup, k.kid)
						continue
					}
					keys[k.kid] = k
				}
			}
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return nil, errors.New("the JWKS is not a JSON object with a keys array: invalid JSON")
		}
	}
	sc.ws()
	if sc.i != len(sc.s) {
		return nil, errors.New("the JWKS is not a JSON object with a keys array: data after the object")
	}
	if !seenKeys {
		return nil, errors.New("the JWKS has no keys array")
	}
	for _, kid := range dup {
		log.Warn("cognitokit/verifier: ignoring JWKs with a duplicated kid", slog.String("kid", kid))
		delete(keys, kid)
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS has no usable signing key (RSA >= 2048 bits or EC P-256/384/521, use=sig, with a kid)")
	}
	return keys, nil
}

// jwk reads the JWK at the scanner's position. It returns the key, or nil
// and why it was skipped; ok is false when the document is not valid JSON
// there.
func (sc *scanner) jwk() (k *publicKey, why string, ok bool) {
	start := sc.i
	if sc.i >= len(sc.s) || sc.s[sc.i] != '{' {
		return nil, "not a JSON object", sc.skip(1)
	}
	sc.i++
	var m jwkMembers
	var buf [16]string
	names := memberNames{list: buf[:0]}
	ignore := func(reason string) { // the first reason counts
		if why == "" {
			why = reason
		}
	}
	if !sc.eat('}') {
		for {
			sc.ws()
			name, ok := sc.str()
			if !ok || !sc.eat(':') {
				return nil, "", false
			}
			if names.add(name) {
				ignore("a member name repeats, exactly or in another case")
			}
			sc.ws()
			var dst *string
			switch name {
			case "kty":
				dst = &m.kty
			case "kid":
				dst = &m.kid
			case "use":
				dst = &m.use
			case "alg":
				dst = &m.alg
			case "key_ops":
				m.hasOps = true
				save := sc.i
				if m.keyOps, ok = sc.stringArray(); ok {
					break
				}
				sc.i = save
				ignore("key_ops is not an array of strings")
				if !sc.skip(1) {
					return nil, "", false
				}
			case "d":
				m.hasD = true
				fallthrough
			default:
				if !sc.skip(1) {
					return nil, "", false
				}
			}
			if dst != nil {
				if *dst, ok = sc.str(); !ok {
					ignore(name + " is not a string")
					if !sc.skip(1) {
						return nil, "", false
					}
				}
			}
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return nil, "", false
		}
	}
	if why != "" {
		return nil, why, true
	}
	k, why = m.parse(sc.s[start:sc.i])
	return k, why, true
}

// jwkMembers are the members of a JWK that decide whether it is used.
type jwkMembers struct {
	kty, kid, use, alg string
	keyOps             []string
	hasOps, hasD       bool
}

// parse checks the members and parses the key material of raw, the
// whole JWK, with jwx. It returns the key, or nil and why it was skipped.
func (m *jwkMembers) parse(raw string) (*publicKey, string) {
	switch {
	case m.kid == "":
		return nil, "no kid"
	case m.use != "" && m.use != "sig":
		return nil, "use is " + strconv.Quote(m.use) + ", not sig"
	case m.hasOps && !slices.Contains(m.keyOps, "verify"):
		return nil, "key_ops does not include verify"
	case m.hasD:
		return nil, "it holds private key material, which a JWKS must never publish"
	case m.kty != "RSA" && m.kty != "EC":
		return nil, "kty " + strconv.Quote(m.kty) + " is not RSA or EC"
	}
	key, err := jwk.ParseKey([]byte(raw))
	if err != nil {
		return nil, "unparseable: " + err.Error()
	}
	var exported any
	if err := jwk.Export(key, &exported); err != nil {
		return nil, "cannot export: " + err.Error()
	}
	k := &publicKey{kid: m.kid}
	switch pub := exported.(type) {
	case *rsa.PublicKey:
		k.rsa = pub
	case rsa.PublicKey:
		k.rsa = &pub
	case *ecdsa.PublicKey:
		k.ec = pub
	case ecdsa.PublicKey:
		k.ec = &pub
	default:
		return nil, fmt.Sprintf("unsupported key type %T", exported)
	}
	if k.rsa != nil {
		bits := k.rsa.N.BitLen()
		if bits < minRSABits || bits > maxRSABits {
			return nil, fmt.Sprintf("RSA key of %d bits; want %d to %d", bits, minRSABits, maxRSABits)
		}
		if k.rsa.E < 3 || k.rsa.E%2 == 0 {
			return nil, "RSA public exponent is invalid"
		}
		// Once per key, here: the Montgomery constants of the modulus
		// that rsa.VerifyPKCS1v15 would recompute on every token.
		fast, err := rsaverify.NewPublicKey(k.rsa)
		if err != nil {
			return nil, "RSA key is not usable: " + err.Error()
		}
		k.pkcs1 = fast
		k.alg, k.algImplicit = algRS256, m.alg == ""
		if m.alg != "" {
			k.alg = parseAlg(m.alg)
			if !k.alg.isRSA() {
				return nil, "alg " + strconv.Quote(m.alg) + " is not an allowed RSA algorithm"
			}
		}
		return k, ""
	}
	var want algorithm
	switch k.ec.Curve {
	case elliptic.P256():
		want = algES256
	case elliptic.P384():
		want = algES384
	case elliptic.P521():
		want = algES512
	default:
		return nil, "unsupported elliptic curve"
	}
	if m.alg != "" && parseAlg(m.alg) != want {
		return nil, "alg " + strconv.Quote(m.alg) + " does not match the key's curve"
	}
	k.alg = want
	return k, ""
}
