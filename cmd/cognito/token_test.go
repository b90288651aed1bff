package main

import (
	"strings"
	"testing"
)

func TestTokenCommand(t *testing.T) {
	f := newCLIFixture(t)
	environ := f.environ(f.confidential)

	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "", environ, "token", "--scope", "demo-api/read")
		if code != exitOK {
			t.Fatalf("got exit %d; want 0 (stderr %q)", code, stderr)
		}
		out := decodeTokens(t, stdout)
		if out.TokenType != "Bearer" || out.ExpiresIn <= 0 || out.Scope != "demo-api/read" {
			t.Errorf("got %+v; want a Bearer token with scope demo-api/read", out)
		}
		c := f.verify(t, f.confidential.ID, out.AccessToken)
		if !c.IsMachine() || !c.HasScope("demo-api/read") || c.HasScope("demo-api/write") {
			t.Errorf("got claims machine=%v scopes=%v; want an M2M token with demo-api/read only", c.IsMachine(), c.Scopes)
		}
	})
	t.Run("all scopes and token output", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "", environ, "token", "--output", "token")
		if code != exitOK || strings.Count(stdout, "\n") != 1 {
			t.Fatalf("got exit %d, stdout %q (stderr %q); want one line", code, stdout, stderr)
		}
		c := f.verify(t, f.confidential.ID, strings.TrimSpace(stdout))
		if !c.HasAllScopes("demo-api/read", "demo-api/write") {
			t.Errorf("got scopes %v; want every allowed scope", c.Scopes)
		}
	})
	t.Run("env output and scopes in one flag", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "", environ, "token", "--scope", "demo-api/read demo-api/write", "--output", "env")
		if code != exitOK || !strings.HasPrefix(stdout, "export COGNITO_ACCESS_TOKEN='ey") || !strings.Contains(stdout, "export COGNITO_SCOPE='demo-api/read demo-api/write'") {
			t.Errorf("got exit %d, stdout %q", code, stdout)
		}
	})
	t.Run("domain flag instead of endpoint", func(t *testing.T) {
		env2 := map[string]string{envClientID: f.confidential.ID, envClientSecret: f.confidential.Secret}
		code, stdout, stderr := runCLI(t, "", env2, "token", "--domain", f.srv.OAuthDomain(), "--user-pool-id", f.pool.ID(), "--scope", "demo-api/read")
		if code != exitOK {
			t.Fatalf("got exit %d (stderr %q)", code, stderr)
		}
		decodeTokens(t, stdout)
	})
	t.Run("no user pool ID", func(t *testing.T) {
		env2 := f.environ(f.confidential)
		delete(env2, envPoolID)
		code, stdout, stderr := runCLI(t, "", env2, "token", "--scope", "demo-api/read", "--output", "token")
		if code != exitOK {
			t.Fatalf("got exit %d (stderr %q); want 0 without a user pool ID", code, stderr)
		}
		if c := f.verify(t, f.confidential.ID, strings.TrimSpace(stdout)); !c.IsMachine() || !c.HasScope("demo-api/read") {
			t.Errorf("got claims machine=%v scopes=%v; want an M2M token with demo-api/read", c.IsMachine(), c.Scopes)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		env2 := f.environ(f.confidential)
		env2[envClientSecret] = "wrong-secret-value"
		code, stdout, stderr := runCLI(t, "", env2, "token")
		if code != exitFailure || stdout != "" {
			t.Errorf("got exit %d, stdout %q; want %d and nothing", code, stdout, exitFailure)
		}
		oneLine(t, stderr, "invalid_client")
		if strings.Contains(stderr, "wrong-secret-value") {
			t.Errorf("stderr shows the secret: %q", stderr)
		}
	})
	t.Run("scope not allowed", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "token", "--scope", "other-api/read")
		if code != exitFailure {
			t.Errorf("got exit %d; want %d", code, exitFailure)
		}
		oneLine(t, stderr, "invalid_scope")
	})
	t.Run("public client", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", f.environ(f.public), "token")
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "--client-secret is required")
	})
	t.Run("scope without resource server", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "token", "--scope", "openid")
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "resource-server-id/scope")
	})
	t.Run("unreachable", func(t *testing.T) {
		env2 := f.environ(f.confidential)
		env2[envEndpoint] = deadEndpoint(t)
		code, _, stderr := runCLI(t, "", env2, "token", "--timeout", "5s")
		if code != exitUnavailable {
			t.Errorf("got exit %d; want %d (stderr %q)", code, exitUnavailable, stderr)
		}
		oneLine(t, stderr, "cognito token:")
	})
}
