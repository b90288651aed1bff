package srpclient_test

import (
	"context"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/srpclient"
)

// BenchmarkSignInSRP measures one complete USER_SRP_AUTH sign-in through the
// real SDK against the in-process emulator (client and server CPU plus two
// HTTP round trips on loopback). The client-only CPU cost is
// BenchmarkClientSignIn in internal/srp.
func BenchmarkSignInSRP(b *testing.B) {
	e := newE2E(b, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true}, cognitotest.WithNegativeSalts())
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bench", Password: "bench-password"})
	c := e.client(b, nil)
	ctx := context.Background()
	in := srpclient.SignInInput{Username: "bench", Password: "bench-password"}
	if _, err := c.SignIn(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := c.SignIn(ctx, in)
		if err != nil || !res.Done() {
			b.Fatal(err)
		}
	}
}
