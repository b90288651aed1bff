package main

import (
	"encoding/base64"
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
		// Told apart before the network: no "Invalid Access Token" riddle.
		code, _, stderr := runCLI(t, "", map[string]string{envEndpoint: deadEndpoint(t)}, "whoami", alice.IDToken)
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "this is an ID token, not an access token", "access_token")
	})
	t.Run("refresh token", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "whoami", alice.RefreshToken)
		if code != exitUsage {
			t.Errorf("got exit %d; want %d", code, exitUsage)
		}
		oneLine(t, stderr, "this is a refresh token, not an access token")
	})
	t.Run("quoted token", func(t *testing.T) {
		for _, in := range []string{`"` + alice.AccessToken + `"`, `'` + alice.AccessToken + `'`, `"Bearer ` + alice.AccessToken + `"`, `Bearer "` + alice.AccessToken + `"`} {
			if code, _, stderr := runCLI(t, in+"\n", environ, "whoami"); code != exitOK {
				t.Errorf("%.20s...: got exit %d (stderr %q)", in, code, stderr)
			}
		}
		if code, _, _ := runCLI(t, `""`+alice.AccessToken+`""`, environ, "whoami"); code != exitUsage {
			t.Errorf("two pairs of quotes: got exit %d; want %d (only one pair is stripped)", code, exitUsage)
		}
	})
	t.Run("emulator issuer without --endpoint", func(t *testing.T) {
		// The token's issuer is the emulator on this machine: whoami asks
		// it instead of AWS, and says so.
		code, stdout, stderr := runCLI(t, "", nil, "whoami", alice.AccessToken)
		if code != exitOK || !strings.Contains(stdout, `"username": "alice"`) {
			t.Fatalf("got exit %d, stdout %q (stderr %q)", code, stdout, stderr)
		}
		oneLine(t, stderr, "asking the emulator at "+f.srv.URL())
	})
	t.Run("tampered", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", environ, "whoami", alice.AccessToken[:len(alice.AccessToken)-4]+"AAAA")
		if code != exitFailure {
			t.Errorf("got exit %d; want %d", code, exitFailure)
		}
		oneLine(t, stderr, "Cognito refused the access token (Cognito: Invalid Access Token)")
		if strings.Contains(stderr, alice.AccessToken[:40]) {
			t.Error("stderr shows the token")
		}
	})
	t.Run("no region", func(t *testing.T) {
		// A malformed pool ID is no region hint, and no error: whoami has no
		// --user-pool-id.
		code, _, stderr := runCLI(t, "", map[string]string{envPoolID: "garbage"}, "whoami", unsignedJWT(t, map[string]any{"token_use": "access"}))
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
		oneLine(t, stderr, "cannot reach http://127.0.0.1:")
		if !strings.Contains(stderr, "connection refused") || !strings.Contains(stderr, `is the emulator ("cognito local") running?`) {
			t.Errorf("stderr %q: want the cause (connection refused) and a hint", stderr)
		}
	})
}

// unsignedJWT returns a JWS with the given claims and a dummy signature.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc(payload) + "." + enc([]byte("signature"))
}

func TestWhoamiForeignIssuer(t *testing.T) {
	tok := unsignedJWT(t, map[string]any{"token_use": "access", "iss": "http://emulator.example:9229/local_0y5A8pZR"})
	code, _, stderr := runCLI(t, "", nil, "whoami", tok)
	if code != exitUsage {
		t.Errorf("got exit %d; want %d", code, exitUsage)
	}
	// Another host is named, not dialed: the token goes nowhere it was not sent.
	oneLine(t, stderr, "not by AWS: pass --endpoint http://emulator.example:9229")
}
