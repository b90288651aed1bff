package srpclient_test

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/srpclient"
)

// e2e is one emulator with one pool and one app client, driven through the
// real SDK over HTTP.
type e2e struct {
	srv  *cognitotest.Server
	pool *cognitotest.Pool
	app  cognitotest.AppClient
	api  *cip.Client
}

func newE2E(t testing.TB, pc cognitotest.PoolConfig, cc cognitotest.ClientConfig, opts ...cognitotest.Option) *e2e {
	t.Helper()
	srv := cognitotest.NewServer(t, append([]cognitotest.Option{cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)}, opts...)...)
	if pc.PasswordPolicy == nil {
		pc.PasswordPolicy = &cognitotest.PasswordPolicy{MinimumLength: 6}
	}
	pool := srv.MustCreatePool(pc)
	return &e2e{srv: srv, pool: pool, app: pool.MustCreateClient(cc), api: cip.NewFromConfig(srv.AWSConfig())}
}

func (e *e2e) client(t testing.TB, mod func(*srpclient.Config)) *srpclient.Client {
	t.Helper()
	cfg := srpclient.Config{API: e.api, UserPoolID: e.pool.ID(), ClientID: e.app.ID, ClientSecret: e.app.Secret}
	if mod != nil {
		mod(&cfg)
	}
	c, err := srpclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// resErr carries a (Result, error) pair into the helpers.
type resErr struct {
	res *srpclient.Result
	err error
}

func rr(res *srpclient.Result, err error) resErr { return resErr{res, err} }

func mustDone(t testing.TB, r resErr) *srpclient.Tokens {
	t.Helper()
	res, err := r.res, r.err
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done() {
		t.Fatalf("got step %T; want tokens", res.Next)
	}
	if res.DeviceErr != nil {
		t.Fatalf("device: %v", res.DeviceErr)
	}
	return res.Tokens
}

func nextAs[T srpclient.Step](t testing.TB, r resErr) T {
	t.Helper()
	res, err := r.res, r.err
	if err != nil {
		t.Fatal(err)
	}
	s, ok := res.Next.(T)
	if !ok {
		var zero T
		t.Fatalf("got %T (tokens: %v); want %T", res.Next, res.Tokens != nil, zero)
	}
	return s
}

// TestE2ESignInFlows signs in with every password flow, with and without a
// client secret, by username and by alias, then refreshes.
func TestE2ESignInFlows(t *testing.T) {
	t.Parallel()
	flows := []struct {
		name  string
		in    srpclient.SignInInput
		admin bool
	}{
		{name: "srp", in: srpclient.SignInInput{}},
		{name: "password", in: srpclient.SignInInput{Flow: srpclient.FlowPassword}},
		{name: "user-auth-password", in: srpclient.SignInInput{Flow: srpclient.FlowUserAuth, PreferredChallenge: srpclient.ChallengePassword}},
		{name: "user-auth-srp", in: srpclient.SignInInput{Flow: srpclient.FlowUserAuth, PreferredChallenge: srpclient.ChallengePasswordSRP}},
		{name: "admin", admin: true},
	}
	for _, secret := range []bool{false, true} {
		e := newE2E(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: secret})
		u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "ann@example.com", Password: "Pässwörd-🔐-1"})
		if u.Username == "ann@example.com" {
			t.Fatal("the internal username should be the sub")
		}
		c := e.client(t, nil)
		for _, fl := range flows {
			t.Run(fmt.Sprintf("secret=%v/%s", secret, fl.name), func(t *testing.T) {
				ctx := context.Background()
				var res *srpclient.Result
				var err error
				if fl.admin {
					res, err = c.AdminSignIn(ctx, srpclient.AdminSignInInput{Username: "ann@example.com", Password: "Pässwörd-🔐-1"})
				} else {
					in := fl.in
					in.Username, in.Password = "ann@example.com", "Pässwörd-🔐-1"
					res, err = c.SignIn(ctx, in)
				}
				tk := mustDone(t, rr(res, err))
				if tk.Username != u.Username {
					t.Errorf("Tokens.Username: got %q; want internal %q", tk.Username, u.Username)
				}
				if tk.AccessToken == "" || tk.IDToken == "" || tk.RefreshToken == "" || !tk.Valid(time.Now()) {
					t.Errorf("incomplete tokens: %+v", tk)
				}
				// REFRESH_TOKEN_AUTH with SECRET_HASH of the internal username.
				nt, err := c.Refresh(ctx, tk)
				if err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if nt.AccessToken == "" || nt.RefreshToken != tk.RefreshToken || nt.Username != u.Username {
					t.Errorf("refreshed tokens: %+v", nt)
				}
				// Wrong password.
				in := fl.in
				in.Username, in.Password = "ann@example.com", "wrong-password"
				if fl.admin {
					_, err = c.AdminSignIn(ctx, srpclient.AdminSignInInput{Username: in.Username, Password: in.Password})
				} else {
					_, err = c.SignIn(ctx, in)
				}
				var na *types.NotAuthorizedException
				if !errors.Is(err, srpclient.ErrNotAuthorized) || !errors.As(err, &na) {
					t.Errorf("wrong password: got %v; want ErrNotAuthorized", err)
				}
			})
		}
	}
}

func TestE2EErrors(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bob", Password: "secret-pw"})
	ctx := context.Background()
	c := e.client(t, nil)
	if _, err := c.SignIn(ctx, srpclient.SignInInput{Username: "nobody", Password: "x-password"}); !errors.Is(err, srpclient.ErrUserNotFound) {
		t.Errorf("unknown user: got %v; want ErrUserNotFound", err)
	}
	bad := e.client(t, func(c *srpclient.Config) { c.ClientSecret = "not-the-secret" })
	if _, err := bad.SignIn(ctx, srpclient.SignInInput{Username: "bob", Password: "secret-pw"}); !errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Errorf("wrong secret: got %v; want ErrNotAuthorized", err)
	}
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "new", Password: "secret-pw", Unconfirmed: true})
	if _, err := c.SignIn(ctx, srpclient.SignInInput{Username: "new", Password: "secret-pw"}); !errors.Is(err, srpclient.ErrUserNotConfirmed) {
		t.Errorf("unconfirmed: got %v; want ErrUserNotConfirmed", err)
	}
	// A client without the USER_PASSWORD_AUTH flow.
	srpOnly := e.pool.MustCreateClient(cognitotest.ClientConfig{ExplicitAuthFlows: []string{cognitotest.FlowUserSRP, cognitotest.FlowRefreshToken}})
	c2, _ := srpclient.New(srpclient.Config{API: e.api, UserPoolID: e.pool.ID(), ClientID: srpOnly.ID})
	if _, err := c2.SignIn(ctx, srpclient.SignInInput{Username: "bob", Password: "secret-pw", Flow: srpclient.FlowPassword}); err == nil {
		t.Error("USER_PASSWORD_AUTH on an SRP-only client: got nil error")
	}
	res, err := c2.SignIn(ctx, srpclient.SignInInput{Username: "bob", Password: "secret-pw"})
	mustDone(t, rr(res, err))
}

// randomPassword returns a password that meets a lenient policy and mixes
// ASCII, accents, CJK and emoji.
func randomPassword(r *mrand.Rand) string {
	pool := []rune("abcXYZ019!@#$%^&*()-_=+ éüßçñøΩπЖ日本語中文한국😀🔐👩‍💻")
	var sb strings.Builder
	sb.WriteString("Aa1!")
	for range 4 + r.IntN(24) {
		sb.WriteRune(pool[r.IntN(len(pool))])
	}
	return sb.String()
}

// TestE2EManySRPSignIns runs 2x8 concurrent SRP sign-ins with random
// unicode passwords, by username and by alias, against servers handing out
// negative and positive salts: zero failures. The inputs come from a fixed
// seed (COGNITOKIT_TEST_SEED explores others); COGNITOKIT_SOAK=1 runs
// 2x1000. TestSignInSaltShapes covers the salt shapes, and internal/srp the
// padding of every value against a reference, without HTTP.
func TestE2EManySRPSignIns(t *testing.T) {
	t.Parallel()
	n := 8
	switch {
	case os.Getenv("COGNITOKIT_SOAK") != "":
		n = 1000
	case testing.Short():
		n = 4
	}
	seed := uint64(99)
	if s := os.Getenv("COGNITOKIT_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("COGNITOKIT_TEST_SEED=%q: want an unsigned integer", s)
		}
		seed = v
	}
	t.Logf("seed %d (set COGNITOKIT_TEST_SEED to change it)", seed)
	for _, negative := range []bool{true, false} {
		var opts []cognitotest.Option
		if negative {
			opts = append(opts, cognitotest.WithNegativeSalts())
		}
		e := newE2E(t, cognitotest.PoolConfig{AliasAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: negative}, opts...)
		c := e.client(t, nil)
		r := mrand.New(mrand.NewPCG(seed, 99))
		type cred struct{ login, internal, password string }
		creds := make([]cred, n)
		for i := range creds {
			pw := randomPassword(r)
			u := e.pool.MustCreateUser(cognitotest.UserConfig{Username: fmt.Sprintf("user-%d-%x", i, r.Uint32()), Email: fmt.Sprintf("u%d@example.com", i), Password: pw})
			login := u.Username
			if i%2 == 1 {
				login = u.Attributes["email"]
			}
			creds[i] = cred{login, u.Username, pw}
		}
		var failures atomic.Int32
		var wg sync.WaitGroup
		work := make(chan cred)
		for range 4 {
			wg.Go(func() {
				for cr := range work {
					res, err := c.SignIn(context.Background(), srpclient.SignInInput{Username: cr.login, Password: cr.password})
					if err != nil || !res.Done() || res.Tokens.Username != cr.internal {
						failures.Add(1)
						t.Errorf("sign-in %q (negative salts %v): %v", cr.login, negative, err)
					}
				}
			})
		}
		for _, cr := range creds {
			work <- cr
		}
		close(work)
		wg.Wait()
		if f := failures.Load(); f != 0 {
			t.Fatalf("%d of %d SRP sign-ins failed", f, n)
		}
	}
}

// TestE2ETimestampEveryDay signs in on days of one and two digits at
// afternoon hours, with the server and the client on the same injected
// clock.
func TestE2ETimestampEveryDay(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2027, time.January, 1, 13, 5, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true}, cognitotest.WithClock(clock))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "tim", Password: "tim-password"})
	c := e.client(t, func(c *srpclient.Config) { c.Now = clock })
	for _, day := range []int{1, 9, 10, 19, 31} { // internal/srp checks every day's format
		mu.Lock()
		now = time.Date(2027, time.January, day, 12+day%12, 5, 9, 0, time.UTC)
		mu.Unlock()
		res, err := c.SignIn(context.Background(), srpclient.SignInInput{Username: "tim", Password: "tim-password"})
		mustDone(t, rr(res, err))
	}
	// A client clock far off the server's is refused.
	skewed := e.client(t, func(c *srpclient.Config) { c.Now = func() time.Time { return clock().Add(-2 * time.Hour) } })
	if _, err := skewed.SignIn(context.Background(), srpclient.SignInInput{Username: "tim", Password: "tim-password"}); !errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Errorf("skewed clock: got %v; want ErrNotAuthorized", err)
	}
}

// TestE2EEmulatorPoolID: a pool ID of cognito-local's shape
// ("local_0y5A8pZR") is refused for an SDK client that talks to AWS, and
// accepted, and works, for one with a BaseEndpoint. The SRP math uses the
// part after '_', so a sign-in against an emulator pool with the same
// suffix shows the whole path working over HTTP with the real SDK.
func TestE2EEmulatorPoolID(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{ID: "us-east-1_0y5A8pZR"}, cognitotest.ClientConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "local", Password: "pw-local-1"})
	const localID = "local_0y5A8pZR"

	awsCfg := e.srv.AWSConfig()
	awsCfg.BaseEndpoint = nil
	_, err := srpclient.New(srpclient.Config{API: cip.NewFromConfig(awsCfg), UserPoolID: localID, ClientID: e.app.ID})
	if !errors.Is(err, srpclient.ErrInvalidConfig) || !strings.Contains(err.Error(), "BaseEndpoint") {
		t.Errorf("AWS client, emulator pool ID: got %v; want ErrInvalidConfig naming BaseEndpoint", err)
	}

	c := e.client(t, func(c *srpclient.Config) { c.UserPoolID = localID }) // e.api has the emulator's BaseEndpoint
	if got := c.UserPoolID(); got != localID {
		t.Errorf("UserPoolID: got %q; want %q", got, localID)
	}
	tk := mustDone(t, rr(c.SignIn(context.Background(), srpclient.SignInInput{Username: "local", Password: "pw-local-1"})))
	if tk.Username != "local" {
		t.Errorf("signed-in username: got %q; want local", tk.Username)
	}

	for _, bad := range []string{"local", "local_", "_abc", "local_a/b", "local_0y5A8pZR\n", strings.Repeat("x", 40) + "_abc"} {
		if _, err := srpclient.New(srpclient.Config{API: e.api, UserPoolID: bad, ClientID: e.app.ID}); !errors.Is(err, srpclient.ErrInvalidConfig) {
			t.Errorf("emulator client, pool ID %q: got %v; want ErrInvalidConfig", bad, err)
		}
	}
}
