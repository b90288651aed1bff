package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/lambda-authorizer --self-check"
// in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stagetest.SelfCheck(t, run, noEnv, `"deniedFields":["Mutation.deleteOrder"]`, "error: Unauthorized", "with the key endpoint down", "self-check OK")
}

func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "lambda-authorizer", "COGNITO_USER_POOL_ID", "AUTHORIZER")
}

// TestHandlerKinds: every AUTHORIZER value names a handler; others fail.
func TestHandlerKinds(t *testing.T) {
	for _, k := range []string{"rest-token", "rest-request", "http-simple", "http-iam", "appsync"} {
		if h, err := handler(nil, k); err != nil || h == nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if _, err := handler(nil, "websocket"); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
