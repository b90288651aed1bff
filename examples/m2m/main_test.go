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

// TestSelfCheck runs "go run ./examples/m2m --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	stagetest.SelfCheck(t, run, noEnv, "-> 200", "-> 403", "-> 201", "5 calls, 2 requests to the token endpoint", "self-check OK")
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
	t.Log(stagetest.SelfCheck(t, run, stagetest.ExternalPool(t), "self-check OK"))
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "m2m", "COGNITO_USER_POOL_ID", "COGNITO_DOMAIN", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET")
}
