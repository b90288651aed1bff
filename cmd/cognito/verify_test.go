package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test fixtures for verify and decode (prefixed vt to stay clear of other
// commands' test helpers in this package).

const (
	vtPool   = "us-east-1_CliPool1"
	vtIssuer = "https://cognito-idp.us-east-1.amazonaws.com/" + vtPool
	vtClient = "4cliclientid0123456789abcd"
	vtKid    = "cli-key-1"
)

var (
	vtKeyOnce sync.Once
	vtKey     *rsa.PrivateKey
)

func vtRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	vtKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		vtKey = k
	})
	return vtKey
}

func vtB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func vtJWKS(t testing.TB) []byte {
	k := vtRSA(t)
	b, _ := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "kid": vtKid, "use": "sig", "alg": "RS256",
		"n": vtB64(k.N.Bytes()), "e": vtB64(big.NewInt(int64(k.E)).Bytes()),
	}}})
	return b
}

// vtMint signs an access token valid from now-1m to now+exp.
func vtMint(t testing.TB, exp time.Duration, extra map[string]any) string {
	t.Helper()
	now := time.Now()
	claims := map[string]any{
		"sub": "u-1", "iss": vtIssuer, "client_id": vtClient, "token_use": "access",
		"scope": "openid email", "username": "alice", "cognito:groups": []string{"admin"},
		"iat": now.Add(-time.Minute).Unix(), "auth_time": now.Add(-time.Minute).Unix(), "exp": now.Add(exp).Unix(),
		"jti": "j-1",
	}
	for k, v := range extra {
		claims[k] = v
	}
	h, _ := json.Marshal(map[string]string{"kid": vtKid, "alg": "RS256"})
	p, _ := json.Marshal(claims)
	input := vtB64(h) + "." + vtB64(p)
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, vtRSA(t), crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + vtB64(sig)
}

func vtJWKSFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, vtJWKS(t), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyCommand(t *testing.T) {
	file := vtJWKSFile(t)
	good := vtMint(t, time.Hour, nil)
	expired := vtMint(t, -time.Minute, nil)
	expiredOld := vtMint(t, -time.Minute, map[string]any{"iat": time.Now().Add(-time.Hour).Unix()})
	idTok := vtMint(t, time.Hour, map[string]any{"token_use": "id", "aud": vtClient})
	base := []string{"verify", "--user-pool-id", vtPool, "--client-id", vtClient, "--token-use", "access", "--jwks-file", file}
	env := map[string]string{"COGNITO_USER_POOL_ID": vtPool, "COGNITO_CLIENT_ID": "other, " + vtClient}

	tests := []struct {
		name       string
		args       []string
		stdin      string
		env        map[string]string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "token argument", args: append(base, good), wantCode: exitOK, wantStdout: `"username": "alice"`},
		{name: "token on stdin with Bearer", args: base, stdin: "Bearer " + good + "\n", wantCode: exitOK, wantStdout: `"client_id": "` + vtClient},
		{name: "flags after the token", args: []string{"verify", good, "--user-pool-id", vtPool, "--client-id", vtClient, "--token-use", "access", "--jwks-file", file}, wantCode: exitOK},
		{name: "environment defaults", args: []string{"verify", "--token-use", "any", "--jwks-file", file, good}, env: env, wantCode: exitOK},
		{name: "second client ID", args: []string{"verify", "--user-pool-id", vtPool, "--client-id", "x", "--client-id", vtClient, "--token-use", "access", "--jwks-file", file, good}, wantCode: exitOK},
		{name: "expired", args: append(base, expired), wantCode: exitFailure, wantStderr: "token expired"},
		{name: "ID token where access required", args: append(base, idTok), wantCode: exitFailure, wantStderr: "got an ID token where an access token is required"},
		{name: "wrong client", args: []string{"verify", "--user-pool-id", vtPool, "--client-id", "nope", "--token-use", "access", "--jwks-file", file, good}, wantCode: exitFailure, wantStderr: "wrong client"},
		{name: "garbage token", args: append(base, "not-a-token"), wantCode: exitFailure, wantStderr: "malformed"},
		{name: "verify as of a past time", args: append(append([]string{}, base...), "--at", time.Now().Add(-5*time.Minute).Format(time.RFC3339), expiredOld), wantCode: exitOK},
		{name: "no pool", args: []string{"verify", "--client-id", "c", "--token-use", "access", good}, wantCode: exitUsage, wantStderr: "--user-pool-id is required"},
		{name: "no client", args: []string{"verify", "--user-pool-id", vtPool, "--token-use", "access", good}, wantCode: exitUsage, wantStderr: "--client-id is required"},
		{name: "no token use", args: []string{"verify", "--user-pool-id", vtPool, "--client-id", "c", good}, wantCode: exitUsage, wantStderr: "--token-use is required"},
		{name: "bad token use", args: []string{"verify", "--user-pool-id", vtPool, "--client-id", "c", "--token-use", "refresh", "--jwks-file", file, good}, wantCode: exitUsage, wantStderr: "TokenUse"},
		{name: "bad pool ID", args: []string{"verify", "--user-pool-id", "nope", "--client-id", "c", "--token-use", "id", good}, wantCode: exitUsage, wantStderr: "not a Cognito user pool ID"},
		{name: "url and file", args: append(append([]string{}, base...), "--jwks-url", "http://127.0.0.1:1/jwks", good), wantCode: exitUsage, wantStderr: "mutually exclusive"},
		{name: "two tokens", args: append(append([]string{}, base...), good, good), wantCode: exitUsage, wantStderr: "expected one token"},
		{name: "no token", args: base, wantCode: exitUsage, wantStderr: "no token"},
		{name: "two tokens on stdin", args: base, stdin: good + "\n" + good + "\n", wantCode: exitUsage, wantStderr: "--batch"},
		{name: "unknown flag", args: append(append([]string{}, base...), "--nope"), wantCode: exitUsage, wantStderr: "flag provided but not defined"},
		{name: "bad --at", args: append(append([]string{}, base...), "--at", "yesterday", good), wantCode: exitUsage, wantStderr: "--at"},
		{name: "help", args: []string{"verify", "--help"}, wantCode: exitOK, wantStdout: "Exit status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.stdin, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit: got %d; want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stdout, tc.wantStdout) {
				t.Errorf("stdout %q lacks %q", stdout, tc.wantStdout)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr, tc.wantStderr)
			}
			if code == exitOK && tc.wantStdout != "Exit status" {
				var m map[string]any
				if err := json.Unmarshal([]byte(stdout), &m); err != nil {
					t.Errorf("stdout is not JSON: %v", err)
				}
			}
			if code != exitOK {
				if stdout != "" {
					t.Errorf("stdout on failure: %q", stdout)
				}
				if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
					t.Errorf("error is %d lines; want one", n+1)
				}
				if strings.Contains(stderr, good[:40]) {
					t.Errorf("stderr contains the token")
				}
			}
		})
	}
}

func TestVerifyCommandRemoteJWKS(t *testing.T) {
	jwks := vtJWKS(t)
	var mu sync.Mutex
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := status
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s)
		w.Write(jwks)
	}))
	defer srv.Close()
	good := vtMint(t, time.Hour, nil)
	args := []string{"verify", "--user-pool-id", vtPool, "--client-id", vtClient, "--token-use", "access", "--jwks-url", srv.URL + "/jwks.json", good}
	if code, _, stderr := runCLI(t, "", nil, args...); code != exitOK {
		t.Fatalf("remote JWKS: exit %d, stderr %q", code, stderr)
	}
	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	code, _, stderr := runCLI(t, "", nil, args...)
	if code != exitUnavailable || !strings.Contains(stderr, "keys unavailable") || !strings.Contains(stderr, "HTTP status 500") {
		t.Fatalf("JWKS 500: got exit %d, stderr %q; want %d and keys unavailable", code, stderr, exitUnavailable)
	}
	// Emulator-style issuer and pool ID, keys from the issuer's JWKS URL.
	emuPool := "local_Emu1"
	emuTok := vtMint(t, time.Hour, map[string]any{"iss": srv.URL + "/" + emuPool})
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	code, stdout, stderr := runCLI(t, "", nil, "verify", "--user-pool-id", emuPool, "--issuer", srv.URL+"/"+emuPool,
		"--client-id", vtClient, "--token-use", "any", emuTok)
	if code != exitOK || !strings.Contains(stdout, emuPool) {
		t.Fatalf("emulator issuer: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVerifyBatch(t *testing.T) {
	file := vtJWKSFile(t)
	good := vtMint(t, time.Hour, nil)
	expired := vtMint(t, -time.Minute, nil)
	stdin := good + "\n\n" + expired + "\r\n" + "garbage\n" + "Bearer " + good + "\n"
	code, stdout, stderr := runCLI(t, stdin, nil, "verify", "--batch", "--user-pool-id", vtPool,
		"--client-id", vtClient, "--token-use", "access", "--jwks-file", file)
	if code != exitFailure {
		t.Fatalf("exit: got %d; want %d (stderr %q)", code, exitFailure, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	want := []struct {
		line int
		ok   bool
		err  string
	}{{1, true, ""}, {3, false, "ErrExpired"}, {4, false, "ErrMalformed"}, {5, true, ""}}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines; want %d:\n%s", len(lines), len(want), stdout)
	}
	for i, l := range lines {
		var r struct {
			Line   int            `json:"line"`
			OK     bool           `json:"ok"`
			Error  string         `json:"error"`
			Claims map[string]any `json:"claims"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		if r.Line != want[i].line || r.OK != want[i].ok || r.Error != want[i].err {
			t.Errorf("result %d: got %+v; want %+v", i, r, want[i])
		}
		if r.OK && r.Claims["username"] != "alice" {
			t.Errorf("result %d: claims %v lack username", i, r.Claims)
		}
		if !r.OK && r.Claims != nil {
			t.Errorf("result %d: claims on a rejected token", i)
		}
	}
	// All good: exit 0.
	code, _, _ = runCLI(t, good+"\n", nil, "verify", "--batch", "--user-pool-id", vtPool,
		"--client-id", vtClient, "--token-use", "access", "--jwks-file", file)
	if code != exitOK {
		t.Errorf("all-good batch: exit %d; want 0", code)
	}
}
