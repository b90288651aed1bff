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

// TestSelfCheck runs "go run ./examples/nethttp --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"bob GET /admin/users -> 403", "alice GET /admin/users -> 200", "m2m demo-api/write POST /orders -> 201", "self-check OK"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBadConfig(t *testing.T) {
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "COGNITO_USER_POOL_ID" {
			return "eu-west-1_AbC123"
		}
		return ""
	}
	if code := run(context.Background(), []string{"--self-check"}, env, &out, &errb); code != 2 || !strings.Contains(errb.String(), "COGNITO_CLIENT_ID is required") {
		t.Errorf("got exit %d, stderr %q; want 2 and the missing variable", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"--bogus"}, noEnv, &out, &errb); code != 2 {
		t.Errorf("bad flag: got exit %d; want 2", code)
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
