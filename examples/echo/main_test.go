package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// TestSelfCheck runs "go run ./examples/echo --self-check" in-process.
func TestSelfCheck(t *testing.T) {
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
