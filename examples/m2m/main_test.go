package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/cognitotest"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/m2m --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"-> 200", "-> 403", "-> 201", "5 calls, 2 requests to the token endpoint", "self-check OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestWrongScope configures the API for a scope the client may not get:
// the worker must fail, so the self-check catches misconfigurations.
func TestWrongScope(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--self-check", "--read-scope", "other-api/read"}, noEnv, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "worker FAILED") {
		t.Errorf("got exit %d, stderr %q; want 1 and a failure", code, errb.String())
	}
}

// TestSelfCheckExternalPool runs the self-check in "real Cognito" mode:
// the pool, app client, endpoint and user come from the environment, here
// pointing at a separate emulator as they would at cognito local.
func TestSelfCheckExternalPool(t *testing.T) {
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
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, func(k string) string { return environ[k] }, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "self-check OK") {
		t.Errorf("output lacks self-check OK:\n%s", out.String())
	}
	t.Log(out.String())
}
