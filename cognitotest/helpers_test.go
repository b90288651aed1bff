package cognitotest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/srp"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// testKeys are RSA keys shared by the tests' servers (generating 2048-bit
// keys is slow): fixed ones, from internal/testkeys.
func testKeys() []*rsa.PrivateKey { return testkeys.RSA2048(4) }

// freshKey is the fixed key a server of fastKeys hands out where it would
// generate one (Cognito Identity's key, a fifth pool's): none of testKeys,
// standInKey or otherKeys.
func freshKey() *rsa.PrivateKey { return testkeys.RSA2048(testkeys.Count)[5] }

// fastKeys gives a server fixed keys: testKeys for its pools, and
// freshKey.
func fastKeys() cognitotest.Option {
	return cognitotest.JoinOptions(cognitotest.WithSigningKeys(testKeys()...), cognitotest.WithFreshKeys(freshKey()))
}

// standInKey is the fixed key of the oidcprovider that stands in for
// Google, none of testKeys or otherKeys.
func standInKey() *rsa.PrivateKey { return testkeys.RSA2048(testkeys.Count)[4] }

// otherKeys are fixed keys, none of testKeys: for a second server of a
// test (an upstream identity provider) that must not sign with the keys of
// the first.
func otherKeys() cognitotest.Option {
	return cognitotest.WithSigningKeys(testkeys.RSA2048(testkeys.Count)[6:]...)
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testPassword = "Correct-Horse-9"

// env is a server with one pool, a public and a confidential client and an
// SDK client.
type env struct {
	srv    *cognitotest.Server
	pool   *cognitotest.Pool
	public cognitotest.AppClient
	secret cognitotest.AppClient
	api    *cip.Client
	clock  *fakeClock
}

func newEnv(t testing.TB, poolCfg cognitotest.PoolConfig, opts ...cognitotest.Option) *env {
	t.Helper()
	clock := newClock()
	opts = append([]cognitotest.Option{cognitotest.WithClock(clock.Now), fastKeys()}, opts...)
	srv := cognitotest.NewServer(t, opts...)
	pool := srv.MustCreatePool(poolCfg)
	e := &env{srv: srv, pool: pool, clock: clock}
	e.public = pool.MustCreateClient(cognitotest.ClientConfig{Name: "public"})
	e.secret = pool.MustCreateClient(cognitotest.ClientConfig{Name: "confidential", GenerateSecret: true})
	e.api = cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	return e
}

func ctx() context.Context { return context.Background() }

// soak reports whether COGNITOKIT_SOAK asks for the long runs of the
// tests that have one.
func soak() bool { return os.Getenv("COGNITOKIT_SOAK") != "" }

// passwordLogin signs in with USER_PASSWORD_AUTH.
func (e *env) passwordLogin(c cognitotest.AppClient, username, password string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if c.Secret != "" {
		params["SECRET_HASH"] = c.SecretHash(username)
	}
	return e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(c.ID), AuthParameters: params})
}

// srpStart sends USER_SRP_AUTH and returns the client half and the output.
func (e *env) srpStart(c cognitotest.AppClient, username string) (*srp.Client, *cip.InitiateAuthOutput, error) {
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		panic(err)
	}
	params := map[string]string{"USERNAME": username, "SRP_A": cl.AHex()}
	if c.Secret != "" {
		params["SECRET_HASH"] = c.SecretHash(username)
	}
	out, err := e.api.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(c.ID), AuthParameters: params})
	return cl, out, err
}

// verifierResponses answers PASSWORD_VERIFIER.
func (e *env) verifierResponses(c cognitotest.AppClient, cl *srp.Client, params map[string]string, password string, now time.Time) map[string]string {
	userID := params["USER_ID_FOR_SRP"]
	B, err := srp.ParseHex(params["SRP_B"])
	if err != nil {
		panic(err)
	}
	salt, err := srp.ParseHex(params["SALT"])
	if err != nil {
		panic(err)
	}
	key, err := cl.PasswordKey(e.pool.SRPPoolName(), userID, password, B, salt)
	if err != nil {
		panic(err)
	}
	block, err := decodeB64(params["SECRET_BLOCK"])
	if err != nil {
		panic(err)
	}
	ts := srp.Timestamp(now)
	r := map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"TIMESTAMP":                   ts,
		"PASSWORD_CLAIM_SIGNATURE":    srp.Signature(key, e.pool.SRPPoolName(), userID, block, ts),
	}
	if c.Secret != "" {
		r["SECRET_HASH"] = c.SecretHash(userID)
	}
	return r
}

// srpLogin runs USER_SRP_AUTH to completion (or to the next challenge).
func (e *env) srpLogin(c cognitotest.AppClient, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	cl, out, err := e.srpStart(c, username)
	if err != nil {
		return nil, err
	}
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		return nil, errors.New("unexpected challenge " + string(out.ChallengeName))
	}
	return e.api.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{
		ChallengeName: out.ChallengeName, ClientId: aws.String(c.ID), Session: out.Session,
		ChallengeResponses: e.verifierResponses(c, cl, out.ChallengeParameters, password, e.now()),
	})
}

func (e *env) now() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return time.Now()
}

// wantErr asserts that err is (or wraps) an error of type T.
func wantErr[T error](t testing.TB, err error, what string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Fatalf("%s: got no error; want %T", what, target)
	}
	if !errors.As(err, &target) {
		t.Fatalf("%s: got %v; want %T", what, err, target)
	}
	return target
}

// must returns v, panicking (and so failing the test) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = big.NewInt

func errorsAs(err error, target any) bool { return errors.As(err, target) }

var timeZero time.Time
