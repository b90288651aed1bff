package main

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/adapters/redisstore"
	"github.com/cognitokit/cognitokit/internal/redistest"
	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
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

// TestRevokeRedis: with --redis, the revocation reaches the services that
// share the revocation list through that Redis, at once.
func TestRevokeRedis(t *testing.T) {
	t.Parallel() // go-redis backs off before it gives up on the unreachable Redis
	f := newCLIFixture(t)
	srv := redistest.Start(t)
	rc := srv.Client()
	rs, err := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: rc})
	if err != nil {
		t.Fatal(err)
	}
	list, err := revocation.New(revocation.Config{Sync: rs})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	bob := f.signIn(t, f.confidential, "bob")
	claims := unverified(t, bob.AccessToken)
	if err := list.CheckRevoked(context.Background(), "", claims); err != nil {
		t.Fatalf("before revoke: %v", err)
	}
	in := `{"access_token":"` + bob.AccessToken + `","refresh_token":"` + bob.RefreshToken + `"}`
	code, _, stderr := runCLI(t, in, f.environ(f.confidential), "revoke", "--redis", "redis://"+srv.Addr+"/0")
	if code != exitOK {
		t.Fatalf("got exit %d (stderr %q); want 0", code, stderr)
	}
	oneLine(t, stderr, "services sharing the revocation list now refuse")
	deadline := time.Now().Add(5 * time.Second)
	for !errors.Is(list.CheckRevoked(context.Background(), "", claims), verifier.ErrRevoked) {
		if time.Now().After(deadline) {
			t.Fatal("the service's list never learned the revocation")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Without the access token, --redis cannot know what to refuse.
	code, _, stderr = runCLI(t, "", f.environ(f.confidential), "revoke", "--redis", "redis://"+srv.Addr, f.signIn(t, f.confidential, "bob").RefreshToken)
	if code != exitUsage || !strings.Contains(stderr, "--access-token") {
		t.Fatalf("--redis without an access token: exit %d, stderr %q; want %d naming --access-token", code, stderr, exitUsage)
	}
	code, _, stderr = runCLI(t, in, f.environ(f.confidential), "revoke", "--redis", "redis://:secretpw@127.0.0.1:1/0")
	if code != exitUnavailable || strings.Contains(stderr, "secretpw") || strings.Contains(stderr, bob.AccessToken) {
		t.Fatalf("unreachable Redis: exit %d, stderr %q; want %d without the password or token", code, stderr, exitUnavailable)
	}
}

func unverified(t *testing.T, token string) *verifier.Claims {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	c, err := verifier.ParseUnverifiedClaims(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
