package online_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
	"github.com/cognitokit/cognitokit/verifier/revocation/online"
)

const alicePass = "Alice-Passw0rd!"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is an emulated pool with a user, the real SDK client, and a
// verifier whose revocation checker is chosen by the test.
type env struct {
	t    *testing.T
	srv  *cognitotest.Server
	pool *cognitotest.Pool
	ac   cognitotest.AppClient
	api  *cip.Client
	sub  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Revoke"})
	ac := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app"})
	u := pool.MustCreateUser(cognitotest.UserConfig{Username: "alice", Password: alicePass})
	return &env{t: t, srv: srv, pool: pool, ac: ac, api: cip.NewFromConfig(srv.AWSConfig()), sub: u.Sub}
}

type session struct{ access, id, refresh string }

// signIn signs alice in with USER_PASSWORD_AUTH through the SDK.
func (e *env) signIn() session {
	e.t.Helper()
	out, err := e.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &e.ac.ID,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePass},
	})
	if err != nil {
		e.t.Fatalf("InitiateAuth: %v", err)
	}
	r := out.AuthenticationResult
	return session{access: *r.AccessToken, id: *r.IdToken, refresh: *r.RefreshToken}
}

func (e *env) verifier(rc verifier.RevocationChecker) *verifier.Verifier {
	e.t.Helper()
	v, err := verifier.New(verifier.Config{
		Pools:      []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: []string{e.ac.ID}, TokenUse: verifier.TokenUseAny, Issuer: e.pool.Issuer()}},
		Revocation: rc,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { v.Close() })
	return v
}

// getUserRefuses asserts that the emulator's GetUser refuses token as
// revoked, as Cognito does.
func (e *env) getUserRefuses(token string) {
	e.t.Helper()
	_, err := e.api.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(token)})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || na.ErrorMessage() != "Access Token has been revoked" {
		e.t.Fatalf("GetUser after the revocation: got %v; want NotAuthorizedException \"Access Token has been revoked\"", err)
	}
}

func mustVerify(t *testing.T, v *verifier.Verifier, tok string) {
	t.Helper()
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func mustRefuse(t *testing.T, v *verifier.Verifier, tok string, want error) {
	t.Helper()
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, want) {
		t.Fatalf("Verify: got %v; want %v", err, want)
	}
}

func newList(t *testing.T) *revocation.List {
	l, err := revocation.New(revocation.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func newChecker(t *testing.T, cfg online.Config) *online.Checker {
	ch, err := online.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestRevokeTokenOutOfBand: a refresh token revoked with RevokeToken by
// someone else (another app, the CLI without --redis) is noticed by the
// online check once the cached "active" answer expires; the check records
// the origin_jti so that the ID token of the same sign-in is refused too,
// and the user's other sign-ins stay valid.
func TestRevokeTokenOutOfBand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := &clock{t: time.Now()}
	list := newList(t)
	var calls atomic.Int64
	ch := newChecker(t, online.Config{API: e.api, List: list, CacheTTL: time.Minute, Now: clk.Now,
		Observer: online.Observer{OnCall: func(context.Context, online.CallEvent) { calls.Add(1) }}})
	v := e.verifier(ch)
	s1, s2 := e.signIn(), e.signIn()
	mustVerify(t, v, s1.access)
	mustVerify(t, v, s1.access) // cached answer
	mustVerify(t, v, s2.access)
	if calls.Load() != 2 {
		t.Fatalf("GetUser calls = %d; want 2 (one per token, the second Verify served from the cache)", calls.Load())
	}
	if _, err := e.api.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: &e.ac.ID, Token: &s1.refresh}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	e.getUserRefuses(s1.access)
	mustVerify(t, v, s1.access) // still cached: noticed within CacheTTL, not before
	clk.Add(time.Minute + time.Second)
	mustRefuse(t, v, s1.access, verifier.ErrRevoked)
	mustRefuse(t, v, s1.id, verifier.ErrRevoked) // via the recorded origin_jti
	mustVerify(t, v, s2.access)
	if list.Len() != 1 {
		t.Fatalf("list.Len = %d; want 1 (the origin_jti GetUser reported)", list.Len())
	}
}

// TestGlobalSignOutOutOfBand: GlobalSignOut called by the user's own
// client revokes every session; the online check sees it.
func TestGlobalSignOutOutOfBand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := &clock{t: time.Now()}
	list := newList(t)
	v := e.verifier(newChecker(t, online.Config{API: e.api, List: list, CacheTTL: time.Second, Now: clk.Now}))
	s1, s2 := e.signIn(), e.signIn()
	mustVerify(t, v, s1.access)
	mustVerify(t, v, s2.access)
	if _, err := e.api.GlobalSignOut(context.Background(), &cip.GlobalSignOutInput{AccessToken: &s2.access}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	e.getUserRefuses(s1.access)
	e.getUserRefuses(s2.access)
	clk.Add(2 * time.Second)
	mustRefuse(t, v, s1.access, verifier.ErrRevoked)
	mustRefuse(t, v, s2.access, verifier.ErrRevoked)
	mustRefuse(t, v, s1.id, verifier.ErrRevoked)
	s3 := e.signIn()
	mustVerify(t, v, s3.access) // a new sign-in works
}

// TestAdminSignOutFeedsTheList: AdminSignOut calls AdminUserGlobalSignOut
// and records the user in the list: a verifier with the list alone (no
// online check) refuses every token of the user issued before, ID tokens
// included, at once.
func TestAdminSignOutFeedsTheList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	list := newList(t)
	v := e.verifier(list)
	s1, s2 := e.signIn(), e.signIn()
	mustVerify(t, v, s1.access)
	mustVerify(t, v, s2.id)
	if err := online.AdminSignOut(context.Background(), e.api, list, e.pool.ID(), "alice"); err != nil {
		t.Fatalf("AdminSignOut: %v", err)
	}
	e.getUserRefuses(s1.access)
	mustRefuse(t, v, s1.access, verifier.ErrRevoked)
	mustRefuse(t, v, s2.id, verifier.ErrRevoked)
	_, err := e.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &e.ac.ID, AuthParameters: map[string]string{"REFRESH_TOKEN": s1.refresh},
	})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("refresh after AdminUserGlobalSignOut: got %v; want NotAuthorizedException", err)
	}
	var nf *types.UserNotFoundException
	if err := online.AdminSignOut(context.Background(), e.api, list, e.pool.ID(), "nobody"); !errors.As(err, &nf) {
		t.Fatalf("unknown user: got %v; want UserNotFoundException", err)
	}
	if err := online.AdminSignOut(context.Background(), e.api, list, "", "alice"); !errors.Is(err, online.ErrInvalidInput) {
		t.Fatalf("no pool: got %v; want ErrInvalidInput", err)
	}
}

// TestAdminUserGlobalSignOutOutOfBand: an administrator's sign-out in the
// console (AdminUserGlobalSignOut without the helper) is seen by the
// online check once the cached answer expires.
func TestAdminUserGlobalSignOutOutOfBand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := &clock{t: time.Now()}
	v := e.verifier(newChecker(t, online.Config{API: e.api, CacheTTL: time.Second, Now: clk.Now}))
	s1 := e.signIn()
	mustVerify(t, v, s1.access)
	pool := e.pool.ID()
	if _, err := e.api.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &pool, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	e.getUserRefuses(s1.access)
	clk.Add(2 * time.Second)
	mustRefuse(t, v, s1.access, verifier.ErrRevoked)
}

// failingAPI answers every GetUser with err after counting it.
type failingAPI struct {
	err   error
	calls atomic.Int64
	delay time.Duration
}

func (f *failingAPI) GetUser(ctx context.Context, _ *cip.GetUserInput, _ ...func(*cip.Options)) (*cip.GetUserOutput, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &cip.GetUserOutput{}, nil
}

func TestFailClosedAndOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.signIn()
	down := &failingAPI{err: &types.TooManyRequestsException{Message: aws.String("Rate exceeded")}}
	closed := e.verifier(newChecker(t, online.Config{API: down}))
	mustRefuse(t, closed, s.access, verifier.ErrRevocationUnavailable)
	mustRefuse(t, closed, s.access, verifier.ErrRevocationUnavailable) // failures are not cached
	if down.calls.Load() != 2 {
		t.Fatalf("calls = %d; want 2", down.calls.Load())
	}
	open := e.verifier(newChecker(t, online.Config{API: down, FailOpen: true}))
	mustVerify(t, open, s.access)
	// ID tokens are not checked online.
	mustVerify(t, closed, s.id)
}

func TestSingleFlightAndRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.signIn()
	slow := &failingAPI{delay: 50 * time.Millisecond}
	v := e.verifier(newChecker(t, online.Config{API: slow}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { mustVerify(t, v, s.access) })
	}
	wg.Wait()
	if got := slow.calls.Load(); got != 1 {
		t.Fatalf("20 concurrent checks of one token made %d GetUser calls; want 1", got)
	}
	// A limiter of 1 call per hour with a burst of 1: the second distinct
	// token cannot be checked and fails closed, without waiting an hour.
	limited := &failingAPI{}
	lv := e.verifier(newChecker(t, online.Config{API: limited, Rate: 1.0 / 3600, Burst: 1, MaxWait: 10 * time.Millisecond}))
	mustVerify(t, lv, s.access)
	start := time.Now()
	mustRefuse(t, lv, e.signIn().access, verifier.ErrRevocationUnavailable)
	if time.Since(start) > 5*time.Second {
		t.Fatal("the rate-limited check waited far beyond MaxWait")
	}
	if limited.calls.Load() != 1 {
		t.Fatalf("calls = %d; want 1", limited.calls.Load())
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	api := &failingAPI{}
	for _, cfg := range []online.Config{{}, {API: api, CacheTTL: -1}, {API: api, Rate: -1}, {API: api, CacheSize: -1}, {API: api, Timeout: -1}} {
		if _, err := online.New(cfg); !errors.Is(err, online.ErrInvalidConfig) {
			t.Errorf("New(%+v): got %v; want ErrInvalidConfig", cfg, err)
		}
	}
}
