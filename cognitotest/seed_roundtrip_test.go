package cognitotest_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestSeedRoundTrip: a seed with every setting, applied and exported, then
// the export applied to a new server and exported again, gives the same
// bytes; users keep their passwords through their verifiers.
func TestSeedRoundTrip(t *testing.T) {
	seed := must(cognitotest.ParseSeed(must(os.ReadFile("testdata/seed-full.json"))))
	a := cognitotest.NewServer(t, fastKeys())
	must(a.ApplySeed(seed))
	e1 := must(must(a.Export()).Encode())

	again, err := cognitotest.ParseSeed(e1)
	if err != nil {
		t.Fatalf("ParseSeed(export): %v\n%s", err, e1)
	}
	b := cognitotest.NewServer(t, fastKeys())
	if _, err := b.ApplySeed(again); err != nil {
		t.Fatalf("ApplySeed(export): %v\n%s", err, e1)
	}
	e2 := must(must(b.Export()).Encode())
	if !bytes.Equal(e1, e2) {
		t.Errorf("seed -> export -> seed -> export differs:\nfirst  %s\nsecond %s", e1, e2)
	}
	if testing.Verbose() {
		t.Logf("export:\n%s", e1)
	}

	// The users of the second server sign in with the seed's passwords.
	pool := must(b.Pool("us-east-1_Full"))
	e := &env{srv: b, pool: pool, api: apiAt(b.URL())}
	web := must(pool.Client("webclient"))
	if out, err := e.passwordLogin(web, "alice", "Alice-Passw0rd"); err != nil || out.AuthenticationResult == nil {
		t.Errorf("USER_PASSWORD_AUTH after the round trip: %v", err)
	}
	if _, err := e.srpLogin(web, "alice@example.com", "Alice-Passw0rd"); err != nil {
		t.Errorf("USER_SRP_AUTH with the email alias after the round trip: %v", err)
	}
	if _, err := e.passwordLogin(web, "alice", "Wrong-Passw0rd"); err == nil {
		t.Error("a wrong password signs in after the round trip")
	}
}
