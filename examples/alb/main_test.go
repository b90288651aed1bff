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

// TestSelfCheck runs "go run ./examples/alb --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	stagetest.SelfCheck(t, run, noEnv, "alice signs in through the ALB", "bob: /admin 403", "forged x-amzn-oidc-identity: 401", "self-check OK")
}

// TestRealConfig: with a pool, ALB_ARN and ALB_CLIENT_ID are required, and
// the self-check refuses to leave the emulator.
func TestRealConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		msg  string
	}{
		"no ARN":     {map[string]string{"COGNITO_USER_POOL_ID": "us-east-1_AbC123"}, nil, "ALB_ARN and ALB_CLIENT_ID are required"},
		"self-check": {map[string]string{"COGNITO_USER_POOL_ID": "us-east-1_AbC123"}, []string{"--self-check"}, "runs on the emulator"},
		"bad ARN": {map[string]string{"COGNITO_USER_POOL_ID": "us-east-1_AbC123", "ALB_ARN": "my-alb", "ALB_CLIENT_ID": "c"},
			[]string{"--addr", "127.0.0.1:0"}, "not a load balancer ARN"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", name, code, errb.String(), tc.msg)
		}
	}
}

func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "alb", "COGNITO_USER_POOL_ID", "ALB_ARN", "ALB_CLIENT_ID")
}
