package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRefreshCommand(t *testing.T) {
	f := newCLIFixture(t)

	t.Run("public client, token argument", func(t *testing.T) {
		bob := f.signIn(t, f.public, "bob")
		code, stdout, stderr := runCLI(t, "", f.environ(f.public), "refresh", bob.RefreshToken)
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		out := decodeTokens(t, stdout)
		if out.AccessToken == "" || out.AccessToken == bob.AccessToken || out.IDToken == "" || out.ExpiresIn <= 0 {
			t.Fatalf("got %+v; want new tokens", out)
		}
		if c := f.verify(t, f.public.ID, out.AccessToken); c.Username != "bob" {
			t.Errorf("refreshed token is for %q; want bob", c.Username)
		}
	})
	t.Run("confidential client, login JSON on stdin", func(t *testing.T) {
		bob := f.signIn(t, f.confidential, "bob")
		in, _ := json.Marshal(tokenOutput{AccessToken: bob.AccessToken, RefreshToken: bob.RefreshToken, Username: bob.Username})
		code, stdout, stderr := runCLI(t, string(in), f.environ(f.confidential), "refresh", "--output", "env")
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		if !strings.Contains(stdout, "export COGNITO_ACCESS_TOKEN='ey") || !strings.Contains(stdout, "export COGNITO_USERNAME='"+bob.Username+"'") {
			t.Errorf("env output %q lacks the access token or username", stdout)
		}
	})
	t.Run("confidential client, environment from login --output env", func(t *testing.T) {
		bob := f.signIn(t, f.confidential, "bob")
		environ := f.environ(f.confidential)
		environ[envRefreshToken], environ[envUsername] = bob.RefreshToken, bob.Username
		code, stdout, stderr := runCLI(t, "", environ, "refresh", "--output", "token")
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		f.verify(t, f.confidential.ID, strings.TrimSpace(stdout))
	})
	t.Run("confidential client without username", func(t *testing.T) {
		bob := f.signIn(t, f.confidential, "bob")
		code, _, stderr := runCLI(t, "", f.environ(f.confidential), "refresh", bob.RefreshToken)
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "needs --username")
	})
	t.Run("confidential client with the email alias", func(t *testing.T) {
		// SECRET_HASH with an alias instead of the internal username: the
		// classic mistake, refused by Cognito.
		bob := f.signIn(t, f.confidential, "bob")
		code, _, stderr := runCLI(t, "", f.environ(f.confidential), "refresh", "--username", "bob@example.com", bob.RefreshToken)
		if code != exitFailure {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
		}
		oneLine(t, stderr, "cognito refresh:")
	})
	t.Run("rotation", func(t *testing.T) {
		bob := f.signIn(t, f.rotating, "bob")
		code, stdout, stderr := runCLI(t, "", f.environ(f.rotating), "refresh", "--rotation", bob.RefreshToken)
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		out := decodeTokens(t, stdout)
		if out.RefreshToken == "" || out.RefreshToken == bob.RefreshToken {
			t.Errorf("rotation: got refresh token %q; want a new one", out.RefreshToken)
		}
		// Without --rotation, Cognito refuses REFRESH_TOKEN_AUTH for this
		// client, and the message says which flag is missing.
		code, _, stderr = runCLI(t, "", f.environ(f.rotating), "refresh", out.RefreshToken)
		if code != exitUsage {
			t.Errorf("REFRESH_TOKEN_AUTH on a rotating client: got exit %d; want %d (stderr %q)", code, exitUsage, stderr)
		}
		oneLine(t, stderr, "add --rotation")
	})
	t.Run("oauth token endpoint", func(t *testing.T) {
		bob := f.signIn(t, f.public, "bob")
		code, stdout, stderr := runCLI(t, "", f.environ(f.public), "refresh", "--oauth", bob.RefreshToken)
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		if out := decodeTokens(t, stdout); out.Username != "bob" {
			t.Errorf("got username %q; want bob (from the verified ID token)", out.Username)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		bob := f.signIn(t, f.public, "bob")
		if code, _, stderr := runCLI(t, "", f.environ(f.public), "revoke", "--quiet", bob.RefreshToken); code != exitOK {
			t.Fatalf("revoke: exit %d (stderr %q)", code, stderr)
		}
		code, stdout, stderr := runCLI(t, "", f.environ(f.public), "refresh", bob.RefreshToken)
		if code != exitFailure || stdout != "" {
			t.Errorf("got exit %d, stdout %q; want %d", code, stdout, exitFailure)
		}
		oneLine(t, stderr, "revoked, expired or rotated away", "sign in again")
		if strings.Contains(stderr, bob.RefreshToken) {
			t.Error("stderr shows the refresh token")
		}
		code, _, stderr = runCLI(t, "", f.environ(f.public), "refresh", "--oauth", bob.RefreshToken)
		if code != exitFailure {
			t.Errorf("--oauth: got exit %d; want %d", code, exitFailure)
		}
		oneLine(t, stderr, "sign in again")
	})
	t.Run("unknown token", func(t *testing.T) {
		// Shaped like a refresh token, unknown to Cognito: refused there.
		code, _, stderr := runCLI(t, fakeRefreshToken+"\n", f.environ(f.public), "refresh")
		if code != exitFailure {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitFailure, stderr)
		}
		oneLine(t, stderr, "the refresh token is revoked, expired or rotated away")
	})
	t.Run("garbage token", func(t *testing.T) {
		// Not a token at all: said before calling Cognito.
		code, _, stderr := runCLI(t, "not-a-refresh-token\n", f.environ(f.public), "refresh")
		if code != exitUsage {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitUsage, stderr)
		}
		oneLine(t, stderr, "this is not a refresh token")
	})
	t.Run("unreachable", func(t *testing.T) {
		environ := f.environ(f.public)
		environ[envEndpoint] = deadEndpoint(t)
		code, _, stderr := runCLI(t, "", environ, "refresh", "--timeout", "1s", fakeRefreshToken)
		if code != exitUnavailable {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitUnavailable, stderr)
		}
		oneLine(t, stderr, "cognito refresh:")
	})
}

// fakeRefreshToken has the shape of Cognito's refresh tokens (a five-part
// JWE) and is known to no one.
const fakeRefreshToken = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.aaaa.bbbb.cccc.dddd"
