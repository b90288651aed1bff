package cognitotest_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestFreshKeys: without WithSigningKeys every pool gets a key of its own,
// from the stash generated ahead or generated on the spot, in this server
// and across servers; the goroutine that refills the stash ends with the
// server.
func TestFreshKeys(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	seen := map[string]bool{}
	for range 2 {
		srv := cognitotest.NewServer(nil)
		for range 2 {
			p := srv.MustCreatePool(cognitotest.PoolConfig{})
			n := must(p.PublicKey(p.KeyIDs()[0])).N.String()
			if seen[n] {
				t.Fatal("two pools got the same signing key")
			}
			seen[n] = true
		}
		srv.Close()
	}
}

// BenchmarkNewServerAndPool measures what a test waits for before its
// first pool is ready: NewServer and CreatePool, with the key stash of
// the process (Close, which waits for the key generated in the
// background to replace the one taken, is not timed).
func BenchmarkNewServerAndPool(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv, err := cognitotest.New()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.CreatePool(cognitotest.PoolConfig{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		srv.Close()
		b.StartTimer()
	}
}

// BenchmarkNewServerAndPoolClosed is BenchmarkNewServerAndPool with Close
// timed: the whole cost of a server with a pool, one RSA key generation
// included (in the background while the server lives).
func BenchmarkNewServerAndPoolClosed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv, err := cognitotest.New()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.CreatePool(cognitotest.PoolConfig{}); err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}
