package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// runCLI runs the CLI in-process with the given stdin and environment.
func runCLI(t testing.TB, stdin string, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return environ[k] },
		// Fixed signing keys for "cognito local": generating them is slow.
		localOptions: []cognitotest.Option{cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)},
	}
	code = runMain(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestMainUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "", nil)
	if code != exitUsage {
		t.Errorf("no args: got exit %d; want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, "Usage: cognito COMMAND") {
		t.Errorf("no args: stderr %q lacks usage", stderr)
	}
	code, _, stderr = runCLI(t, "", nil, "no-such-command")
	if code != exitUsage || !strings.Contains(stderr, `unknown command "no-such-command"`) {
		t.Errorf("unknown command: got exit %d, stderr %q", code, stderr)
	}
	if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
		t.Errorf("unknown command: error is %d lines; want one", n+1)
	}
	code, stdout, _ := runCLI(t, "", nil, "help")
	if code != exitOK || !strings.Contains(stdout, "Commands:") {
		t.Errorf("help: got exit %d, stdout %q", code, stdout)
	}
}
