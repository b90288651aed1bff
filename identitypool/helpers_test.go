package identitypool_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/identitypool"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/srpclient"
)

const password = "Passw0rd!id"

// clock is a settable clock shared by the emulator, srpclient and the
// provider.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is an emulator with a user pool (users ann and bob), an app client,
// an identity pool accepting it, and SDK clients.
type env struct {
	srv   *cognitotest.Server
	clock *clock
	pool  *cognitotest.Pool
	app   cognitotest.AppClient
	idp   cognitotest.IdentityPool
	api   *countingAPI // unsigned Cognito Identity client, counted
	iam   *ci.Client   // signed, for the developer operations
	sts   *sts.Client
	srp   *srpclient.Client
}

func newEnv(t testing.TB, cfg cognitotest.IdentityPoolConfig) *env {
	t.Helper()
	clk := newClock(time.Now().Truncate(time.Second))
	srv := cognitotest.NewServer(t, cognitotest.WithClock(clk.Now), cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_IdPool"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{Name: "app"})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "ann", Password: password})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: password})
	cfg.UserPools = append(cfg.UserPools, cognitotest.IdentityPoolUserPool{UserPoolID: pool.ID(), ClientID: app.ID})
	idp := srv.MustCreateIdentityPool(cfg)

	anon := srv.AWSConfig()
	anon.Credentials = aws.AnonymousCredentials{}
	fast := func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.NewExponentialJitterBackoff(5 * time.Millisecond)
			o.RateLimiter = noRateLimit{}
		})
	}
	anon.Retryer = fast
	e := &env{srv: srv, clock: clk, pool: pool, app: app, idp: idp,
		api: &countingAPI{API: ci.NewFromConfig(anon)},
		iam: ci.NewFromConfig(srv.AWSConfig(), func(o *ci.Options) { o.Retryer = fast() }),
		sts: sts.NewFromConfig(anon)}
	c, err := srpclient.New(srpclient.Config{API: cip.NewFromConfig(srv.AWSConfig()), UserPoolID: pool.ID(), ClientID: app.ID, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.srp = c
	return e
}

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// signIn signs a user in over SRP and returns an ID-token source.
func (e *env) signIn(t testing.TB, user string) *srpclient.TokenSource {
	t.Helper()
	ctx := context.Background()
	res, err := e.srp.SignIn(ctx, srpclient.SignInInput{Username: user, Password: password})
	if err != nil || !res.Done() {
		t.Fatalf("sign in %s: %v %+v", user, err, res)
	}
	ts, err := e.srp.NewTokenSource(res.Tokens, srpclient.TokenSourceConfig{UseIDToken: true})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (e *env) login(t testing.TB, src oauth2.TokenSource) identitypool.Login {
	t.Helper()
	l, err := identitypool.UserPoolLogin(e.pool.ID(), src)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (e *env) provider(t testing.TB, mod func(*identitypool.Config)) *identitypool.Provider {
	t.Helper()
	cfg := identitypool.Config{API: e.api, IdentityPoolID: e.idp.ID, Now: e.clock.Now}
	if mod != nil {
		mod(&cfg)
	}
	p, err := identitypool.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// whose returns the identity the emulator issued credentials for.
func (e *env) whose(t testing.TB, c aws.Credentials) cognitotest.IssuedCredentials {
	t.Helper()
	info, ok := e.srv.IssuedCredentials(c.AccessKeyID)
	if !ok {
		t.Fatalf("the emulator did not issue access key %s", c.AccessKeyID)
	}
	return info
}

// identityOf is the identity of user's ID token, by GetId.
func (e *env) identityOf(t testing.TB, user string) string {
	t.Helper()
	out, err := e.api.API.GetId(context.Background(), &ci.GetIdInput{IdentityPoolId: &e.idp.ID,
		Logins: map[string]string{identitypool.UserPoolProvider(e.pool.ID()): e.pool.MustMintTokens(e.app.ID, user).IDToken}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.IdentityId)
}

// countingAPI counts the provider's calls to the real client (SDK retries
// happen inside one call).
type countingAPI struct {
	API                  *ci.Client
	getID, creds, openID atomic.Int32
}

func (c *countingAPI) GetId(ctx context.Context, in *ci.GetIdInput, o ...func(*ci.Options)) (*ci.GetIdOutput, error) {
	c.getID.Add(1)
	return c.API.GetId(ctx, in, o...)
}

func (c *countingAPI) GetCredentialsForIdentity(ctx context.Context, in *ci.GetCredentialsForIdentityInput, o ...func(*ci.Options)) (*ci.GetCredentialsForIdentityOutput, error) {
	c.creds.Add(1)
	return c.API.GetCredentialsForIdentity(ctx, in, o...)
}

func (c *countingAPI) GetOpenIdToken(ctx context.Context, in *ci.GetOpenIdTokenInput, o ...func(*ci.Options)) (*ci.GetOpenIdTokenOutput, error) {
	c.openID.Add(1)
	return c.API.GetOpenIdToken(ctx, in, o...)
}

// staticSource returns fixed tokens; Invalidate switches to the next one.
type staticSource struct {
	mu          sync.Mutex
	tokens      []string
	invalidated atomic.Int32
	calls       atomic.Int32
	err         error
	onToken     func(call int32) // if set, called at the start of each Token call
}

func (s *staticSource) Token() (*oauth2.Token, error) {
	n := s.calls.Add(1)
	if s.onToken != nil {
		s.onToken(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return &oauth2.Token{AccessToken: s.tokens[0]}, nil
}

// invalidatingSource is a staticSource with an Invalidate method.
type invalidatingSource struct{ *staticSource }

func (s invalidatingSource) Invalidate() {
	s.invalidated.Add(1)
	s.mu.Lock()
	if len(s.tokens) > 1 {
		s.tokens = s.tokens[1:]
	}
	s.mu.Unlock()
}

// switchSource hands out the current user's ID token.
type switchSource struct {
	mu  sync.Mutex
	tok string
}

func (s *switchSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &oauth2.Token{AccessToken: s.tok}, nil
}
func (s *switchSource) set(tok string) { s.mu.Lock(); s.tok = tok; s.mu.Unlock() }

func isErr[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}
