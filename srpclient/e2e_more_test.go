package srpclient_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestE2EExpiredSession: answering a step after its Session expired gives
// ErrSessionExpired.
func TestE2EExpiredSession(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional}, cognitotest.ClientConfig{}, cognitotest.WithClock(clock))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "slow", Password: "pw-slow-1", PhoneNumber: "+15555550177", SMSMFA: true})
	c := e.client(t, func(c *srpclient.Config) { c.Now = clock })
	ctx := context.Background()
	step := nextAs[*srpclient.MFACodeRequired](t, rr(c.SignIn(ctx, srpclient.SignInInput{Username: "slow", Password: "pw-slow-1"})))
	mu.Lock()
	now = now.Add(10 * time.Minute)
	mu.Unlock()
	if _, err := step.Answer(ctx, e.srv.LastCode("slow", cognitotest.MsgSMSMFA)); !errors.Is(err, srpclient.ErrSessionExpired) {
		t.Errorf("expired session: got %v; want ErrSessionExpired", err)
	}
}

// TestE2ERotationMisconfigured: a client that rotates refresh tokens refuses
// REFRESH_TOKEN_AUTH; the error is typed and says what to do.
func TestE2ERotationMisconfigured(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{RefreshTokenRotation: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "rot", Password: "pw-rot-1"})
	c := e.client(t, nil) // RefreshTokenRotation not set
	tk := mustDone(t, rr(c.SignIn(context.Background(), srpclient.SignInInput{Username: "rot", Password: "pw-rot-1"})))
	_, err := c.Refresh(context.Background(), tk)
	if !errors.Is(err, srpclient.ErrInvalidInput) || !strings.Contains(err.Error(), "GetTokensFromRefreshToken") {
		t.Errorf("got %v; want ErrInvalidInput naming GetTokensFromRefreshToken", err)
	}
	ok := e.client(t, func(c *srpclient.Config) { c.RefreshTokenRotation = true })
	nt, err := ok.Refresh(context.Background(), tk)
	if err != nil || nt.RefreshToken == tk.RefreshToken {
		t.Errorf("with rotation: %v (refresh token rotated: %v)", err, err == nil && nt.RefreshToken != tk.RefreshToken)
	}
}

// TestE2EAdminChallenges: ADMIN_USER_PASSWORD_AUTH answers its challenges
// through AdminRespondToAuthChallenge, with the SECRET_HASH of the internal
// username.
func TestE2EAdminChallenges(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, UsernameAttributes: []string{"email"}, RequiredAttributes: []string{"name"}},
		cognitotest.ClientConfig{GenerateSecret: true})
	u := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "adm@example.com", Password: "pw-adm-1", EmailMFA: true, Attributes: map[string]string{"name": "A"}})
	tmp := e.pool.MustCreateUser(cognitotest.UserConfig{Email: "tmp@example.com", TemporaryPassword: "Temp-pw-9"})
	c := e.client(t, nil)
	ctx := context.Background()
	step := nextAs[*srpclient.MFACodeRequired](t, rr(c.AdminSignIn(ctx, srpclient.AdminSignInInput{Username: "adm@example.com", Password: "pw-adm-1"})))
	if tk := mustDone(t, rr(step.Answer(ctx, e.srv.LastCode(u.Username, cognitotest.MsgEmailMFA)))); tk.Username != u.Username {
		t.Errorf("username: got %q; want %q", tk.Username, u.Username)
	}
	np := nextAs[*srpclient.NewPasswordRequired](t, rr(c.AdminSignIn(ctx, srpclient.AdminSignInInput{Username: "tmp@example.com", Password: "Temp-pw-9"})))
	if tk := mustDone(t, rr(np.Answer(ctx, "Perm-pw-9", map[string]string{"name": "T"}))); tk.Username != tmp.Username {
		t.Errorf("username: got %q; want %q", tk.Username, tmp.Username)
	}
}

// TestE2EContextAndOutage: a cancelled sign-in reports the context's error
// and ErrUnavailable; an emulated outage is ErrUnavailable, not an
// authentication failure.
func TestE2EContextAndOutage(t *testing.T) {
	t.Parallel()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "ctx", Password: "pw-ctx-1"})
	noRetry := cip.NewFromConfig(e.srv.AWSConfig(), func(o *cip.Options) { o.Retryer = aws.NopRetryer{} })
	c := e.client(t, func(c *srpclient.Config) { c.API = noRetry })
	e.srv.SetLatency(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.SignIn(ctx, srpclient.SignInInput{Username: "ctx", Password: "pw-ctx-1"})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, srpclient.ErrUnavailable) || errors.Is(err, srpclient.ErrNotAuthorized) {
		t.Errorf("timeout: got %v; want context.DeadlineExceeded and ErrUnavailable", err)
	}
	e.srv.SetLatency(0)
	e.srv.FailOperation("InitiateAuth", 10, "", "boom")
	_, err = c.SignIn(context.Background(), srpclient.SignInInput{Username: "ctx", Password: "pw-ctx-1"})
	if !errors.Is(err, srpclient.ErrUnavailable) {
		t.Errorf("outage: got %v; want ErrUnavailable", err)
	}
	e.srv.ClearFaults()
	mustDone(t, rr(c.SignIn(context.Background(), srpclient.SignInInput{Username: "ctx", Password: "pw-ctx-1"})))
}

// TestE2ELockout: Cognito's lockout after five wrong passwords
// (NotAuthorizedException "Password attempts exceeded") is
// ErrTooManyRequests, not ErrNotAuthorized: the password may be right;
// retry later.
func TestE2ELockout(t *testing.T) {
	t.Parallel()
	// The emulator's clock stands still, so that the first lockout (1 s)
	// cannot run out on a loaded machine before the last sign-in.
	t0 := time.Now()
	e := newE2E(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{}, cognitotest.WithClock(func() time.Time { return t0 }))
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "locked", Password: "pw-locked-1"})
	c := e.client(t, nil)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		_, err := c.SignIn(ctx, srpclient.SignInInput{Username: "locked", Password: "pw-wrong-1"})
		if !errors.Is(err, srpclient.ErrNotAuthorized) {
			t.Fatalf("wrong password %d: %v; want ErrNotAuthorized", i, err)
		}
	}
	_, err := c.SignIn(ctx, srpclient.SignInInput{Username: "locked", Password: "pw-locked-1"})
	var na *types.NotAuthorizedException
	if !errors.Is(err, srpclient.ErrTooManyRequests) || errors.Is(err, srpclient.ErrNotAuthorized) || !errors.As(err, &na) {
		t.Fatalf("the right password during the lockout: %v; want ErrTooManyRequests wrapping the NotAuthorizedException", err)
	}
}
