package cognitotest_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestFreshKeys: without WithSigningKeys every pool gets a key of its own,
// from the stash generated ahead or generated on the spot, in this server
// and across servers; the goroutine that refills the stash ends with the
// server.
func TestFreshKeys(t *testing.T) {
	// Not parallel, as every test of the package but this one and
	// TestPoolKeyInBackground: goleak sees the other tests' goroutines,
	// and both use the process's key stash.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	seen := map[string]bool{}
	for _, pools := range []int{2, 1} { // two pools of one server, and one of another
		srv := cognitotest.NewServer(nil)
		for range pools {
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

// TestPoolKeyInBackground: with no key ready, a pool is created at once
// and its key generated in the background; the first token waits for it,
// and the key is kept. A pool found without a key (a crash cut its
// generation short) gets one when it needs it.
func TestPoolKeyInBackground(t *testing.T) {
	// Not parallel: it empties the process's key stash (see TestFreshKeys).
	dir := t.TempDir()
	cognitotest.DrainKeyStash()
	srv := cognitotest.NewServer(t, cognitotest.WithDataDir(dir))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{ID: "us-east-1_Lazy"})
	app := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: "lee", Password: testPassword})
	tok := pool.MustMintTokens(app.ID, "lee") // waits for the key
	kids := pool.KeyIDs()
	if len(kids) != 1 || claimsOf(t, tok.AccessToken) == nil || headerKid(t, tok.AccessToken) != kids[0] {
		t.Fatalf("kids %v; the token's %q", kids, headerKid(t, tok.AccessToken))
	}
	srv.Close()

	srv = cognitotest.NewServer(t, cognitotest.WithDataDir(dir))
	if got := must(srv.Pool("us-east-1_Lazy")).KeyIDs(); len(got) != 1 || got[0] != kids[0] {
		t.Errorf("key after restart: %v; want %v", got, kids)
	}
	srv.Close()

	noErr(t, cognitotest.DeleteSigningKeys(dir, "us-east-1_Lazy"))
	srv = cognitotest.NewServer(t, cognitotest.WithDataDir(dir))
	pool = must(srv.Pool("us-east-1_Lazy"))
	e := &env{srv: srv, pool: pool, api: apiAt(srv.URL())}
	if out, err := e.passwordLogin(app, "lee", testPassword); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in in a pool without a key: %v", err)
	}
	if got := pool.KeyIDs(); len(got) != 1 || got[0] == kids[0] {
		t.Errorf("keys %v; want a new one", got)
	}
}

func headerKid(t *testing.T, tok string) string {
	t.Helper()
	h, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	noErr(t, err)
	var hdr struct{ Kid string }
	noErr(t, json.Unmarshal(h, &hdr))
	return hdr.Kid
}

// BenchmarkNewServerAndPoolCold is BenchmarkNewServerAndPool with no key
// ready: the pool is created at once, its key generated in the
// background.
func BenchmarkNewServerAndPoolCold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		cognitotest.DrainKeyStash()
		b.StartTimer()
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

// BenchmarkFirstTokens measures a test that needs tokens at once: a new
// server, a pool, an app client, a user and its tokens, with the key
// stash of the process (Close untimed, as in BenchmarkNewServerAndPool).
func BenchmarkFirstTokens(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv, err := cognitotest.New()
		if err != nil {
			b.Fatal(err)
		}
		p := srv.MustCreatePool(cognitotest.PoolConfig{})
		c := p.MustCreateClient(cognitotest.ClientConfig{})
		p.MustCreateUser(cognitotest.UserConfig{Username: "u", Password: testPassword})
		if _, err := p.MintTokens(c.ID, "u"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		srv.Close()
		b.StartTimer()
	}
}
