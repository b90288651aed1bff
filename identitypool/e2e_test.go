package identitypool_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestSignInToCredentials: SRP sign-in, ID-token source, provider under
// aws.NewCredentialsCache, credentials for the user's own identity.
func TestSignInToCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ts := e.signIn(t, "ann")
	p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, ts)} })
	cache := aws.NewCredentialsCache(p)
	ctx := context.Background()
	creds, err := cache.Retrieve(ctx)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if !creds.HasKeys() || creds.SessionToken == "" || !creds.CanExpire || creds.Source != identitypool.CredentialsSource {
		t.Errorf("credentials: got %+v; want keys, session token, expiry, source %s", creds, identitypool.CredentialsSource)
	}
	info := e.whose(t, creds)
	want := e.identityOf(t, "ann")
	if info.IdentityID != want || !info.Authenticated {
		t.Errorf("credentials belong to %+v; want authenticated identity %s", info, want)
	}
	id, err := p.IdentityID(ctx)
	if err != nil || id != want {
		t.Errorf("IdentityID: got %s, %v; want %s", id, err, want)
	}
	if got := e.api.getID.Load(); got != 1 {
		t.Errorf("GetId calls: got %d; want 1 (cached)", got)
	}
}

// TestSRPSourceWithoutUseIDToken: the ID token travels in the token's
// "id_token" extra, so a source handing out access tokens works too.
func TestSRPSourceWithoutUseIDToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.Background()
	res, err := e.srp.SignIn(ctx, srpclient.SignInInput{Username: "bob", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := e.srp.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, ts)} })
	creds, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if got, want := e.whose(t, creds).IdentityID, e.identityOf(t, "bob"); got != want {
		t.Errorf("identity: got %s; want %s", got, want)
	}
}

// TestCachedUntilNearExpiry: credentials are served from the cache while
// fresh; credentials within EarlyExpiry of their expiry are refreshed
// although AWS would still accept them. The deprecated RefreshMargin still
// sets it.
func TestCachedUntilNearExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.Background()
	ts := e.signIn(t, "ann")
	p := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, ts)}
		c.EarlyExpiry = 7 * time.Minute
	})
	cache := p.CredentialsCache()
	first, err := cache.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exp := e.whose(t, first).Expiration
	if got, want := first.Expires, exp.Add(-7*time.Minute); !got.Equal(want) {
		t.Errorf("Expires: got %v; want expiry - EarlyExpiry = %v", got, want)
	}
	old := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, ts)}
		c.RefreshMargin = 8 * time.Minute
	})
	if c, err := old.Retrieve(ctx); err != nil {
		t.Fatal(err)
	} else if got, want := c.Expires, e.whose(t, c).Expiration.Add(-8*time.Minute); !got.Equal(want) {
		t.Errorf("deprecated RefreshMargin: Expires got %v; want expiry - RefreshMargin = %v", got, want)
	}
	before := e.api.creds.Load()
	for range 5 {
		c, err := cache.Retrieve(ctx)
		if err != nil || c.AccessKeyID != first.AccessKeyID {
			t.Fatalf("cached Retrieve: got %s, %v; want %s", c.AccessKeyID, err, first.AccessKeyID)
		}
	}
	if got := e.api.creds.Load() - before; got != 0 {
		t.Errorf("GetCredentialsForIdentity calls while fresh: got %d; want 0", got)
	}

	// Move the emulator's and the provider's clock so that new
	// credentials expire 4 minutes from now (real time): inside the margin.
	e.clock.Set(time.Now().Add(-56 * time.Minute))
	p2 := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, e.signIn(t, "ann"))}
		c.EarlyExpiry = 5 * time.Minute
	})
	cache2 := p2.CredentialsCache()
	near, err := cache2.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info := e.whose(t, near); !info.Expiration.After(time.Now()) {
		t.Fatalf("setup: the credentials expire at %v, already past", info.Expiration)
	}
	before = e.api.creds.Load()
	again, err := cache2.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.AccessKeyID == near.AccessKeyID || e.api.creds.Load() != before+1 {
		t.Errorf("credentials within the refresh margin were not refreshed (calls %d -> %d)", before, e.api.creds.Load())
	}
}

// TestExpiredIDTokenRefreshedAndRetried covers the two ways an ID token
// expires: the source's clock says so (srpclient refreshes on its own), or
// only Cognito's does (the provider invalidates the source and retries
// once).
func TestExpiredIDTokenRefreshedAndRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("srpclient refresh", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{})
		ts := e.signIn(t, "ann")
		p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, ts)} })
		first, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		oldID := ts.Tokens().IDToken
		e.clock.Advance(61 * time.Minute) // the ID token has expired
		second, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatalf("Retrieve after ID token expiry: %v", err)
		}
		if ts.Tokens().IDToken == oldID {
			t.Error("the ID token was not refreshed")
		}
		if a, b := e.whose(t, first), e.whose(t, second); a.IdentityID != b.IdentityID || a.AccessKeyID == b.AccessKeyID {
			t.Errorf("after refresh: identities %s, %s; want the same identity, new keys", a.IdentityID, b.IdentityID)
		}
		if got := e.api.getID.Load(); got != 1 {
			t.Errorf("GetId calls: got %d; want 1 (same user)", got)
		}
	})

	t.Run("Cognito says expired, source invalidated, retried once", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{})
		expired := e.pool.MustMintTokens(e.app.ID, "ann", cognitotest.TokenExpiresAt(e.clock.Now().Add(-time.Second))).IDToken
		fresh := e.pool.MustMintTokens(e.app.ID, "ann").IDToken
		src := invalidatingSource{&staticSource{tokens: []string{expired, fresh}}}
		// The provider's clock lags: it believes the expired token is fine.
		p := e.provider(t, func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{e.login(t, src)}
			c.Now = func() time.Time { return e.clock.Now().Add(-time.Hour) }
		})
		creds, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		if got := src.invalidated.Load(); got != 1 {
			t.Errorf("Invalidate calls: got %d; want 1", got)
		}
		if info := e.whose(t, creds); info.IdentityID != e.identityOf(t, "ann") {
			t.Errorf("credentials for %s; want ann's identity", info.IdentityID)
		}
	})

	t.Run("still expired after the retry", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{})
		e.identityOf(t, "ann") // the identity exists; only the token is stale
		expired := e.pool.MustMintTokens(e.app.ID, "ann", cognitotest.TokenExpiresAt(e.clock.Now().Add(-time.Second))).IDToken
		src := &staticSource{tokens: []string{expired}}
		p := e.provider(t, func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{e.login(t, src)}
			c.Now = func() time.Time { return e.clock.Now().Add(-time.Hour) }
		})
		_, err := p.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrNotAuthorized) || !isErr[*citypes.NotAuthorizedException](err) {
			t.Fatalf("got %v; want ErrNotAuthorized wrapping NotAuthorizedException", err)
		}
		if got := src.calls.Load(); got != 2 {
			t.Errorf("token source calls: got %d; want 2 (one retry)", got)
		}
	})

	t.Run("expired by the provider's clock", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{})
		expired := e.pool.MustMintTokens(e.app.ID, "ann", cognitotest.TokenExpiresAt(e.clock.Now().Add(-time.Second))).IDToken
		fresh := e.pool.MustMintTokens(e.app.ID, "ann").IDToken
		src := invalidatingSource{&staticSource{tokens: []string{expired, fresh}}}
		p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, src)} })
		if _, err := p.Retrieve(ctx); err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		if e.api.getID.Load() != 1 || e.api.creds.Load() != 1 || src.invalidated.Load() != 1 {
			t.Errorf("calls: GetId %d, GetCredentialsForIdentity %d, Invalidate %d; want 1, 1, 1 (refreshed before asking Cognito)",
				e.api.getID.Load(), e.api.creds.Load(), src.invalidated.Load())
		}
	})
}

// TestUserSwitch: another user gets their own identity and never the
// previous user's credentials.
func TestUserSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	annID, bobID := e.identityOf(t, "ann"), e.identityOf(t, "bob")
	e.api.getID.Store(0)

	t.Run("SetLogins", func(t *testing.T) {
		annTS, bobTS := e.signIn(t, "ann"), e.signIn(t, "bob")
		p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, annTS)} })
		cache := p.CredentialsCache()
		a, err := cache.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.whose(t, a).IdentityID; got != annID {
			t.Fatalf("ann's credentials belong to %s; want %s", got, annID)
		}
		if err := p.SetLogins(e.login(t, bobTS)); err != nil {
			t.Fatal(err)
		}
		b, err := cache.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.whose(t, b).IdentityID; got != bobID || b.AccessKeyID == a.AccessKeyID {
			t.Errorf("after the switch: credentials of %s (key reused: %v); want bob's %s", got, b.AccessKeyID == a.AccessKeyID, bobID)
		}
		// Back to ann: her identity comes from the cache.
		calls := e.api.getID.Load()
		if err := p.SetLogins(e.login(t, annTS)); err != nil {
			t.Fatal(err)
		}
		c, err := cache.Retrieve(ctx)
		if err != nil || e.whose(t, c).IdentityID != annID || e.api.getID.Load() != calls {
			t.Errorf("back to ann: %v, GetId calls %d -> %d; want ann's identity without GetId", err, calls, e.api.getID.Load())
		}
		p.ClearLogins()
		_, err = cache.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrNoLogins) {
			t.Errorf("after ClearLogins: got %v; want ErrNoLogins", err)
		}
	})

	t.Run("source switches silently", func(t *testing.T) {
		src := &switchSource{tok: e.pool.MustMintTokens(e.app.ID, "ann").IDToken}
		p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, src)} })
		a, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		src.set(e.pool.MustMintTokens(e.app.ID, "bob").IDToken)
		b, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if e.whose(t, a).IdentityID != annID || e.whose(t, b).IdentityID != bobID {
			t.Errorf("identities: got %s then %s; want %s then %s", e.whose(t, a).IdentityID, e.whose(t, b).IdentityID, annID, bobID)
		}
	})

	t.Run("concurrent retrievals across a switch", func(t *testing.T) {
		annSrc := &switchSource{tok: e.pool.MustMintTokens(e.app.ID, "ann").IDToken}
		bobSrc := &switchSource{tok: e.pool.MustMintTokens(e.app.ID, "bob").IDToken}
		p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, annSrc)} })
		cache := p.CredentialsCache()
		var switched sync.WaitGroup
		switched.Add(1)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					if g == 0 && i == 3 {
						if err := p.SetLogins(e.login(t, bobSrc)); err != nil {
							errs <- err
						}
						switched.Done()
					}
					if _, err := cache.Retrieve(ctx); err != nil {
						errs <- err
					}
				}
			}()
		}
		switched.Wait()
		for range 5 {
			c, err := cache.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.whose(t, c).IdentityID; got != bobID {
				t.Fatalf("after SetLogins returned: credentials of %s; want bob's %s", got, bobID)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestGuests: allowed and denied.
func TestGuests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("allowed", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{AllowUnauthenticated: true})
		p := e.provider(t, func(c *identitypool.Config) { c.AllowGuest = true })
		a, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatalf("guest Retrieve: %v", err)
		}
		b, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ia, ib := e.whose(t, a), e.whose(t, b)
		if ia.Authenticated || ia.IdentityID != ib.IdentityID || e.api.getID.Load() != 1 {
			t.Errorf("guest: got %+v, %+v, %d GetId; want one unauthenticated identity", ia, ib, e.api.getID.Load())
		}
		// The guest signs in: the credentials are the user's, from the
		// user's own identity.
		if err := p.SetLogins(e.login(t, e.signIn(t, "ann"))); err != nil {
			t.Fatal(err)
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ic := e.whose(t, c); !ic.Authenticated || ic.IdentityID == ia.IdentityID {
			t.Errorf("after sign-in: got %+v; want an authenticated identity other than the guest's", ic)
		}
	})
	t.Run("denied by the pool", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{})
		p := e.provider(t, func(c *identitypool.Config) { c.AllowGuest = true })
		_, err := p.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrGuestNotAllowed) || !errors.Is(err, identitypool.ErrNotAuthorized) {
			t.Fatalf("got %v; want ErrGuestNotAllowed and ErrNotAuthorized", err)
		}
		var ae *identitypool.APIError
		if !errors.As(err, &ae) || ae.Code != "NotAuthorizedException" || ae.Op != "GetId" || !isErr[*citypes.NotAuthorizedException](err) {
			t.Errorf("got %#v; want *APIError GetId NotAuthorizedException", err)
		}
	})
	t.Run("not allowed by the provider", func(t *testing.T) {
		e := newEnv(t, cognitotest.IdentityPoolConfig{AllowUnauthenticated: true})
		p := e.provider(t, nil)
		_, err := p.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrNoLogins) || e.api.getID.Load() != 0 {
			t.Errorf("got %v after %d GetId; want ErrNoLogins without a call", err, e.api.getID.Load())
		}
	})
}

// TestErrors: forged tokens and the other typed errors.
func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	good := e.pool.MustMintTokens(e.app.ID, "ann")
	forged := good.IDToken[:len(good.IDToken)-8] + "AAAAAAAA"
	other := e.pool.MustCreateClient(cognitotest.ClientConfig{Name: "other"})
	sourceErr := errors.New("refresh token revoked")
	for _, tc := range []struct {
		name    string
		src     *staticSource
		want    error
		apiCode string
	}{
		{"forged", &staticSource{tokens: []string{forged}}, identitypool.ErrNotAuthorized, "NotAuthorizedException"},
		{"wrong audience", &staticSource{tokens: []string{e.pool.MustMintTokens(other.ID, "ann").IDToken}}, identitypool.ErrNotAuthorized, "NotAuthorizedException"},
		{"access token", &staticSource{tokens: []string{good.AccessToken}}, identitypool.ErrInvalidLogin, ""},
		{"not a JWT", &staticSource{tokens: []string{"opaque"}}, identitypool.ErrInvalidLogin, ""},
		{"empty", &staticSource{tokens: []string{""}}, identitypool.ErrInvalidLogin, ""},
		{"source fails", &staticSource{err: sourceErr}, identitypool.ErrLoginSource, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, tc.src)} })
			_, err := p.Retrieve(ctx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v; want %v", err, tc.want)
			}
			var ae *identitypool.APIError
			if got := errors.As(err, &ae); got != (tc.apiCode != "") || got && ae.Code != tc.apiCode {
				t.Errorf("APIError: got %v; want code %q", err, tc.apiCode)
			}
			if tc.src.err != nil && !errors.Is(err, sourceErr) {
				t.Errorf("got %v; want the source's error wrapped", err)
			}
			for _, secret := range []string{forged, good.AccessToken, good.IDToken} {
				if len(secret) > 20 && contains(err.Error(), secret[len(secret)/2:len(secret)/2+16]) {
					t.Errorf("error leaks a token: %v", err)
				}
			}
		})
	}

	t.Run("unknown identity pool", func(t *testing.T) {
		p, err := identitypool.New(identitypool.Config{API: e.api, IdentityPoolID: "us-east-1:00000000-0000-4000-8000-000000000000",
			Logins: []identitypool.Login{e.login(t, &staticSource{tokens: []string{good.IDToken}})}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrIdentityPoolNotFound) || !isErr[*citypes.ResourceNotFoundException](err) {
			t.Errorf("got %v; want ErrIdentityPoolNotFound", err)
		}
	})

	t.Run("throttling retried by the SDK", func(t *testing.T) {
		p := e.provider(t, func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{e.login(t, &staticSource{tokens: []string{good.IDToken}})}
		})
		e.srv.FailOperation("GetCredentialsForIdentity", 2, "TooManyRequestsException", "Rate exceeded")
		before := e.api.creds.Load()
		if _, err := p.Retrieve(ctx); err != nil {
			t.Fatalf("Retrieve with two throttled attempts: %v", err)
		}
		if got := e.api.creds.Load() - before; got != 1 {
			t.Errorf("provider calls: got %d; want 1 (the SDK retried)", got)
		}
		e.srv.FailOperation("GetCredentialsForIdentity", 3, "TooManyRequestsException", "Rate exceeded")
		_, err := p.Retrieve(ctx)
		if !errors.Is(err, identitypool.ErrTooManyRequests) || !isErr[*citypes.TooManyRequestsException](err) {
			t.Errorf("got %v; want ErrTooManyRequests once the SDK's attempts run out", err)
		}
	})

	t.Run("service failure", func(t *testing.T) {
		p := e.provider(t, func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{e.login(t, &staticSource{tokens: []string{good.IDToken}})}
		})
		e.srv.FailOperation("GetCredentialsForIdentity", 3, "", "")
		if _, err := p.Retrieve(ctx); !errors.Is(err, identitypool.ErrUnavailable) {
			t.Errorf("got %v; want ErrUnavailable", err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := p.Retrieve(canceled); !errors.Is(err, identitypool.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("canceled: got %v; want ErrUnavailable and context.Canceled", err)
		}
	})

	t.Run("stale cached identity", func(t *testing.T) {
		p := e.provider(t, func(c *identitypool.Config) {
			c.Logins = []identitypool.Login{e.login(t, &staticSource{tokens: []string{good.IDToken}})}
		})
		first, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		old := e.whose(t, first).IdentityID
		if _, err := e.iam.DeleteIdentities(ctx, deleteInput(old)); err != nil {
			t.Fatal(err)
		}
		second, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatalf("Retrieve after the identity was deleted: %v", err)
		}
		if id := e.whose(t, second).IdentityID; id == old {
			t.Errorf("got the deleted identity %s again", id)
		}
	})
}

// TestSRPClientRevokedRefreshToken: a source whose refresh token was revoked
// reports srpclient's error through ErrLoginSource.
func TestSRPClientRevokedRefreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ctx := context.Background()
	ts := e.signIn(t, "ann")
	p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, ts)} })
	if err := e.srp.Revoke(ctx, ts.Tokens().RefreshToken); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	_, err := p.Retrieve(ctx)
	if !errors.Is(err, identitypool.ErrLoginSource) || !errors.Is(err, srpclient.ErrRefreshTokenInvalid) {
		t.Errorf("got %v; want ErrLoginSource wrapping srpclient.ErrRefreshTokenInvalid", err)
	}
}

// TestConcurrentColdStart: many goroutines on a cold provider share one GetId.
func TestConcurrentColdStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	ts := e.signIn(t, "ann")
	p := e.provider(t, func(c *identitypool.Config) { c.Logins = []identitypool.Login{e.login(t, ts)} })
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([]string, 20)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.Retrieve(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			info, _ := e.srv.IssuedCredentials(c.AccessKeyID)
			ids[i] = info.IdentityID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("identities: %v; want one", ids)
		}
	}
	if got := e.api.getID.Load(); got != 1 {
		t.Errorf("GetId calls: got %d; want 1", got)
	}

	// Under aws.NewCredentialsCache, concurrent callers share one refresh.
	cache := aws.NewCredentialsCache(p)
	before := e.api.creds.Load()
	keys := make([]string, 20)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := cache.Retrieve(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = c.AccessKeyID
		}()
	}
	wg.Wait()
	for _, k := range keys {
		if k != keys[0] || k == "" {
			t.Fatalf("access keys: %v; want one", keys)
		}
	}
	if got := e.api.creds.Load() - before; got != 1 {
		t.Errorf("GetCredentialsForIdentity calls through the cache: got %d; want 1", got)
	}
}

func deleteInput(id string) *ci.DeleteIdentitiesInput {
	return &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{id}}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestSharedGetIdCanceledByLeader: when the caller that started a shared
// GetId gives up, it returns its context's error, and the GetId goes on for
// the callers waiting on it: they get its result, without a second GetId.
//
// Events order it, not timing: the GetId is held on the wire until the
// test releases it, and the leader's deadline passes when the test says
// so, once the follower has asked too.
func TestSharedGetIdCanceledByLeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.IdentityPoolConfig{})
	followerAsked := make(chan struct{})
	src := &staticSource{tokens: []string{e.pool.MustMintTokens(e.app.ID, "ann").IDToken}, onToken: func(call int32) {
		if call == 2 {
			close(followerAsked)
		}
	}}
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var getIDs atomic.Int32
	p := e.provider(t, func(c *identitypool.Config) {
		c.Logins = []identitypool.Login{e.login(t, src)}
		c.API = getIDStartedAPI{API: c.API, started: func() {
			getIDs.Add(1)
			once.Do(func() { close(started) })
			<-release
		}}
	})
	leaderCtx := newDeadlineContext()
	done := make(chan error, 1)
	go func() {
		_, err := p.IdentityID(leaderCtx)
		done <- err
	}()
	<-started // the leader's GetId is on the wire, held
	type result struct {
		id  string
		err error
	}
	follower := make(chan result, 1)
	go func() {
		id, err := p.IdentityID(context.Background())
		follower <- result{id, err}
	}()
	<-followerAsked // the follower is on its way to the shared GetId
	leaderCtx.expire()
	if lerr := <-done; !errors.Is(lerr, context.DeadlineExceeded) || !errors.Is(lerr, identitypool.ErrUnavailable) {
		t.Errorf("leader: got %v; want ErrUnavailable and its deadline", lerr)
	}
	close(release) // the GetId answers after its starter gave up
	r := <-follower
	if r.err != nil {
		t.Fatalf("follower: %v", r.err)
	}
	if n := getIDs.Load(); n != 1 {
		t.Errorf("GetId calls: got %d; want 1 (the shared call is not cancelled with its starter)", n)
	}
	if want := e.identityOf(t, "ann"); r.id != want {
		t.Errorf("follower identity: got %s; want %s", r.id, want)
	}
}

// deadlineContext is a context whose deadline passes when expire is
// called, rather than at a time.
type deadlineContext struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newDeadlineContext() *deadlineContext {
	return &deadlineContext{Context: context.Background(), done: make(chan struct{})}
}

func (c *deadlineContext) expire()               { c.once.Do(func() { close(c.done) }) }
func (c *deadlineContext) Done() <-chan struct{} { return c.done }
func (c *deadlineContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// getIDStartedAPI calls started when a GetId call begins.
type getIDStartedAPI struct {
	identitypool.API
	started func()
}

func (a getIDStartedAPI) GetId(ctx context.Context, in *ci.GetIdInput, opts ...func(*ci.Options)) (*ci.GetIdOutput, error) {
	a.started()
	return a.API.GetId(ctx, in, opts...)
}
