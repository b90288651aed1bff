package main

import (
	"bytes"
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/grpc --self-check" in-process: a
// TLS gRPC server and clients with per-RPC credentials.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	stagetest.SelfCheck(t, run, noEnv,
		"anonymous Health/Check -> OK SERVING",
		"anonymous Orders/Get -> Unauthenticated",
		"bob Orders/Watch (stream) -> OK event 1 for bob; event 2 for bob; event 3 for bob",
		"bob Orders/Cancel (admin) -> PermissionDenied",
		"alice Orders/Cancel (admin) -> OK order o-1 cancelled by alice",
		"machine Orders/Get -> OK order o-2, read by machine cognitokitconfidential",
		"self-check OK",
	)
}

func TestBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--bogus"}, noEnv, &out, &errb); code != 2 {
		t.Errorf("got exit %d; want 2", code)
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
	stagetest.Help(t, run, "grpc", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_ENDPOINT", "COGNITO_USERNAME", "COGNITO_PASSWORD")
}
