package stagetest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// The embedded emulator of the example under test signs with fixed keys
// (others than ExternalPool's): generating its keys cost about a third of
// an example's test time.
func init() {
	stage.EmulatorOptions = append(stage.EmulatorOptions, cognitotest.WithSigningKeys(testkeys.RSA2048(testkeys.Count)[6:]...))
}

// ExternalPool starts an emulator with the demo pool, separate from the
// example under test, and returns a getenv that points an example at it as
// at real Cognito (or "cognito local"): COGNITO_USER_POOL_ID,
// COGNITO_CLIENT_ID and COGNITO_CLIENT_SECRET of the demo confidential
// client, COGNITO_ENDPOINT, and bob as COGNITO_USERNAME and
// COGNITO_PASSWORD. The emulator stops when the test ends.
func ExternalPool(t testing.TB) func(string) string {
	t.Helper()
	idp := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)) // fixed keys: no key generation
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

// Help checks an example's --help and bad-flag answers: --help exits 0 and
// prints, on stdout only, the layout every example shares (usage line,
// description, flags, environment) naming each of env; a bad flag and a
// stray argument exit 2 with one line on stderr.
func Help(t *testing.T, run RunFunc, name string, env ...string) {
	t.Helper()
	noEnv := func(string) string { return "" }
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, noEnv, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Errorf("--help: exit %d, stderr %q; want 0 and nothing", code, errb.String())
	}
	help := out.String()
	if !strings.HasPrefix(help, "Usage: go run ./examples/"+name+" ") {
		t.Errorf("--help does not start with the usage line:\n%s", help)
	}
	flags := strings.Index(help, "\n\nFlags:\n")
	envAt := strings.Index(help, "\n\nEnvironment: ")
	if flags < 0 || envAt < flags {
		t.Errorf("--help lacks the Flags and Environment sections, in that order:\n%s", help)
	}
	for _, v := range env {
		if !strings.Contains(help[max(envAt, 0):], "\n  "+v+" ") {
			t.Errorf("--help does not list %s under Environment:\n%s", v, help)
		}
	}
	for _, args := range [][]string{{"--no-such-flag"}, {"stray"}} {
		out.Reset()
		errb.Reset()
		code := run(context.Background(), args, noEnv, &out, &errb)
		if msg := strings.TrimSuffix(errb.String(), "\n"); code != 2 || msg == "" || strings.Contains(msg, "\n") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line on stderr", args, code, out.String(), errb.String())
		}
	}
}

// Without returns getenv without the named variables.
func Without(getenv func(string) string, names ...string) func(string) string {
	return func(k string) string {
		for _, n := range names {
			if k == n {
				return ""
			}
		}
		return getenv(k)
	}
}
