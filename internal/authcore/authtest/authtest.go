// Package authtest holds the fixture and the case table shared by the
// transport tests of middleware, echoauth and grpcauth, so that one table
// drives all three and the verdicts must agree.
package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Realm is the realm every transport test configures.
const Realm = "test"

// Client IDs.
const (
	ClientID    = "3k8v9ab1c2d3e4f5g6h7i8j9k0"
	OtherClient = "7abcdefghijklmnopqrstuvwxy"
)

// Route names one protected resource; each transport maps it to a path or
// a gRPC method.
type Route string

// Routes. RoutePublic needs no token; RouteStream is a streaming response.
const (
	RouteAccess Route = "access" // access tokens only
	RouteID     Route = "id"     // ID tokens only
	RouteAdmin  Route = "admin"  // group admin
	RouteOrders Route = "orders" // scope orders/read
	RoutePublic Route = "public" // no token needed
	RouteStream Route = "stream" // streaming, access tokens only
)

// Routes lists every route.
var Routes = []Route{RouteAccess, RouteID, RouteAdmin, RouteOrders, RoutePublic, RouteStream}

// Policy returns the route's policy (zero for RoutePublic).
func Policy(tb testing.TB, r Route) verifier.Policy {
	tb.Helper()
	switch r {
	case RouteAccess, RouteStream:
		p, err := authcore.RequireTokenUse(verifier.TokenUseAccess)
		if err != nil {
			tb.Fatal(err)
		}
		return p
	case RouteID:
		p, err := authcore.RequireTokenUse(verifier.TokenUseID)
		if err != nil {
			tb.Fatal(err)
		}
		return p
	case RouteAdmin:
		return verifier.Policy{AnyGroups: []string{"admin"}}
	case RouteOrders:
		return verifier.Policy{AnyScopes: []string{"orders/read"}}
	}
	return verifier.Policy{}
}

// Want is a transport-independent verdict.
type Want struct {
	// Kind is 0 when the request must pass.
	Kind auth.Kind
	// Challenge is the exact WWW-Authenticate value (HTTP), "" for none.
	Challenge string
	// Handler reports whether the protected handler must run.
	Handler bool
}

// Case is one row of the shared table.
type Case struct {
	Name  string
	Route Route
	// Tokens are sent as bearer credentials, one Authorization header (or
	// metadata value) each; empty for none.
	Tokens []string
	// Raw, if set, is sent as the Authorization value instead of
	// "Bearer " + token.
	Raw  string
	Want Want
}

func challenge(code, desc string) string {
	return `Bearer realm="` + Realm + `", error="` + code + `", error_description="` + desc + `"`
}

// Fixture is a verifier over two pools of the cognitotest emulator (each
// on its own server) and the tokens of the table. Pool A is healthy; pool
// B's JWKS went down after the verifier fetched it, and its keys are past
// MaxStaleness, so its tokens cannot be judged.
type Fixture struct {
	Verifier *verifier.Verifier
	// Steady is a verifier of pool A alone with the default settings (24 h
	// MaxStaleness), for benchmarks: Verifier's short MaxStaleness turns
	// cache hits into misses every 300 ms.
	Steady *verifier.Verifier
	// PoolA is the healthy pool (clients ClientID and OtherClient, users
	// alice in group admin and bob without groups, resource server
	// "orders" with scope "read").
	PoolA *cognitotest.Pool

	// AliceAccess is an access token of alice (group admin, scopes openid
	// and orders/read); AliceID her ID token; BobAccess an access token of
	// bob (no groups, scope openid); M2M a client-credentials token with
	// scope orders/read.
	AliceAccess, AliceID, BobAccess, M2M string
	// Expired is alice's access token that expired an hour ago;
	// WrongClient one issued to OtherClient; BadSignature alice's access
	// token with a damaged signature.
	Expired, WrongClient, BadSignature string
	// Unavailable is a valid access token of pool B.
	Unavailable string

	// Hits counts protected handler runs; each transport's handlers
	// increment it.
	Hits atomic.Int64
}

var (
	once   sync.Once
	shared *Fixture
	errSet error
)

// Get returns the fixture, built once per test binary (the emulators live
// until the process exits).
func Get(tb testing.TB) *Fixture {
	tb.Helper()
	once.Do(func() { shared, errSet = build() })
	if errSet != nil {
		tb.Fatal(errSet)
	}
	return shared
}

func build() (f *Fixture, err error) {
	defer func() { // the emulator's Must helpers panic without a testing.TB
		if r := recover(); r != nil {
			err = fmt.Errorf("authtest: building the emulated pools: %v", r)
		}
	}()
	f = &Fixture{}
	// Fixed keys, distinct for the two servers: no key generation.
	keys := testkeys.RSA2048(testkeys.Count)
	srvA, err := cognitotest.Start(nil, cognitotest.WithSigningKeys(keys[:3]...))
	if err != nil {
		return nil, err
	}
	srvB, err := cognitotest.Start(nil, cognitotest.WithSigningKeys(keys[6:9]...))
	if err != nil {
		return nil, err
	}
	poolA := srvA.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_PoolA"})
	poolA.MustCreateClient(cognitotest.ClientConfig{ID: ClientID})
	poolA.MustCreateClient(cognitotest.ClientConfig{ID: OtherClient})
	if err := poolA.CreateResourceServer(cognitotest.ResourceServerConfig{Identifier: "orders", Scopes: map[string]string{"read": "read orders"}}); err != nil {
		return nil, err
	}
	poolA.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: "Passw0rd!", Email: "alice@example.com", Groups: []string{"admin"},
		Sub: "sub-alice", Attributes: map[string]string{"custom:tenant": "acme"}})
	poolA.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "Passw0rd!", Sub: "sub-bob"})
	poolB := srvB.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_PoolB"})
	poolB.MustCreateClient(cognitotest.ClientConfig{ID: ClientID})
	poolB.MustCreateUser(cognitotest.UserConfig{Username: "carol", Password: "Passw0rd!"})
	f.PoolA = poolA

	const maxStale = 150 * time.Millisecond
	f.Verifier, err = verifier.New(verifier.Config{
		Pools: []verifier.Pool{
			{UserPoolID: poolA.ID(), ClientIDs: []string{ClientID}, TokenUse: verifier.TokenUseAny, Issuer: poolA.Issuer(), JWKSURL: poolA.JWKSURL()},
			{UserPoolID: poolB.ID(), ClientIDs: []string{ClientID}, TokenUse: verifier.TokenUseAny, Issuer: poolB.Issuer(), JWKSURL: poolB.JWKSURL()},
		},
		// Pool B's keys must go stale quickly. Pool A's stay fresh: the
		// background refresh (every 50 ms, three times per staleness
		// window) renews them, and the short cooldown lets a stale key
		// set be refetched at once if a refresh was late.
		MaxStaleness:       maxStale,
		MinRefreshInterval: 50 * time.Millisecond,
		MaxRefreshInterval: 50 * time.Millisecond,
		RefetchCooldown:    10 * time.Millisecond,
		FetchTimeout:       2 * time.Second,
		// No idle keep-alive connections to the emulators, so that the
		// load tests' goroutine-leak checks see only their own servers.
		HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	})
	if err != nil {
		return nil, err
	}
	if err := f.Verifier.Warm(context.Background()); err != nil {
		return nil, err
	}
	f.Steady, err = verifier.New(verifier.Config{Pools: []verifier.Pool{
		{UserPoolID: poolA.ID(), ClientIDs: []string{ClientID}, TokenUse: verifier.TokenUseAny, Issuer: poolA.Issuer(), JWKSURL: poolA.JWKSURL()},
	}})
	if err != nil {
		return nil, err
	}
	if err := f.Steady.Warm(context.Background()); err != nil {
		return nil, err
	}
	srvB.SetJWKSMode(cognitotest.JWKSFail)
	time.Sleep(maxStale + 50*time.Millisecond)

	alice := poolA.MustMintTokens(ClientID, "alice", cognitotest.TokenScopes("openid", "orders/read"))
	f.AliceAccess, f.AliceID = alice.AccessToken, alice.IDToken
	f.BobAccess = poolA.MustMintTokens(ClientID, "bob", cognitotest.TokenScopes("openid")).AccessToken
	f.M2M = poolA.MustMintM2MToken(ClientID, []string{"orders/read"})
	f.Expired = poolA.MustMintTokens(ClientID, "alice", cognitotest.TokenIssuedAt(time.Now().Add(-2*time.Hour)),
		cognitotest.TokenExpiry(time.Hour)).AccessToken
	f.WrongClient = poolA.MustMintTokens(OtherClient, "alice").AccessToken
	f.BadSignature = f.AliceAccess[:len(f.AliceAccess)-8] + "AAAAAAAA"
	f.Unavailable = poolB.MustMintTokens(ClientID, "carol").AccessToken
	return f, nil
}

// MintAccess returns a fresh access token of alice (group admin) with
// the given scopes.
func (f *Fixture) MintAccess(tb testing.TB, scopes ...string) string {
	tb.Helper()
	t, err := f.PoolA.MintTokens(ClientID, "alice", cognitotest.TokenScopes(scopes...))
	if err != nil {
		tb.Fatal(err)
	}
	return t.AccessToken
}

// Cases returns the shared table.
func (f *Fixture) Cases() []Case {
	ok := Want{Handler: true}
	missing := Want{Kind: auth.KindMissing, Challenge: `Bearer realm="` + Realm + `"`}
	invalid := func(desc string) Want {
		return Want{Kind: auth.KindInvalidToken, Challenge: challenge("invalid_token", desc)}
	}
	return []Case{
		{Name: "no token", Route: RouteAccess, Want: missing},
		{Name: "other scheme", Route: RouteAccess, Raw: "Basic YWxpY2U6c2VjcmV0", Want: missing},
		{Name: "malformed", Route: RouteAccess, Tokens: []string{"not-a-jwt"}, Want: invalid("The token is malformed.")},
		{Name: "bad signature", Route: RouteAccess, Tokens: []string{f.BadSignature}, Want: invalid("The token is invalid.")},
		{Name: "expired", Route: RouteAccess, Tokens: []string{f.Expired}, Want: invalid("The token has expired.")},
		{Name: "wrong client", Route: RouteAccess, Tokens: []string{f.WrongClient}, Want: invalid("The token was issued to another client.")},
		{Name: "ID token where access is required", Route: RouteAccess, Tokens: []string{f.AliceID}, Want: invalid("The token is of the wrong type (ID or access token).")},
		{Name: "access token where ID is required", Route: RouteID, Tokens: []string{f.AliceAccess}, Want: invalid("The token is of the wrong type (ID or access token).")},
		{Name: "ID token where ID is required", Route: RouteID, Tokens: []string{f.AliceID}, Want: ok},
		{Name: "access token", Route: RouteAccess, Tokens: []string{f.AliceAccess}, Want: ok},
		{Name: "two credentials", Route: RouteAccess, Tokens: []string{f.AliceAccess, f.BobAccess}, Want: Want{Kind: auth.KindBadRequest,
			Challenge: challenge("invalid_request", "Send exactly one bearer token.")}},
		{Name: "two words", Route: RouteAccess, Raw: "Bearer " + f.AliceAccess + " extra", Want: Want{Kind: auth.KindBadRequest,
			Challenge: challenge("invalid_request", `The Authorization header must be "Bearer" followed by exactly one token.`)}},
		{Name: "lower-case scheme", Route: RouteAccess, Raw: "bearer " + f.AliceAccess, Want: ok},
		{Name: "missing group", Route: RouteAdmin, Tokens: []string{f.BobAccess}, Want: Want{Kind: auth.KindForbidden,
			Challenge: challenge("insufficient_scope", "The token lacks a required group.")}},
		{Name: "right group", Route: RouteAdmin, Tokens: []string{f.AliceAccess}, Want: ok},
		{Name: "missing scope", Route: RouteOrders, Tokens: []string{f.BobAccess}, Want: Want{Kind: auth.KindForbidden,
			Challenge: challenge("insufficient_scope", "The token lacks a required scope.") + `, scope="orders/read"`}},
		{Name: "right scope", Route: RouteOrders, Tokens: []string{f.AliceAccess}, Want: ok},
		{Name: "M2M token with scope", Route: RouteOrders, Tokens: []string{f.M2M}, Want: ok},
		{Name: "M2M token without group", Route: RouteAdmin, Tokens: []string{f.M2M}, Want: Want{Kind: auth.KindForbidden,
			Challenge: challenge("insufficient_scope", "The token lacks a required group.")}},
		{Name: "keys unavailable", Route: RouteAccess, Tokens: []string{f.Unavailable}, Want: Want{Kind: auth.KindUnavailable}},
		{Name: "public without token", Route: RoutePublic, Want: ok},
		{Name: "stream with token", Route: RouteStream, Tokens: []string{f.AliceAccess}, Want: ok},
		{Name: "stream without token", Route: RouteStream, Want: missing},
		{Name: "stream with ID token", Route: RouteStream, Tokens: []string{f.AliceID}, Want: invalid("The token is of the wrong type (ID or access token).")},
	}
}

// HTTPStatus is the status both HTTP transports must answer for k.
func HTTPStatus(k auth.Kind) int {
	switch k {
	case 0:
		return http.StatusOK
	case auth.KindMissing, auth.KindInvalidToken:
		return http.StatusUnauthorized
	case auth.KindBadRequest:
		return http.StatusBadRequest
	case auth.KindForbidden:
		return http.StatusForbidden
	case auth.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return -1
}

// AuthHeaders returns the Authorization values to send for c.
func (c Case) AuthHeaders() []string {
	if c.Raw != "" {
		return []string{c.Raw}
	}
	out := make([]string, len(c.Tokens))
	for i, t := range c.Tokens {
		out[i] = "Bearer " + t
	}
	return out
}

// CheckHTTP asserts an HTTP answer against c.Want: status, WWW-Authenticate,
// Retry-After, the JSON error code, and whether the handler ran (hits is
// the number of handler runs during the request).
func CheckHTTP(t *testing.T, c Case, resp *http.Response, body []byte, hits int64) {
	t.Helper()
	if got, want := resp.StatusCode, HTTPStatus(c.Want.Kind); got != want {
		t.Errorf("status = %d; want %d (body %s)", got, want, body)
	}
	if got := resp.Header.Values("WWW-Authenticate"); c.Want.Challenge == "" && len(got) != 0 ||
		c.Want.Challenge != "" && (len(got) != 1 || got[0] != c.Want.Challenge) {
		t.Errorf("WWW-Authenticate = %q; want %q", got, c.Want.Challenge)
	}
	wantRetry := ""
	if c.Want.Kind == auth.KindUnavailable {
		wantRetry = "10"
	}
	if got := resp.Header.Get("Retry-After"); got != wantRetry {
		t.Errorf("Retry-After = %q; want %q", got, wantRetry)
	}
	if wantHits := int64(0); c.Want.Handler {
		wantHits = 1
		if hits != wantHits {
			t.Errorf("handler ran %d times; want %d", hits, wantHits)
		}
	} else if hits != 0 {
		t.Errorf("handler ran %d times; want 0", hits)
	}
	if c.Want.Kind != 0 {
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("error body %q is not JSON: %v", body, err)
		}
		want := map[auth.Kind]string{auth.KindMissing: "unauthorized", auth.KindBadRequest: "invalid_request",
			auth.KindInvalidToken: "invalid_token", auth.KindForbidden: "insufficient_scope",
			auth.KindUnavailable: "temporarily_unavailable"}[c.Want.Kind]
		if e.Error != want {
			t.Errorf("body error = %q; want %q", e.Error, want)
		}
	}
}
