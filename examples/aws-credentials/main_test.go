package main

import (
	"bytes"
	"context"
	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/aws-credentials --self-check"
// in-process.
func TestSelfCheck(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"switching to bob", "forged ID token was refused", "AccessKeyId      ASIA****", "NOT usable against AWS", "self-check OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDefaultRun is "go run ./examples/aws-credentials --user bob".
func TestDefaultRun(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--user", "bob"}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "signed in as bob") || !strings.Contains(out.String(), "SecretAccessKey  [redacted, 40 characters]") {
		t.Errorf("output:\n%s", out.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"--user", "mallory"}, noEnv, &out, &errb); code != 1 || !strings.Contains(errb.String(), "unknown user") {
		t.Errorf("unknown user: exit %d, stderr %q; want 1", code, errb.String())
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
	if code := run(context.Background(), nil, env, &out, &errb); code != 2 || !strings.Contains(errb.String(), "COGNITO_CLIENT_ID is required") {
		t.Errorf("got exit %d, stderr %q; want 2 and the missing variable", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"--bogus"}, noEnv, &out, &errb); code != 2 {
		t.Errorf("bad flag: got exit %d; want 2", code)
	}
	out.Reset()
	if code := run(context.Background(), []string{"-h"}, noEnv, &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage") {
		t.Errorf("-h: exit %d, %q", code, out.String())
	}
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "aws-credentials", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_IDENTITY_POOL_ID", "COGNITO_USERNAME", "COGNITO_PASSWORD", "COGNITO_ENDPOINT")
}
