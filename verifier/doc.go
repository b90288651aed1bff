// Package verifier verifies Amazon Cognito user pool ID and access tokens
// locally: signature, issuer, app client, token use and lifetime, plus
// optional group, scope and custom policies. It keeps a JWKS cache that
// rides out IdP outages and key rotation, and a verified-token cache that
// makes a repeated token cost a lookup.
//
// # Usage
//
// Build one [Verifier] at startup with [New] and share it between
// goroutines:
//
//	v, err := verifier.New(verifier.Config{
//		Pools: []verifier.Pool{{
//			UserPoolID: "us-east-1_AbC123",
//			ClientIDs:  []string{"3k8v9ab1c2d3e4f5g6h7i8j9k0"},
//			TokenUse:   verifier.TokenUseAccess,
//		}},
//	})
//	if err != nil {
//		return err // wraps ErrInvalidConfig and says which field is wrong
//	}
//	defer v.Close()
//	if err := v.Warm(ctx); err != nil { // optional: fetch the keys now
//		return err
//	}
//
//	claims, err := v.Verify(ctx, token)
//	switch {
//	case errors.Is(err, verifier.ErrKeysUnavailable):
//		// 503: the keys could not be fetched; the token was not judged.
//	case err != nil:
//		// 401, or 403 when errors.As(err, new(*verifier.PolicyError)).
//	}
//
// One Verifier accepts tokens of several pools; each token is routed to its
// pool by its iss claim with a map lookup. Each [Pool] has its own client
// IDs, token use, [Policy], and issuer and JWKS overrides for emulators.
// A pool accepts both of its AWS issuers by default,
// https://cognito-idp.{region}.amazonaws.com/{pool} and, for pools
// configured for it, https://issuer-cognito-idp.{region}.amazonaws.com/{pool}:
// both are Cognito's own, signed with the pool's keys. Pool.IssuerFormat
// narrows that to one; Pool.Issuer replaces it (emulators, custom issuers).
//
// # Identity-pool tokens
//
// Config.IdentityPools accepts the OpenID tokens of Cognito identity
// pools (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity): issuer
// https://cognito-identity.amazonaws.com, audience the identity pool ID,
// RS512, keys at https://cognito-identity.amazonaws.com/.well-known/jwks_uri.
// They share the key-set machinery (cooldown, refresh, staleness, cache)
// and are routed by iss, then by aud; see [IdentityPool]. Their Claims
// have TokenUse [TokenUseIdentity].
//
// # What is checked
//
// [Verifier.Verify] checks, in order:
//
//   - the token's size (Config.MaxTokenSize, default 16 KiB), before any
//     parsing;
//   - the compact JWS syntax: three segments of strict, unpadded base64url
//     (no padding, no whitespace, no non-canonical trailing bits);
//   - the protected header: a JSON object whose member names are unique
//     even ignoring case, alg on the allow-list (RS256, RS384, RS512, PS256, PS384, PS512, ES256,
//     ES384, ES512; never none or HS*), a kid, and none of jku, x5u, jwk,
//     x5c and crit, which would let the token choose its key;
//   - the payload: a JSON object in which no object, at any depth, has two
//     member names that are equal ignoring case ("custom:role" and
//     "custom:Role"), and no member is named like a claim the verifier
//     reads in another case ("SUB");
//   - iss, which selects the pool (the payload is parsed before the
//     signature is checked only to route the token; nothing else in it is
//     trusted until the signature verifies);
//   - the key named by kid, and that the header's alg is the key's alg
//     (the JWK's alg; RS256 for an RSA JWK without one; the curve's for EC);
//   - the signature: RS256, RS384 and RS512 with crypto/rsa's arithmetic
//     and each modulus prepared once per key (see Performance), PS256,
//     PS384 and PS512 with crypto/rsa, the ES algorithms with
//     crypto/ecdsa;
//   - token_use against Pool.TokenUse, then aud (ID tokens) or client_id
//     (access tokens) against Pool.ClientIDs;
//   - exp, which is required (tokens without it are rejected), nbf and iat,
//     each with Config.Leeway;
//   - the pool's [Policy]: groups (any-of, all-of), scopes (any-of,
//     all-of) and a custom Check.
//
// Verify does NOT check that a token was revoked (Cognito's RevokeToken and
// GlobalSignOut are only visible to Cognito itself), nor at_hash or nonce,
// which belong to the OpenID Connect client that received the ID token.
//
// Machine-to-machine access tokens (client credentials: no username, no
// groups, scopes like "orders/read") verify like any access token;
// [Claims.IsMachine] tells them apart.
//
// # One reading of the claims
//
// Every way of reading a verified token gives the same value: the
// [Claims] fields, [Claims.Get] and [Claims.String] (which match names
// exactly), and [Claims.Decode] and the middleware's ClaimsAs (which use
// encoding/json, and so match struct fields to names ignoring case). The
// payload rule above is what guarantees it: a signed token whose payload
// says "custom:role":"viewer" and "custom:Role":"admin" is rejected with
// ErrMalformed instead of reading viewer one way and admin the other.
// What remains is encoding/json's own fallback: a field tagged
// custom:role is filled by a lone "custom:Role" member, which Get does
// not find. Tag fields with the exact claim names.
//
// [ParseUnverifiedClaims] applies the same rules to a payload it does NOT
// verify, for custom verifiers (an auth.TokenVerifier that checks tokens
// its own way) and tests, so that their Claims read the same way too.
//
// Scopes are the scope claim split on U+0020 spaces only, as RFC 6749
// §3.3 (and aws-jwt-verify) say: "orders/read\u00a0admin", with a no-break
// space, is one scope, so HasScope("admin") and a policy requiring admin
// both say no.
//
// # Errors
//
// Every error matches exactly one of the sentinels in errors.go with
// [errors.Is] (ErrCooldown also matches ErrUnknownKey), and [Reason] turns
// it into a metrics label. Policy denials are [*PolicyError] values that
// name the missing groups or scopes. [ErrKeysUnavailable] is never a
// verdict on the token: it means the verifier could not get keys (fetch
// failed, timed out, or the caller's context ended while waiting) and maps
// to HTTP 503, while every other sentinel maps to 401 or 403, except
// [ErrInvalidConfig] and [ErrInvalidInput], which report the caller's
// mistakes. Error messages never contain the token or its unverified
// claims.
//
// # Contexts
//
// [Verifier.Verify] and [Verifier.Warm] take a context first. A nil
// context is an error matching [ErrInvalidInput], never a panic and never
// a silent context.Background(), as with net/http, go-oidc and x/oauth2:
// pass context.Background() or the request's context.
//
// # Revocation
//
// A verified token stays valid until it expires, whatever happened to it
// in Cognito, unless Config.Revocation is set: a [RevocationChecker] asked
// about every token after the signature, claim and time checks, cached
// tokens included, so that the cache never serves a revoked token. Package
// [github.com/cognitokit/cognitokit/verifier/revocation] provides one (shared
// between replicas through Redis), and
// [github.com/cognitokit/cognitokit/verifier/revocation/online] one that also asks
// Cognito. A revoked token fails with [ErrRevoked] (401); a checker that
// cannot tell fails with [ErrRevocationUnavailable] (503).
//
// # Key sets
//
// Keys are fetched from Pool.JWKSURL (default {issuer}/.well-known/jwks.json)
// on first use, or by [Verifier.Warm], and parsed into *rsa.PublicKey and
// *ecdsa.PublicKey values once per fetch with jwx's jwk.ParseKey (RSA keys
// also get their modulus's Montgomery constants then, not per token). JWKs with
// use other than sig, RSA keys under 2048 bits, private keys, keys whose
// alg is off the allow-list, keys with a duplicated kid and keys whose
// members repeat (exactly or ignoring case) are ignored. The kid, use,
// alg, key_ops and d members are read by the package's strict scanner,
// case-sensitively as RFC 7517 and jwx read them ("USE" is not use). A
// key set is shared by the pools that use the same URL.
//
//   - Concurrent callers on a cold cache share one fetch. A caller's context
//     cancellation ends its own wait, not the fetch.
//   - An unknown kid triggers a refetch at most once per
//     Config.RefetchCooldown (default 10 s) per URL; inside the window such
//     tokens fail at once with ErrCooldown. A bad signature under a known
//     kid never triggers a fetch.
//   - A background goroutine refreshes the set at the response's
//     Cache-Control max-age, bounded by Config.MinRefreshInterval and
//     Config.MaxRefreshInterval (5 min and 1 h), revalidating with ETag when
//     the server sends one. On failure it retries with backoff and the last
//     good set stays in use until it is Config.MaxStaleness (24 h) old;
//     after that Verify and [Verifier.Ready] report ErrKeysUnavailable.
//   - A key that leaves the JWKS stops being trusted at the next successful
//     fetch, and tokens cached under it are dropped.
//   - Each fetch has a timeout (Config.FetchTimeout, 5 s), a body cap
//     (Config.MaxJWKSSize, 1 MiB), a status check (200, or 304 on
//     revalidation), a Content-Type check (JSON or unspecified; HTML error
//     pages are refused) and a content check (at least one usable key).
//   - A fetch follows at most 5 redirects, only to the host (name and
//     port) of the JWKS URL and never from https to http, with any
//     Config.HTTPClient: whoever answers at a redirect target would choose
//     the keys. A refused redirect fails the fetch with a [*RedirectError]
//     inside ErrKeysUnavailable. Config.AllowCrossHostRedirects opts in to
//     other hosts (a CDN); the downgrade stays refused.
//
// Static key sets (Pool.JWKS, Pool.JWKSFile) are parsed by [New] and never
// fetched, for air-gapped or offline use.
//
// The cache is written by hand rather than built on httprc: httprc
// refreshes on its own schedule but has no notion of a cooldown shared with
// on-demand refetches, of a maximum staleness after which keys must stop
// being trusted, or of a per-URL single flight whose waiters honour their
// own contexts; wrapping it would have cost more code than the fetcher in
// jwks.go, which needs no dependency beyond net/http. Its single flight is
// not internal/flight's either (the one of the token sources): deciding
// to join a running fetch or to start one must happen under the same lock
// as the RefetchCooldown check and the Close barrier, and a single flight
// keyed by name (x/sync/singleflight) cannot say whether a caller will
// join until it has joined, so an unknown kid could slip a fetch past the
// cooldown. The waiters keep their own contexts all the same.
//
// # Verified-token cache
//
// A verified token is remembered in a fixed-size table of atomic pointers
// (Config.CacheSize tokens, default 4096; negative disables), so that a
// repeated token costs a hash of its tail, a comparison of the whole token
// and the time checks, which are re-evaluated on every call, as is the
// pool's Policy. Each token may live in two sets of 8 slots, chosen by
// its hash, and goes to the emptier one, and the table has twice as many
// slots as CacheSize, so a working set of CacheSize tokens stays whole
// (with one set per token, hashing crowded some sets and a working set
// of the default size missed one lookup in five). Reads take no lock and
// allocate nothing. An expired entry is never served: it is dropped when
// next looked up and is the first to be replaced. Entries whose key
// leaves the JWKS are swept at the fetch that removes the key.
//
// A hit returns the cached *Claims itself, shared by every caller of the
// token: see [Claims] for what callers may do with them (read, never
// write; [Claims.Clone] for a copy). Race-enabled builds check that
// nobody wrote to them.
//
// The cache's memory is bounded by bytes, not only by entries:
// Config.CacheMaxBytes (default 16 MiB) caps an upper estimate of what the
// entries keep alive (each token, its decoded payload and claims, rounded
// up for the allocator), plus 32 bytes per CacheSize entry for the table. A typical
// Cognito token costs about 2.5 KB, so the default holds 4096 of them; a
// token at the 16 KiB MaxTokenSize costs about 32 KB. A user who enlarges
// their own tokens (writable custom attributes) and refreshes in a loop
// fills at most the byte budget: once it is reached, a new token takes
// the place of a larger entry or is verified without being remembered, so
// ordinary tokens keep being cached. TestCacheBoundedByBytes measures the
// heap under 1,500 distinct 16 KiB tokens (without the bound: 42 MiB).
//
// # Performance
//
// The JWS, the claims and the JWKS documents are parsed by a strict
// hand-written scanner (fuzzed against encoding/json) that does not
// allocate per claim and, unlike encoding/json, reads member names
// exactly and refuses names that repeat in another case; the header and
// signature are decoded on the stack.
//
// RS256, RS384 and RS512 signatures are checked by cognitokit's
// internal/rsaverify rather than rsa.VerifyPKCS1v15, which rebuilds the
// Montgomery constants of the modulus (R² mod n) on every call, about a
// third of its time; rsaverify computes them once per key, at JWKS parse
// time, with the same arithmetic (filippo.io/bigmod, the standard
// library's own, published as a module), and compares the whole encoded
// message like crypto/rsa. Its verdicts are crypto/rsa's: it is fuzzed
// differentially against crypto/rsa, and FuzzRSAVerdicts checks the
// verifier's wiring the same way. Everything else (PSS, FIPS 140-3 mode,
// BoringCrypto builds) goes through crypto/rsa.
//
// The benchmarks that measure all this are in bench_test.go
// (BenchmarkUncachedVsFloor pairs an uncached Verify with
// rsa.VerifyPKCS1v15 op by op; BenchmarkVerifyCached, BenchmarkCachedScaling)
// and in the repository's bench/ module (other Go libraries and
// aws-jwt-verify on the same tokens). The figures, with the machine and
// date they were measured on, are in the README, produced by
// bench/run.sh.
//
// # Observability
//
// Config.Logger receives fetch outcomes and ignored keys (never tokens).
// Config.Observer's callbacks report fetches (trigger, latency, status,
// outcome), cache hits and misses, accepted tokens, and rejections by
// sentinel; package [github.com/cognitokit/cognitokit/adapters/otelcognito] turns
// them into OpenTelemetry metrics and spans.
package verifier
