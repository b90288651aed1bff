package stagetest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// ExternalPool starts an emulator with the demo pool, separate from the
// example under test, and returns a getenv that points an example at it as
// at real Cognito (or "cognito local"): COGNITO_USER_POOL_ID,
// COGNITO_CLIENT_ID and COGNITO_CLIENT_SECRET of the demo confidential
// client, COGNITO_ENDPOINT, and bob as COGNITO_USERNAME and
// COGNITO_PASSWORD. The emulator stops when the test ends.
func ExternalPool(t testing.TB) func(string) string {
	t.Helper()
	idp := cognitotest.NewServer(t)
	seed := idp.DemoSeed()
	pools, err := idp.ApplySeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	app, err := pools[0].Client(cognitotest.DemoConfidentialClientID)
	if err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{
		"COGNITO_USER_POOL_ID":  pools[0].ID(),
		"COGNITO_CLIENT_ID":     app.ID,
		"COGNITO_CLIENT_SECRET": app.Secret,
		"COGNITO_ENDPOINT":      idp.URL(),
		"COGNITO_USERNAME":      "bob",
		"COGNITO_PASSWORD":      seed.Pools[0].Users[1].Password,
	}
	return func(k string) string { return environ[k] }
}

// RunFunc is the run function of an example's package main: it parses args,
// reads the environment through getenv, writes to stdout and stderr, and
// returns the exit code.
type RunFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int

// SelfCheck runs an example with --self-check in-process, fails the test
// unless it exits 0 and its output, with runs of white space collapsed to
// one space, contains every string of want, and returns the output.
func SelfCheck(t testing.TB, run RunFunc, getenv func(string) string, want ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, getenv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	return out.String()
}
