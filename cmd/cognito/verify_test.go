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

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
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
		vtKey = testkeys.RSA2048(testkeys.Count)[testkeys.Count-1] // fixed (generating one is slow), none of the emulator's
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
	altIss := vtMint(t, time.Hour, map[string]any{"iss": "https://issuer-cognito-idp.us-east-1.amazonaws.com/" + vtPool})
	customIss := vtMint(t, time.Hour, map[string]any{"iss": "https://auth.example.com/" + vtPool})
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
		{name: "bad token use", args: []string{"verify", "--user-pool-id", vtPool, "--client-id", "c", "--token-use", "refresh", "--jwks-file", file, good}, wantCode: exitUsage, wantStderr: `--token-use "refresh": want access, id or any`},
		{name: "bad pool ID", args: []string{"verify", "--user-pool-id", "nope", "--client-id", "c", "--token-use", "id", good}, wantCode: exitUsage, wantStderr: "not a user pool ID"},
		{name: "url and file", args: append(append([]string{}, base...), "--jwks-url", "http://127.0.0.1:1/jwks", good), wantCode: exitUsage, wantStderr: "mutually exclusive"},
		{name: "two tokens", args: append(append([]string{}, base...), good, good), wantCode: exitUsage, wantStderr: "expected one access token"},
		{name: "no token", args: base, wantCode: exitUsage, wantStderr: "no access token"},
		{name: "two tokens on stdin", args: base, stdin: good + "\n" + good + "\n", wantCode: exitUsage, wantStderr: "--batch"},
		{name: "unknown flag", args: append(append([]string{}, base...), "--nope"), wantCode: exitUsage, wantStderr: "flag provided but not defined"},
		{name: "bad --at", args: append(append([]string{}, base...), "--at", "yesterday", good), wantCode: exitUsage, wantStderr: "--at"},
		{name: "issuer-cognito-idp host by default", args: append(base, altIss), wantCode: exitOK, wantStdout: `"iss": "https://issuer-cognito-idp.`},
		{name: "custom issuer", args: append(append([]string{}, base...), "--issuer", "https://auth.example.com/"+vtPool, customIss), wantCode: exitOK, wantStdout: `"iss": "https://auth.example.com/`},
		{name: "custom issuer refuses the AWS one", args: append(append([]string{}, base...), "--issuer", "https://auth.example.com/"+vtPool, good), wantCode: exitFailure, wantStderr: "--issuer"},
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

// vtEmulator is an emulator pool with one app client and one user, for
// verify and decode against "cognito local"-style endpoints.
type vtEmulator struct {
	srv    *cognitotest.Server
	pool   *cognitotest.Pool
	client cognitotest.AppClient
	tokens cognitotest.Tokens
}

const (
	vtEmuUser     = "vera"
	vtEmuPassword = "vera-pw-1"
)

func newVTEmulator(t *testing.T) *vtEmulator {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := srv.MustCreatePool(cognitotest.PoolConfig{PasswordPolicy: &cognitotest.PasswordPolicy{MinimumLength: 6}})
	client := pool.MustCreateClient(cognitotest.ClientConfig{})
	pool.MustCreateUser(cognitotest.UserConfig{Username: vtEmuUser, Password: vtEmuPassword})
	return &vtEmulator{srv: srv, pool: pool, client: client, tokens: pool.MustMintTokens(client.ID, vtEmuUser)}
}

// environ is the environment of a CLI run against the emulator, plus extra
// variables.
func (m *vtEmulator) environ(extra ...string) map[string]string {
	env := map[string]string{envEndpoint: m.srv.URL(), envPoolID: m.pool.ID(), envClientID: m.client.ID}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// vtClaims parses verify's output.
func vtClaims(t *testing.T, stdout string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	return m
}

// vtDecoded parses decode --json output and returns the payload.
func vtDecoded(t *testing.T, stdout string) map[string]any {
	t.Helper()
	var d struct {
		Verified *bool          `json:"verified"`
		Payload  map[string]any `json:"payload"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("decode --json output is not JSON: %v\n%s", err, stdout)
	}
	if d.Verified == nil || *d.Verified {
		t.Errorf("decode --json: verified is %v; want false", d.Verified)
	}
	return d.Payload
}

// TestVerifyEndpoint: with --endpoint (or COGNITO_ENDPOINT) and no
// --issuer, verify expects the emulator's issuer {endpoint}/{pool} and
// fetches the keys from it.
func TestVerifyEndpoint(t *testing.T) {
	m := newVTEmulator(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	deadTok := vtMint(t, time.Hour, map[string]any{"iss": deadURL + "/" + vtPool})
	flags := []string{"verify", "--endpoint", m.srv.URL(), "--user-pool-id", m.pool.ID(), "--client-id", m.client.ID}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantUse    string
		wantStderr string
	}{
		{name: "--endpoint flag", args: append(append([]string{}, flags...), "--token-use", "access", m.tokens.AccessToken), wantCode: exitOK, wantUse: "access"},
		{name: "--endpoint with trailing slash", args: []string{"verify", "--endpoint", m.srv.URL() + "/", "--user-pool-id", m.pool.ID(), "--client-id", m.client.ID, "--token-use", "id", m.tokens.IDToken}, wantCode: exitOK, wantUse: "id"},
		{name: "COGNITO_ENDPOINT and the other variables", args: []string{"verify", "--token-use", "any", m.tokens.IDToken}, env: m.environ(), wantCode: exitOK, wantUse: "id"},
		{name: "--issuer wins over --endpoint", args: append(append([]string{}, flags...), "--token-use", "access", "--issuer", "http://127.0.0.1:1/"+m.pool.ID(), "--jwks-url", m.pool.JWKSURL(), m.tokens.AccessToken), wantCode: exitFailure, wantStderr: "wrong issuer"},
		{name: "other pool at the endpoint", args: []string{"verify", "--endpoint", m.srv.URL(), "--user-pool-id", "us-east-1_NoSuchPool", "--client-id", m.client.ID, "--token-use", "access", m.tokens.AccessToken}, wantCode: exitFailure, wantStderr: "wrong issuer"},
		{name: "token of another endpoint", args: []string{"verify", "--endpoint", deadURL, "--user-pool-id", m.pool.ID(), "--client-id", m.client.ID, "--token-use", "access", m.tokens.AccessToken}, wantCode: exitFailure, wantStderr: "--endpoint"},
		{name: "endpoint down", args: []string{"verify", "--endpoint", deadURL, "--user-pool-id", vtPool, "--client-id", vtClient, "--token-use", "access", "--timeout", "5s", deadTok}, wantCode: exitUnavailable, wantStderr: "keys unavailable"},
		{name: "bad endpoint", args: []string{"verify", "--endpoint", "ftp://127.0.0.1", "--user-pool-id", m.pool.ID(), "--client-id", m.client.ID, "--token-use", "access", m.tokens.AccessToken}, wantCode: exitUsage, wantStderr: "--endpoint"},
		{name: "bad COGNITO_ENDPOINT", args: []string{"verify", "--token-use", "access", m.tokens.AccessToken}, env: m.environ(envEndpoint, "http://127.0.0.1:1/?x=y"), wantCode: exitUsage, wantStderr: "without query"},
		{name: "bad timeout", args: append(append([]string{}, flags...), "--token-use", "access", "--timeout", "0s", m.tokens.AccessToken), wantCode: exitUsage, wantStderr: "--timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.env, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit: got %d; want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			if code != exitOK {
				oneLine(t, stderr, "cognito verify:", tc.wantStderr)
				if stdout != "" {
					t.Errorf("stdout on failure: %q", stdout)
				}
				return
			}
			c := vtClaims(t, stdout)
			if c["iss"] != m.pool.Issuer() || c["token_use"] != tc.wantUse {
				t.Errorf("got iss %v, token_use %v; want %s, %s", c["iss"], c["token_use"], m.pool.Issuer(), tc.wantUse)
			}
		})
	}
}

// TestVerifyDecodeLoginPipe: "cognito login ... | cognito verify" and
// "| cognito decode" work, the token picked from the JSON by --token-use.
func TestVerifyDecodeLoginPipe(t *testing.T) {
	m := newVTEmulator(t)
	code, login, stderr := runCLI(t, vtEmuPassword+"\n", m.environ(), "login", "--username", vtEmuUser, "--password-stdin")
	if code != exitOK {
		t.Fatalf("login: exit %d, stderr %q", code, stderr)
	}
	var out tokenOutput
	if err := json.Unmarshal([]byte(login), &out); err != nil || out.AccessToken == "" || out.IDToken == "" {
		t.Fatalf("login output %q: %v", login, err)
	}
	for _, tc := range []struct {
		use, wantUse, wantJTI string
		extra                 []string
	}{
		{use: "access", wantUse: "access"},
		{use: "id", wantUse: "id"},
		{use: "any", wantUse: "access"},
		{use: "id", wantUse: "id", extra: []string{"-"}},
	} {
		t.Run("verify --token-use "+tc.use+strings.Join(tc.extra, " "), func(t *testing.T) {
			args := append([]string{"verify", "--token-use", tc.use}, tc.extra...)
			code, stdout, stderr := runCLI(t, login, m.environ(), args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			c := vtClaims(t, stdout)
			if c["token_use"] != tc.wantUse || c["iss"] != m.pool.Issuer() {
				t.Errorf("got token_use %v, iss %v; want %s, %s", c["token_use"], c["iss"], tc.wantUse, m.pool.Issuer())
			}
			if tc.wantUse == "id" && c["cognito:username"] != vtEmuUser {
				t.Errorf("ID token claims %v lack cognito:username %s", c, vtEmuUser)
			}
		})
	}
	for _, tc := range []struct{ use, wantUse string }{{"", "access"}, {"access", "access"}, {"id", "id"}} {
		t.Run("decode --token-use "+tc.use, func(t *testing.T) {
			args := []string{"decode", "--json"}
			if tc.use != "" {
				args = append(args, "--token-use", tc.use)
			}
			code, stdout, stderr := runCLI(t, login, nil, args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if p := vtDecoded(t, stdout); p["token_use"] != tc.wantUse {
				t.Errorf("payload token_use %v; want %s", p["token_use"], tc.wantUse)
			}
		})
	}
	t.Run("decode text", func(t *testing.T) {
		code, stdout, _ := runCLI(t, login, nil, "decode")
		if code != exitOK || !strings.HasPrefix(stdout, "UNVERIFIED") || !strings.Contains(stdout, `"token_use": "access"`) {
			t.Errorf("exit %d, stdout %q", code, stdout)
		}
	})

	// JSON input that lacks the wanted token, or is not JSON at all.
	m2m, _ := json.Marshal(tokenOutput{AccessToken: m.tokens.AccessToken, TokenType: "Bearer", ExpiresIn: 3600})
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"verify id from access-only JSON", string(m2m), []string{"verify", "--token-use", "id"}, `no "id_token"`},
		{"decode id from access-only JSON", string(m2m), []string{"decode", "--token-use", "id"}, `no "id_token"`},
		{"verify broken JSON", `{"access_token":`, []string{"verify", "--token-use", "access"}, "does not parse"},
		{"decode broken JSON", `{"access_token":`, []string{"decode"}, "does not parse"},
		{"decode bad --token-use", login, []string{"decode", "--token-use", "refresh"}, `--token-use "refresh"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.stdin, m.environ(), tc.args...)
			if code != exitUsage || stdout != "" {
				t.Fatalf("got exit %d, stdout %q; want %d and no output", code, stdout, exitUsage)
			}
			oneLine(t, stderr, "cognito "+tc.args[0]+":", tc.want)
		})
	}
	// verify still reads an access-only JSON document (cognito token).
	code, stdout, stderr := runCLI(t, string(m2m), m.environ(), "verify", "--token-use", "any")
	if code != exitOK || vtClaims(t, stdout)["token_use"] != "access" {
		t.Errorf("access-only JSON: exit %d, stderr %q", code, stderr)
	}
}

// TestVerifyDecodeTokenEnv: without an argument the token comes from
// $COGNITO_ACCESS_TOKEN or $COGNITO_ID_TOKEN, chosen by --token-use; an
// argument wins over them and they win over standard input.
func TestVerifyDecodeTokenEnv(t *testing.T) {
	m := newVTEmulator(t)
	both := m.environ(envAccessToken, m.tokens.AccessToken, envIDTokenVar, m.tokens.IDToken)
	idOnly := m.environ(envIDTokenVar, m.tokens.IDToken)
	tests := []struct {
		name     string
		env      map[string]string
		stdin    string
		args     []string
		wantCode int
		wantUse  string
		wantErr  string
	}{
		{name: "verify access from env", env: both, args: []string{"verify", "--token-use", "access"}, wantUse: "access"},
		{name: "verify id from env", env: both, args: []string{"verify", "--token-use", "id"}, wantUse: "id"},
		{name: "verify any prefers the access token", env: both, args: []string{"verify", "--token-use", "any"}, wantUse: "access"},
		{name: "verify any with only the ID token", env: idOnly, args: []string{"verify", "--token-use", "any"}, wantUse: "id"},
		{name: "verify env wins over stdin", env: both, stdin: "garbage\n", args: []string{"verify", "--token-use", "access"}, wantUse: "access"},
		{name: "verify argument wins over env", env: both, args: []string{"verify", "--token-use", "access", "not-a-token"}, wantCode: exitFailure, wantErr: "malformed"},
		{name: "verify access with only the ID token", env: idOnly, args: []string{"verify", "--token-use", "access"}, wantCode: exitUsage, wantErr: "no access token"},
		{name: "verify Bearer prefix in env", env: m.environ(envIDTokenVar, "Bearer "+m.tokens.IDToken), args: []string{"verify", "--token-use", "id"}, wantUse: "id"},
		{name: "decode default from env", env: both, args: []string{"decode", "--json"}, wantUse: "access"},
		{name: "decode id from env", env: both, args: []string{"decode", "--json", "--token-use", "id"}, wantUse: "id"},
		{name: "decode any with only the ID token", env: idOnly, args: []string{"decode", "--json"}, wantUse: "id"},
		{name: "decode argument wins over env", env: both, args: []string{"decode", "--json", m.tokens.IDToken}, wantUse: "id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.stdin, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit: got %d; want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			if code != exitOK {
				oneLine(t, stderr, "cognito "+tc.args[0]+":", tc.wantErr)
				if strings.Contains(stderr, m.tokens.AccessToken[:40]) || strings.Contains(stderr, m.tokens.IDToken[:40]) {
					t.Errorf("stderr contains a token")
				}
				return
			}
			var claims map[string]any
			if tc.args[0] == "decode" {
				claims = vtDecoded(t, stdout)
			} else {
				claims = vtClaims(t, stdout)
			}
			if claims["token_use"] != tc.wantUse {
				t.Errorf("token_use: got %v; want %s", claims["token_use"], tc.wantUse)
			}
		})
	}
}

// TestVerifyDecodeHelp: the flags follow the "(env X)" convention of the
// other commands.
func TestVerifyDecodeHelp(t *testing.T) {
	for name, wants := range map[string][]string{
		"verify": {"-endpoint", "env " + envEndpoint, "(env " + envPoolID, "(env " + envClientID, "-timeout", envAccessToken, envIDTokenVar, "{endpoint}/{pool}", "cognito login", "Exit status"},
		"decode": {"-token-use", envAccessToken, envIDTokenVar, "cognito login", "UNVERIFIED"},
	} {
		code, stdout, _ := runCLI(t, "", nil, name, "--help")
		if code != exitOK {
			t.Errorf("%s --help: exit %d", name, code)
		}
		for _, w := range wants {
			if !strings.Contains(stdout, w) && !(w == "UNVERIFIED" && strings.Contains(stdout, "NOTHING IS VERIFIED")) {
				t.Errorf("%s --help lacks %q", name, w)
			}
		}
		if strings.Contains(stdout, "(default $") {
			t.Errorf("%s --help uses \"(default $X)\"; want \"(env X)\"", name)
		}
	}
}

// FuzzReadTokenInput: whatever arrives on standard input, reading the token
// never panics, and a token it returns is one non-empty word.
func FuzzReadTokenInput(f *testing.F) {
	tok := vtMint(f, time.Hour, nil)
	login, _ := json.Marshal(tokenOutput{AccessToken: tok, IDToken: tok, TokenType: "Bearer"})
	for _, s := range []string{tok, "Bearer " + tok + "\n", string(login), `{"access_token":"a"}`, `{"id_token":"b"}`, `{"access_token":`, "a b", "", "{}", `{"id_token":1}`} {
		for _, use := range []string{"access", "id", "any"} {
			f.Add(s, use)
		}
	}
	f.Fuzz(func(t *testing.T, stdin, use string) {
		e := &env{stdin: strings.NewReader(stdin), getenv: func(string) string { return "" }}
		got, err := readTokenInput(e, nil, use)
		if err != nil {
			if got != "" {
				t.Fatalf("token %q with error %v", got, err)
			}
			return
		}
		if got == "" || strings.ContainsAny(got, " \t\r\n") {
			t.Fatalf("got token %q; want one non-empty word", got)
		}
	})
}
