package main

import (
	"bytes"
	"context"
	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
	"io"
	"strings"
	"testing"
)

func TestSelfCheck(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--self-check"}, func(string) string { return "" }, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d; want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	if got := strings.Count(out.String(), "  ok  "); got != 5 {
		t.Fatalf("%d steps passed; want 5:\n%s", got, out.String())
	}
}

func TestBadFlagsAndEnv(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"unknown flag", []string{"--nope"}, nil, 2},
		{"bad domain", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COGNITO_DOMAIN": "http://evil.example.com", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"prefix without region", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COGNITO_DOMAIN": "myapp", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"insecure cookies on a public URL", []string{"--addr", "127.0.0.1:0", "--insecure-cookies"}, map[string]string{"APP_URL": "http://app.example.com", "COGNITO_DOMAIN": "https://auth.example.com", "COGNITO_CLIENT_ID": "abc", "COGNITO_USER_POOL_ID": "us-east-1_Abc"}, 1},
		{"bad cookie keys", []string{"--addr", "127.0.0.1:0"}, map[string]string{"COOKIE_KEYS": "c2hvcnQ="}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, func(k string) string { return tc.env[k] }, &out, &errOut); code != tc.want {
				t.Fatalf("exit code %d; want %d\nstderr: %s", code, tc.want, errOut.String())
			}
			if tc.want == 1 && !strings.Contains(errOut.String(), "webapp:") {
				t.Errorf("stderr = %q; want an explanation", errOut.String())
			}
		})
	}
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, func(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(args, getenv, stdout, stderr)
	}, "webapp", "COGNITO_DOMAIN", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_USER_POOL_ID")
}
