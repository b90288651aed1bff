package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/nethttp --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	stagetest.SelfCheck(t, run, noEnv, "bob GET /admin/users -> 403", "alice GET /admin/users -> 200", "m2m demo-api/write POST /orders -> 201", "self-check OK")
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
	t.Log(stagetest.SelfCheck(t, run, stagetest.ExternalPool(t), "self-check OK"))
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "nethttp", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_ENDPOINT", "COGNITO_USERNAME", "COGNITO_PASSWORD")
}

// TestSelfCheckSaysWhatItSkipped: against a pool without COGNITO_USERNAME,
// the self-check passes on what it can check and says what it skipped.
func TestSelfCheckSaysWhatItSkipped(t *testing.T) {
	env := stagetest.Without(stagetest.ExternalPool(t), "COGNITO_USERNAME", "COGNITO_PASSWORD")
	stagetest.SelfCheck(t, run, env, "anonymous GET /me", "self-check OK, but SKIPPED the signed-in steps (set COGNITO_USERNAME and COGNITO_PASSWORD to run them)")
}
