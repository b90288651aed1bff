package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSelfCheck runs "go run ./examples/cli-login --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"1. first sign-in (SRP)\n   challenges: SOFTWARE_TOKEN_MFA",
		"(file mode -rw-------)",
		"2. second sign-in: the remembered device answers DEVICE_SRP_AUTH\n   challenges: none",
		"5. next sign-in asks for a code again\n   challenges: SOFTWARE_TOKEN_MFA",
		"self-check OK",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestWrongAuthenticator gives the user a different authenticator secret:
// the first sign-in must fail.
func TestWrongAuthenticator(t *testing.T) {
	cfg, cleanup, err := setup(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	cfg.prompt = authenticatorApp{secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}
	var out bytes.Buffer
	if err := scene(context.Background(), cfg, &out); err == nil || !strings.Contains(err.Error(), "wrong code") {
		t.Errorf("got %v; want a wrong-code error\n%s", err, out.String())
	}
}
