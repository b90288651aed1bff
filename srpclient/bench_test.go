package srpclient_test

import (
	"context"
	"crypto/rand"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/srp"
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

// BenchmarkEmulatorSignIn records the throughput of the whole sign-in
// path: complete USER_SRP_AUTH sign-ins through the real SDK against the
// in-process emulator, client and server in one process. Each op is one
// sign-in, timed together with one reference exponentiation (a 1024-bit
// exponent modulo the 3072-bit SRP group prime, the unit of SRP's cost) in
// the same loop, so that the ratio signin/exp compares two things measured
// under the same load: a regression in the client, the emulator or the
// transport raises it whatever the machine. It also reports the median
// sign-in time and sign-ins/s on one goroutine.
func BenchmarkEmulatorSignIn(b *testing.B) {
	e := newE2E(b, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bench", Password: "bench-password"})
	c := e.client(b, nil)
	ctx := context.Background()
	in := srpclient.SignInInput{Username: "bench", Password: "bench-password"}
	if _, err := c.SignIn(ctx, in); err != nil {
		b.Fatal(err)
	}
	exp := refExp(b)
	var signins, exps []float64
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		res, err := c.SignIn(ctx, in)
		if err != nil || !res.Done() {
			b.Fatal(err)
		}
		t1 := time.Now()
		exp()
		t2 := time.Now()
		signins, exps = append(signins, float64(t1.Sub(t0))), append(exps, float64(t2.Sub(t1)))
	}
	s, x := median(signins), median(exps)
	b.ReportMetric(s, "signin-ns")
	b.ReportMetric(1e9/s, "signins/s")
	b.ReportMetric(s/x, "signin/exp")
}

// BenchmarkEmulatorSignInParallel is BenchmarkEmulatorSignIn's sign-ins
// from every P at once: the throughput of one emulator on this machine,
// reported as signins/s.
func BenchmarkEmulatorSignInParallel(b *testing.B) {
	e := newE2E(b, cognitotest.PoolConfig{}, cognitotest.ClientConfig{GenerateSecret: true})
	e.pool.MustCreateUser(cognitotest.UserConfig{Username: "bench", Password: "bench-password"})
	c := e.client(b, nil)
	ctx := context.Background()
	in := srpclient.SignInInput{Username: "bench", Password: "bench-password"}
	if _, err := c.SignIn(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := c.SignIn(ctx, in)
			if err != nil || !res.Done() {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
}

// refExp returns the reference exponentiation of BenchmarkEmulatorSignIn.
func refExp(b *testing.B) func() {
	n := srp.N()
	x, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 1024))
	if err != nil {
		b.Fatal(err)
	}
	g, z := big.NewInt(2), new(big.Int)
	return func() { z.Exp(g, x, n) }
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	x = slices.Clone(x)
	slices.Sort(x)
	return x[len(x)/2]
}
