package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/m2m --self-check" in-process.
func TestSelfCheck(t *testing.T) {
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
