package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestQuickstart plays the whole scene, as "go run ./examples/quickstart"
// does, and checks that every step was printed and passed.
func TestQuickstart(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runMain(context.Background(), nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"1. A call without a token is refused", "401 Unauthorized",
		"2. bob signs in with SRP",
		"3. bob calls GET /me", `"username":"bob"`,
		"4. bob calls GET /admin", "403 Forbidden", `error="insufficient_scope"`,
		"5. alice, in group admin", "welcome to the admin area, alice",
		"6. bob's refresh token gets him a new access token",
		"7. bob signs out", "srpclient.ErrRefreshTokenInvalid", "NotAuthorizedException",
		"8. a service gets an M2M token", `"machine":true`,
		"All 8 steps behaved as expected.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
	if n := strings.Count(got, "✓"); n != 8 {
		t.Errorf("got %d passed steps; want 8", n)
	}
	if strings.Contains(got, "FAILED") {
		t.Errorf("output reports a failure:\n%s", got)
	}
}

// TestQuickstartDetectsFailure breaks the stage (the pool's keys become
// unavailable) and checks that the scene stops at the first step that needs
// them, reports it and fails.
func TestQuickstartDetectsFailure(t *testing.T) {
	d, err := startDemo("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.srv.SetJWKSMode(cognitotest.JWKSFail)
	var out bytes.Buffer
	err = d.play(context.Background(), &out)
	if err == nil || !strings.Contains(err.Error(), "step 3") {
		t.Fatalf("got error %v; want step 3 to fail\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "503 Service Unavailable") || !strings.Contains(out.String(), "✗ FAILED") {
		t.Errorf("output does not show the 503 failure:\n%s", out.String())
	}
	if strings.Contains(out.String(), "4. ") {
		t.Errorf("the scene went on after a failed step:\n%s", out.String())
	}
}

func TestQuickstartBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	code := runMain(context.Background(), []string{"--no-such-flag"}, &out, &errb)
	if code != 2 {
		t.Errorf("got exit %d; want 2", code)
	}
	if got := strings.TrimSpace(errb.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, "no-such-flag") {
		t.Errorf("stderr %q: want one line naming the flag", got)
	}
	code = runMain(context.Background(), []string{"--addr", "not-an-address"}, &out, &errb)
	if code != 1 {
		t.Errorf("bad --addr: got exit %d; want 1", code)
	}
}
