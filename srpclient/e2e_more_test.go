package srpclient_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// TestE2EExpiredSession: answering a step after its Session expired gives
// ErrSessionExpired; replaying a used Session too.
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
