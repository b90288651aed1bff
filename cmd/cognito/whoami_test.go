package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWhoamiCommand(t *testing.T) {
	f := newCLIFixture(t)
	alice := f.signIn(t, f.public, "alice")
	environ := map[string]string{envEndpoint: f.srv.URL()}

	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "", environ, "whoami", alice.AccessToken)
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		var out whoamiOutput
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Username != "alice" || out.Attributes["email"] != "alice@example.com" || out.Attributes["sub"] == "" {
			t.Errorf("got %+v; want alice with her email and sub", out)
		}
	})
	t.Run("env output, token from the environment", func(t *testing.T) {
		env2 := map[string]string{envEndpoint: f.srv.URL(), envAccessToken: alice.AccessToken}
		code, stdout, _ := runCLI(t, "", env2, "whoami", "--output", "env")
		if code != exitOK || !strings.Contains(stdout, "export COGNITO_USERNAME='alice'\n") || !strings.Contains(stdout, "export COGNITO_EMAIL='alice@example.com'\n") {
			t.Errorf("got exit %d, stdout %q", code, stdout)
		}
	})
	t.Run("login JSON on stdin", func(t *testing.T) {
		in, _ := json.Marshal(tokenOutput{AccessToken: alice.AccessToken, RefreshToken: alice.RefreshToken})
		if code, _, stderr := runCLI(t, string(in), environ, "whoami"); code != exitOK {
			t.Errorf("got exit %d (stderr %q)", code, stderr)
		}
	})
	t.Run("ID token", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "whoami", alice.IDToken)
		if code != exitFailure {
			t.Errorf("got exit %d; want %d", code, exitFailure)
		}
		oneLine(t, stderr, "Cognito refused the access token")
	})
	t.Run("tampered", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "whoami", alice.AccessToken[:len(alice.AccessToken)-4]+"AAAA")
		if code != exitFailure {
			t.Errorf("got exit %d; want %d", code, exitFailure)
		}
		oneLine(t, stderr, "NotAuthorizedException")
		if strings.Contains(stderr, alice.AccessToken[:40]) {
			t.Error("stderr shows the token")
		}
	})
	t.Run("no region", func(t *testing.T) {
		// A malformed pool ID is no region hint, and no error: whoami has no
		// --user-pool-id.
		code, _, stderr := runCLI(t, "", map[string]string{envPoolID: "garbage"}, "whoami", "abc.def.ghi")
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "--region is required")
	})
	t.Run("region from the pool ID", func(t *testing.T) {
		env2 := map[string]string{envEndpoint: f.srv.URL(), envPoolID: f.pool.ID()}
		if code, _, stderr := runCLI(t, "", env2, "whoami", alice.AccessToken); code != exitOK {
			t.Errorf("got exit %d (stderr %q)", code, stderr)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", map[string]string{envEndpoint: deadEndpoint(t)}, "whoami", "--timeout", "1s", alice.AccessToken)
		if code != exitUnavailable {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitUnavailable, stderr)
		}
		oneLine(t, stderr, "could not be reached")
	})
}
