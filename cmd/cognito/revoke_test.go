package main

import (
	"strings"
	"testing"
)

func TestRevokeCommand(t *testing.T) {
	f := newCLIFixture(t)

	t.Run("api", func(t *testing.T) {
		bob := f.signIn(t, f.confidential, "bob")
		code, stdout, stderr := runCLI(t, "", f.environ(f.confidential), "revoke", bob.RefreshToken)
		if code != exitOK || stdout != "" {
			t.Fatalf("got exit %d, stdout %q; want 0 and nothing (stderr %q)", code, stdout, stderr)
		}
		oneLine(t, stderr, "refresh token revoked", "local verifiers accept")
		// Cognito refuses the access token issued from it...
		code, _, stderr = runCLI(t, "", f.environ(f.confidential), "whoami", bob.AccessToken)
		if code != exitFailure {
			t.Errorf("whoami after revoke: got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
		}
		// ...while local verification still accepts it (revocation is invisible to it).
		f.verify(t, f.confidential.ID, bob.AccessToken)
	})
	t.Run("oauth, JSON on stdin", func(t *testing.T) {
		bob := f.signIn(t, f.public, "bob")
		in := `{"access_token":"` + bob.AccessToken + `","refresh_token":"` + bob.RefreshToken + `"}`
		code, _, stderr := runCLI(t, in, f.environ(f.public), "revoke", "--oauth", "--quiet")
		if code != exitOK || stderr != "" {
			t.Fatalf("got exit %d, stderr %q; want 0 and nothing", code, stderr)
		}
		if code, _, _ := runCLI(t, "", f.environ(f.public), "refresh", bob.RefreshToken); code != exitFailure {
			t.Errorf("refresh after revoke: got exit %d; want %d", code, exitFailure)
		}
	})
	t.Run("revocation disabled", func(t *testing.T) {
		bob := f.signIn(t, f.noRevoke, "bob")
		code, _, stderr := runCLI(t, "", f.environ(f.noRevoke), "revoke", bob.RefreshToken)
		if code != exitFailure {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
		}
		oneLine(t, stderr, "cognito revoke:")
	})
	t.Run("token of another client", func(t *testing.T) {
		bob := f.signIn(t, f.public, "bob")
		code, _, stderr := runCLI(t, "", f.environ(f.confidential), "revoke", bob.RefreshToken)
		if code != exitFailure {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
		}
		if strings.Contains(stderr, f.confidential.Secret) {
			t.Error("stderr shows the client secret")
		}
	})
	t.Run("no token", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", f.environ(f.public), "revoke")
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "no refresh token", envRefreshToken)
	})
}
