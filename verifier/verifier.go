package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Verifier verifies Cognito ID and access tokens locally. It is safe for
// concurrent use. Create it with [New] and stop its background JWKS
// refreshes with [Verifier.Close].
type Verifier struct {
	s        *settings
	pools    []*pool
	byIssuer map[string]*pool
	keySets  []*keySet
	cache    *tokenCache // nil when disabled

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// pool is a validated Pool bound to its key set.
type pool struct {
	spec      *poolSpec
	keys      *keySet
	hasPolicy bool
	// byAud routes the tokens of an identity-pool issuer to their
	// identity pool; set on the issuer's dispatcher, whose other fields
	// are unused.
	byAud map[string]*pool
}

// New validates cfg and returns a Verifier. Errors wrap ErrInvalidConfig.
// New does no network I/O: keys are fetched on first use, or by
// [Verifier.Warm]. Static JWKS (Pool.JWKS, Pool.JWKSFile) are parsed here.
func New(cfg Config) (*Verifier, error) {
	return newVerifier(cfg, nil)
}

func newVerifier(cfg Config, clock func() time.Time) (*Verifier, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	if clock != nil {
		s.clock = clock
		s.customNow = true
	}
	if len(cfg.Pools) == 0 && len(cfg.IdentityPools) == 0 {
		return nil, configErrorf("Pools is empty; configure at least one user pool (or identity pool)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	v := &Verifier{s: s, byIssuer: map[string]*pool{}, cancel: cancel}
	if s.cacheSize > 0 {
		v.cache = newTokenCache(s.cacheSize, s.cacheBytes)
	}
	byURL := map[string]*keySet{}
	specs := make([]*poolSpec, 0, len(cfg.Pools)+len(cfg.IdentityPools))
	for i := range cfg.Pools {
		sp, err := cfg.Pools[i].spec(i)
		if err != nil {
			cancel()
			return nil, err
		}
		specs = append(specs, sp)
	}
	for i := range cfg.IdentityPools {
		sp, err := cfg.IdentityPools[i].spec(i)
		if err != nil {
			cancel()
			return nil, err
		}
		specs = append(specs, sp)
	}
	for i, sp := range specs {
		p := &pool{spec: sp, hasPolicy: !sp.policy.IsZero()}
		if sp.static != nil {
			keys, err := parseJWKS(sp.static, s.log)
			if err != nil {
				cancel()
				return nil, &rejection{sentinel: ErrInvalidConfig, msg: fmt.Sprintf("Pools[%d] static JWKS", i), cause: err}
			}
			p.keys = &keySet{url: "static JWKS of " + sp.id, static: true, s: s, ctx: ctx, wg: &v.wg}
			p.keys.snap.Store(&keySnapshot{keys: keys})
			v.keySets = append(v.keySets, p.keys)
		} else if ks := byURL[sp.jwksURL]; ks != nil {
			p.keys = ks
		} else {
			p.keys = &keySet{url: sp.jwksURL, s: s, ctx: ctx, wg: &v.wg, onRemove: v.dropRemovedKeys}
			byURL[sp.jwksURL] = p.keys
			v.keySets = append(v.keySets, p.keys)
		}
		if sp.identity {
			d := v.byIssuer[sp.issuers[0]]
			if d == nil {
				d = &pool{spec: &poolSpec{id: "identity pools of " + sp.issuers[0]}, byAud: map[string]*pool{}}
				v.byIssuer[sp.issuers[0]] = d
			} else if d.byAud == nil {
				cancel()
				return nil, configErrorf("IdentityPools %s uses issuer %s, which pool %s uses too", sp.id, sp.issuers[0], d.spec.id)
			}
			if d.byAud[sp.id] != nil {
				cancel()
				return nil, configErrorf("IdentityPools lists %s twice", sp.id)
			}
			d.byAud[sp.id] = p
			v.pools = append(v.pools, p)
			continue
		}
		for _, iss := range sp.issuers {
			if other := v.byIssuer[iss]; other != nil {
				cancel()
				return nil, configErrorf("Pools[%d] and pool %s both use issuer %s; each issuer must belong to one pool", i, other.spec.id, iss)
			}
			v.byIssuer[iss] = p
		}
		v.pools = append(v.pools, p)
	}
	return v, nil
}

// dropRemovedKeys removes cached tokens whose key left its JWKS.
func (v *Verifier) dropRemovedKeys() {
	if v.cache != nil {
		v.cache.sweep(func(e *cacheEntry) bool { return e.key.removed.Load() })
	}
}

// Verify verifies token and returns its claims. token is the compact JWS
// alone, without a "Bearer " prefix. The claims are read-only: a repeated
// token gets the same *Claims as every other caller (see [Claims]), which
// is what makes a cache hit cost no allocation.
//
// The checks, in order: size; cache lookup; JWS syntax and header (alg on
// the allow-list; no jku, x5u, jwk, x5c or crit); iss routes to a pool;
// the key named by kid (fetched if needed) and its alg; the signature;
// token_use; aud or client_id; exp (required), nbf and iat with
// Config.Leeway; then the pool's Policy.
//
// Every error matches one sentinel of errors.go with [errors.Is]; policy
// failures are [*PolicyError]. ctx bounds the wait for a JWKS fetch (the
// fetch itself is shared and bounded by Config.FetchTimeout) and is passed
// to Policy.Check. A nil ctx is an error matching [ErrInvalidInput], not a
// verdict on the token (it is not reported to Config.Observer).
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	c, err := v.verify(ctx, token)
	if err != nil && v.s.obs.OnReject != nil {
		reason := sentinelOf(err)
		if reason == nil {
			reason = err
		}
		v.s.obs.OnReject(reason)
	} else if err == nil && v.s.obs.OnAccept != nil {
		v.s.obs.OnAccept(c.TokenUse)
	}
	return c, err
}

func (v *Verifier) verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > v.s.maxToken {
		return nil, rejectf(ErrTooLarge, "the token is %d bytes; the limit is %d (Config.MaxTokenSize)", len(token), v.s.maxToken)
	}
	if token == "" {
		return nil, reject(ErrMalformed, "the token is empty")
	}
	var h uint64
	if v.cache != nil {
		h = v.cache.hash(token)
		if e := v.cache.get(token, h); e != nil {
			if c, served, err := v.hit(ctx, e); served {
				if v.s.obs.OnCache != nil {
					v.s.obs.OnCache(true)
				}
				return c, err
			}
		}
		if v.s.obs.OnCache != nil {
			v.s.obs.OnCache(false)
		}
	}
	c, p, k, now, err := v.verifyFull(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := v.checkRevoked(ctx, token, c); err != nil {
		return nil, err
	}
	if v.cache != nil {
		// Clone the token: it may be a slice of a much larger string
		// (a request buffer) that the cache must not keep alive.
		if cost := entryCost(token, c); cost <= v.cache.maxBytes {
			e := &cacheEntry{hash: h, token: strings.Clone(token), claims: c, pool: p, key: k, cost: cost}
			e.validFrom, e.validUntil = validRange(c, v.s.leeway)
			if raceEnabled {
				e.pristine = c.Clone()
			}
			v.cache.put(e, now)
		}
	}
	if p.hasPolicy {
		if err := p.spec.policy.Evaluate(ctx, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// hit serves a cached entry. served is false when the entry can no longer
// be used (its key left the JWKS or the key set went stale) and the token
// must be verified in full. The claims it returns are the entry's own,
// shared by every caller of the token (see Claims).
func (v *Verifier) hit(ctx context.Context, e *cacheEntry) (c *Claims, served bool, err error) {
	now := v.s.now()
	if e.key.removed.Load() {
		v.cache.remove(e)
		return nil, false, nil
	}
	clock := now
	if v.s.customNow {
		clock = v.s.clock()
	}
	if !e.pool.keys.snap.Load().fresh(clock) {
		return nil, false, nil
	}
	if raceEnabled {
		checkPristine(e)
	}
	if n := now.UnixNano(); n < e.validFrom || n >= e.validUntil {
		if err := v.checkTime(now, e.claims); err != nil {
			if errors.Is(err, ErrExpired) {
				v.cache.remove(e)
			}
			return nil, true, err
		}
	}
	if err := v.checkRevoked(ctx, e.token, e.claims); err != nil {
		return nil, true, err
	}
	if e.pool.hasPolicy {
		if err := e.pool.spec.policy.Evaluate(ctx, e.claims); err != nil {
			return nil, true, err
		}
	}
	return e.claims, true, nil
}

// checkRevoked asks Config.Revocation about a verified token. Its errors
// keep their sentinel (ErrRevoked or ErrRevocationUnavailable); any other
// error is reported as ErrRevocationUnavailable, so that a checker that
// cannot tell never lets a token through by mistake.
func (v *Verifier) checkRevoked(ctx context.Context, token string, c *Claims) error {
	if v.s.revocation == nil {
		return nil
	}
	err := v.s.revocation.CheckRevoked(ctx, token, c)
	if err == nil || errors.Is(err, ErrRevoked) || errors.Is(err, ErrRevocationUnavailable) {
		return err
	}
	return &rejection{sentinel: ErrRevocationUnavailable, msg: "the revocation check failed", cause: err}
}

// verifyFull verifies token without the cache.
func (v *Verifier) verifyFull(ctx context.Context, token string) (*Claims, *pool, *publicKey, time.Time, error) {
	var now time.Time
	dot1, dot2, err := splitToken(token)
	if err != nil {
		return nil, nil, nil, now, err
	}
	hdrSeg, paySeg, sigSeg := token[:dot1], token[dot1+1:dot2], token[dot2+1:]
	hdrLen, payLen, sigLen := b64.DecodedLen(len(hdrSeg)), b64.DecodedLen(len(paySeg)), b64.DecodedLen(len(sigSeg))
	if hdrLen > maxHeaderSize {
		return nil, nil, nil, now, rejectf(ErrMalformed, "the header is larger than %d bytes", maxHeaderSize)
	}
	if sigLen > maxSigSize {
		return nil, nil, nil, now, reject(ErrMalformed, "the signature is longer than any accepted key produces")
	}
	// The header and the signature are decoded into stack buffers; only
	// the payload goes to the heap, because the returned Claims keep it as
	// their raw JSON (it is never modified afterwards).
	var hbuf [maxHeaderSize]byte
	var sbuf [maxSigSize]byte
	n1, err := b64.Decode(hbuf[:hdrLen], stringBytes(hdrSeg))
	if err != nil {
		return nil, nil, nil, now, badSegment("header", hdrSeg)
	}
	pbuf := make([]byte, payLen)
	n2, err := b64.Decode(pbuf, stringBytes(paySeg))
	if err != nil {
		return nil, nil, nil, now, badSegment("payload", paySeg)
	}
	n3, err := b64.Decode(sbuf[:sigLen], stringBytes(sigSeg))
	if err != nil {
		return nil, nil, nil, now, badSegment("signature", sigSeg)
	}
	hdr, err := parseHeader(bytesString(hbuf[:n1]))
	if err != nil {
		return nil, nil, nil, now, err
	}
	c := new(Claims)
	var pc parsedClaims
	if err := parsePayload(bytesString(pbuf[:n2]), c, &pc); err != nil {
		return nil, nil, nil, now, err
	}
	if pc.has&hasIss == 0 {
		return nil, nil, nil, now, reject(ErrMalformed, "the token has no iss claim")
	}
	p := v.byIssuer[c.Issuer]
	if p == nil {
		return nil, nil, nil, now, v.wrongIssuer()
	}
	if p.byAud != nil { // identity pools: route by aud
		if p = p.byAud[pc.aud]; p == nil || pc.nAud != 1 {
			return nil, nil, nil, now, reject(ErrWrongClient, "the identity token's aud is not one of the configured IdentityPools")
		}
	}
	k, err := p.keys.key(ctx, hdr.kid)
	if err != nil {
		return nil, nil, nil, now, err
	}
	if k.alg != hdr.alg && !(p.spec.identity && k.algImplicit && hdr.alg == algRS512) {
		// Identity-pool tokens are RS512; an RSA JWK without alg is
		// taken as RS256 elsewhere, as RS512 for them.
		return nil, nil, nil, now, rejectf(ErrUnsupportedAlg, "the header's alg %s does not match alg %s of the key named by kid", hdr.alg, k.alg)
	}
	sig := sbuf[:n3]
	if len(sig) != sigSize(k, hdr.alg) || !verifySignature(k, hdr.alg, token[:dot2], sig) {
		return nil, nil, nil, now, reject(ErrBadSignature, "the signature does not verify under the key named by kid; the token was altered or signed by someone else")
	}
	c.KeyID = k.kid
	c.UserPoolID = p.spec.id
	// Direct calls, not a function value: through one, pc would escape
	// to the heap (an allocation per token).
	if p.spec.identity {
		err = checkIdentityClaims(p.spec, c, &pc)
	} else {
		err = checkClaims(p.spec, c, &pc)
	}
	if err != nil {
		return nil, nil, nil, now, err
	}
	now = v.s.now()
	if err := v.checkTime(now, c); err != nil {
		return nil, nil, nil, now, err
	}
	return c, p, k, now, nil
}

func (v *Verifier) wrongIssuer() error {
	if len(v.pools) == 1 {
		return rejectf(ErrWrongIssuer, "the token's iss is not %s; check Pool.UserPoolID, or set Pool.Issuer for an emulator or a custom issuer",
			strings.Join(v.pools[0].spec.issuers, " or "))
	}
	return rejectf(ErrWrongIssuer, "the token's iss is not an issuer of any of the %d configured pools", len(v.pools))
}

// checkClaims checks token_use and the client of a signature-verified
// token against its pool, and fills TokenUse and ClientID.
func checkClaims(sp *poolSpec, c *Claims, pc *parsedClaims) error {
	if pc.has&hasExp == 0 {
		return reject(ErrMalformed, "the token has no exp claim; tokens that never expire are not accepted")
	}
	switch {
	case pc.has&hasTokenUse == 0:
		return reject(ErrMalformed, "the token has no token_use claim; it is not a Cognito ID or access token")
	case pc.tokenUse == "id":
		c.TokenUse = TokenUseID
	case pc.tokenUse == "access":
		c.TokenUse = TokenUseAccess
	default:
		return reject(ErrWrongTokenUse, "token_use is neither id nor access (refresh tokens cannot be verified locally)")
	}
	if sp.use != TokenUseAny && sp.use != c.TokenUse {
		if sp.use == TokenUseAccess {
			return reject(ErrWrongTokenUse, "got an ID token where an access token is required; send the access token")
		}
		return reject(ErrWrongTokenUse, "got an access token where an ID token is required; send the ID token")
	}
	if c.TokenUse == TokenUseID {
		if pc.has&hasAud == 0 || pc.nAud == 0 {
			return reject(ErrMalformed, "the ID token has no aud claim")
		}
		if pc.nAud > 1 {
			return reject(ErrMalformed, "the ID token has several audiences; Cognito ID tokens carry exactly one")
		}
		if !contains(sp.clientIDs, pc.aud) {
			return reject(ErrWrongClient, "the ID token's aud is not one of the pool's ClientIDs; the token was issued to another app client")
		}
		c.ClientID = pc.aud
	} else {
		if pc.has&hasClientID == 0 {
			return reject(ErrMalformed, "the access token has no client_id claim")
		}
		if !contains(sp.clientIDs, pc.clientID) {
			return reject(ErrWrongClient, "the access token's client_id is not one of the pool's ClientIDs; the token was issued to another app client")
		}
		c.ClientID = pc.clientID
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkTime checks exp, nbf and iat at now with the leeway.
func (v *Verifier) checkTime(now time.Time, c *Claims) error {
	if !now.Before(c.ExpiresAt.Add(v.s.leeway)) {
		return reject(ErrExpired, "the token's exp has passed; get a fresh token (refresh it)")
	}
	if !c.NotBefore.IsZero() && now.Add(v.s.leeway).Before(c.NotBefore) {
		return reject(ErrNotYetValid, "the token's nbf is in the future; check the clocks")
	}
	if !c.IssuedAt.IsZero() && now.Add(v.s.leeway).Before(c.IssuedAt) {
		return reject(ErrNotYetValid, "the token's iat is in the future; check the clocks (or set Config.Leeway)")
	}
	return nil
}

// Warm fetches the keys of every pool that has no fresh key set yet,
// concurrently, and waits for them. It returns nil when every pool has
// usable keys, or an error wrapping ErrKeysUnavailable naming the JWKS URLs
// that failed. Use it at startup; [Verifier.Ready] is the cheap probe. A
// nil ctx is an error matching [ErrInvalidInput].
func (v *Verifier) Warm(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, ks := range v.keySets {
		if ks.snap.Load().fresh(v.s.clock()) {
			continue
		}
		wg.Go(func() {
			call, err := ks.start(triggerWarm, true)
			if err == nil {
				_, err = ks.wait(ctx, call)
			} else {
				err = ks.unavailable(err)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return joinUnavailable(errs)
}

// Ready reports whether every pool has a usable key set: nil when it does,
// an error wrapping ErrKeysUnavailable otherwise. It does no I/O and is
// cheap enough for a readiness probe.
func (v *Verifier) Ready() error {
	now := v.s.clock()
	var errs []error
	for _, ks := range v.keySets {
		if ks.snap.Load().fresh(now) {
			continue
		}
		ks.mu.Lock()
		last := ks.lastErr
		ks.mu.Unlock()
		msg := "no keys fetched yet from " + ks.url + "; call Warm"
		if ks.snap.Load() != nil {
			msg = "the keys from " + ks.url + " are older than MaxStaleness"
		}
		errs = append(errs, &rejection{sentinel: ErrKeysUnavailable, msg: msg, cause: last})
	}
	return joinUnavailable(errs)
}

func joinUnavailable(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return &rejection{sentinel: ErrKeysUnavailable, msg: strings.Join(msgs, "; "), also: errors.Join(errs...)}
}

// Close stops the background JWKS refreshes and waits for in-flight
// fetches to end. Verify keeps working afterwards with the keys already
// fetched, but fetches no more. Close is idempotent and returns nil.
func (v *Verifier) Close() error {
	v.closeOnce.Do(func() {
		for _, ks := range v.keySets {
			ks.mu.Lock()
			ks.closed = true
			ks.mu.Unlock()
		}
		v.cancel()
		v.wg.Wait()
	})
	return nil
}
