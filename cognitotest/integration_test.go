package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/verifier"
)

// TestParallelSRP runs SRP sign-ins at once against one server with the
// real SDK.
func TestParallelSRP(t *testing.T) {
	t.Parallel()
	// Real time, without WithClock: the SDK and the TIMESTAMP use the
	// wall clock.
	srv := cognitotest.NewServer(t, fastKeys(), cognitotest.WithNegativeSalts())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{AliasAttributes: []string{"email"}})
	e := &env{srv: srv, pool: pool,
		public: pool.MustCreateClient(cognitotest.ClientConfig{}),
		secret: pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true}),
		api:    cip.NewFromConfig(srv.AWSConfig(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })}
	// 10 handshakes in flight at once: every user twice (the number of
	// users is odd), once with its username and once with its alias, and
	// every pairing of username or alias with the public or the
	// confidential client. COGNITOKIT_SOAK=1 runs 200.
	users, logins := 5, 10
	if soak() {
		users, logins = 25, 200
	}
	passwords := map[string]string{}
	for i := range users {
		name := fmt.Sprintf("user%02d", i)
		passwords[name] = "Parallel-" + name + "-1"
		pool.MustCreateUser(cognitotest.UserConfig{Username: name, Email: name + "@example.com", Password: passwords[name]})
	}
	var wg sync.WaitGroup
	errs := make(chan error, logins)
	for i := range logins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("user%02d", i%users)
			login := name
			if i%2 == 1 {
				login = name + "@example.com"
			}
			c := e.public
			if i%3 == 0 {
				c = e.secret
			}
			out, err := e.srpLogin(c, login, passwords[name])
			if err == nil && (out.AuthenticationResult == nil || out.AuthenticationResult.AccessToken == nil) {
				err = errors.New("no tokens")
			}
			if err != nil {
				errs <- fmt.Errorf("login %d (%s): %w", i, login, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestVerifierAcceptsEmulatorTokens checks minted and signed-in tokens with
// the verifier package, through the emulator's issuer and JWKS URL,
// including key rotation.
func TestVerifierAcceptsEmulatorTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "wes", Password: testPassword, Groups: []string{"admin"}})
	newVerifier := func(use verifier.TokenUse, clientIDs ...string) *verifier.Verifier {
		v, err := verifier.New(verifier.Config{
			Pools:           []verifier.Pool{{UserPoolID: e.pool.ID(), ClientIDs: clientIDs, TokenUse: use, Issuer: e.pool.Issuer(), JWKSURL: e.pool.JWKSURL()}},
			HTTPClient:      e.srv.HTTPClient(),
			Now:             e.clock.Now,
			RefetchCooldown: time.Nanosecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	idv := newVerifier(verifier.TokenUseID, e.public.ID)
	accv := newVerifier(verifier.TokenUseAccess, e.public.ID, e.secret.ID)

	login := must(e.srpLogin(e.public, "wes", testPassword)).AuthenticationResult
	c, err := idv.Verify(ctx(), *login.IdToken)
	if err != nil {
		t.Fatalf("ID token from SRP sign-in: %v", err)
	}
	if c.Username != "wes" || !c.HasGroup("admin") {
		t.Errorf("claims: username %q groups %v", c.Username, c.Groups)
	}
	if _, err := accv.Verify(ctx(), *login.AccessToken); err != nil {
		t.Fatalf("access token: %v", err)
	}
	if _, err := idv.Verify(ctx(), *login.AccessToken); !errors.Is(err, verifier.ErrWrongTokenUse) {
		t.Errorf("access token on the ID verifier: got %v; want ErrWrongTokenUse", err)
	}
	other := e.pool.MustCreateClient(cognitotest.ClientConfig{})
	if _, err := idv.Verify(ctx(), e.pool.MustMintTokens(other.ID, "wes").IDToken); !errors.Is(err, verifier.ErrWrongClient) {
		t.Errorf("token of another client: got %v; want ErrWrongClient", err)
	}
	expired := e.pool.MustMintTokens(e.public.ID, "wes", cognitotest.TokenExpiresAt(e.clock.Now().Add(-time.Hour)))
	if _, err := idv.Verify(ctx(), expired.IDToken); !errors.Is(err, verifier.ErrExpired) {
		t.Errorf("expired token: got %v; want ErrExpired", err)
	}
	m2m := e.pool.MustMintM2MToken(e.secret.ID, nil)
	if c, err := accv.Verify(ctx(), m2m); err != nil || !c.IsMachine() {
		t.Errorf("M2M token: %v", err)
	}

	// Rotation: a token of a new key is picked up by refetching the JWKS.
	must(e.pool.RotateKeys(false))
	rotated := e.pool.MustMintTokens(e.public.ID, "wes")
	if _, err := idv.Verify(ctx(), rotated.IDToken); err != nil {
		t.Fatalf("token of the rotated key: %v", err)
	}
	if _, err := idv.Verify(ctx(), *login.IdToken); err != nil {
		t.Errorf("token of the old key while it is still published: %v", err)
	}
	// With the JWKS down, a new key cannot be fetched: a key error, not a
	// bad token.
	must(e.pool.RotateKeys(true))
	e.srv.SetJWKSMode(cognitotest.JWKSFail)
	if _, err := idv.Verify(ctx(), e.pool.MustMintTokens(e.public.ID, "wes").IDToken); !errors.Is(err, verifier.ErrKeysUnavailable) {
		t.Errorf("JWKS down: got %v; want ErrKeysUnavailable", err)
	}
}

// noBackoff is an SDK retry back-off that does not wait.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, cognitotest.PoolConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "xena", Password: testPassword})
	get := func(ctx context.Context) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.pool.JWKSURL(), nil)
		resp, err := e.srv.HTTPClient().Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 && !json.Valid(b) {
			return -1, nil // garbage
		}
		return resp.StatusCode, nil
	}
	before := e.srv.JWKSRequests()
	e.srv.SetJWKSMode(cognitotest.JWKSFail)
	if s, _ := get(ctx()); s != 500 {
		t.Errorf("JWKSFail: status %d", s)
	}
	e.srv.SetJWKSMode(cognitotest.JWKSGarbage)
	if s, _ := get(ctx()); s != -1 {
		t.Errorf("JWKSGarbage: status %d", s)
	}
	e.srv.SetJWKSMode(cognitotest.JWKSHang)
	c, cancel := context.WithTimeout(ctx(), 50*time.Millisecond)
	_, err := get(c)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("JWKSHang: got %v; want a deadline error", err)
	}
	e.srv.ClearFaults()
	if s, _ := get(ctx()); s != 200 {
		t.Errorf("after ClearFaults: status %d", s)
	}
	if got := e.srv.JWKSRequests() - before; got != 4 {
		t.Errorf("JWKSRequests: got %d; want 4", got)
	}

	e.srv.FailOperation("InitiateAuth", 2, "TooManyRequestsException", "slow down")
	for range 2 {
		_, err := e.passwordLogin(e.public, "xena", testPassword)
		ex := wantErr[*types.TooManyRequestsException](t, err, "injected failure")
		if ex.ErrorMessage() != "slow down" {
			t.Errorf("message %q", ex.ErrorMessage())
		}
	}
	must(e.passwordLogin(e.public, "xena", testPassword))
	e.srv.FailOperation("GetUser", 1, "", "")
	tok := e.pool.MustMintTokens(e.public.ID, "xena")
	_, err = e.api.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken})
	wantErr[*types.InternalErrorException](t, err, "injected internal error")
	// The SDK's standard retryer recovers from one injected 500 (without
	// its back-off: up to a second of waiting).
	e.srv.FailOperation("GetUser", 1, "", "")
	retrying := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff = noBackoff{} })
	})
	if _, err := retrying.GetUser(ctx(), &cip.GetUserInput{AccessToken: &tok.AccessToken}); err != nil {
		t.Errorf("retrying client: %v", err)
	}

	e.srv.SetLatency(100 * time.Millisecond)
	c, cancel = context.WithTimeout(ctx(), 20*time.Millisecond)
	defer cancel()
	_, err = e.api.GetUser(c, &cip.GetUserInput{AccessToken: aws.String(tok.AccessToken)})
	if err == nil {
		t.Error("latency: call finished before its deadline")
	}
	e.srv.SetLatency(0)
}

func TestCloseReleasesHungRequests(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(nil, fastKeys())
	pool := srv.MustCreatePool(cognitotest.PoolConfig{})
	srv.SetJWKSMode(cognitotest.JWKSHang)
	done := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Get(pool.JWKSURL())
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for srv.JWKSRequests() == 0 { // the request reached the hang
		time.Sleep(time.Millisecond)
	}
	srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a hung JWKS request")
	}
	srv.Close() // idempotent
}
