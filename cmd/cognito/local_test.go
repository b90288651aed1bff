package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/srp"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// syncBuffer is a bytes.Buffer safe for a writer and a concurrent reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startLocal runs "cognito local args..." in-process until the test ends
// and returns its ready line.
func startLocal(t *testing.T, args ...string) localReady {
	t.Helper()
	r, _ := startLocalStderr(t, args...)
	return r
}

// startLocalStderr is startLocal, also returning its standard error.
func startLocalStderr(t *testing.T, args ...string) (localReady, *syncBuffer) {
	t.Helper()
	r, errb, stop := runLocalBG(t, args...)
	t.Cleanup(stop)
	return r, errb
}

// runLocalBG runs "cognito local args..." in-process and returns its ready
// line, its standard error, and a function that interrupts it and checks
// that it exits cleanly (safe to call more than once).
func runLocalBG(t *testing.T, args ...string) (localReady, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" },
		localOptions: []cognitotest.Option{cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)}}
	done := make(chan int, 1)
	go func() { done <- runMain(ctx, e, append([]string{"local", "--addr", "127.0.0.1:0"}, args...)) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("cognito local: exit %d after interrupt; want 0 (stderr %q)", code, errb.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("cognito local did not stop after interrupt")
		}
		if n := strings.Count(out.String(), "\n"); n != 1 {
			t.Errorf("stdout has %d lines; want exactly one", n)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.HasSuffix(s, "\n") {
			var r localReady
			if err := json.Unmarshal([]byte(s), &r); err != nil {
				stop()
				t.Fatalf("ready line %q: %v", s, err)
			}
			return r, &errb, stop
		}
		select {
		case code := <-done:
			t.Fatalf("cognito local exited with %d: %s", code, errb.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	t.Fatal("no ready line")
	return localReady{}, nil, nil
}

func apiFor(endpoint string) *cip.Client {
	return cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
}

func TestLocalDemo(t *testing.T) {
	r := startLocal(t)
	if !strings.HasPrefix(r.Endpoint, "http://127.0.0.1:") || len(r.Pools) != 1 {
		t.Fatalf("ready: %+v", r)
	}
	p := r.Pools[0]
	if p.ID != "us-east-1_cognitokit" || p.Issuer != r.Endpoint+"/us-east-1_cognitokit" || p.JWKSURL != p.Issuer+"/.well-known/jwks.json" {
		t.Errorf("pool: %+v", p)
	}
	if r.PublicURL != r.Endpoint || r.MessagesURL != r.Endpoint+"/_cognitokit/messages" || r.ConsoleURL != r.Endpoint+"/_cognitokit/console/" ||
		r.HealthURL != r.Endpoint+"/_cognitokit/health" || r.LogsURL != r.Endpoint+"/_cognitokit/logs" {
		t.Errorf("ready line URLs: %+v", r)
	}
	if body, err := httpGet(r.LogsURL); err != nil || !strings.Contains(body, `"events":[]`) {
		t.Errorf("logs: %q, %v", body, err)
	}
	if body, err := httpGet(r.HealthURL); err != nil || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("health: %q, %v", body, err)
	}
	if len(p.Clients) != 2 || p.Clients[0].Secret != "" || p.Clients[1].Secret == "" {
		t.Fatalf("clients: %+v; want a public and a confidential client", p.Clients)
	}
	if len(p.Users) != 2 || p.Users[0].Username != "alice" || len(p.Users[0].Groups) != 1 || p.Users[0].Groups[0] != "admin" || len(p.Users[1].Groups) != 0 {
		t.Fatalf("users: %+v", p.Users)
	}
	api := apiFor(r.Endpoint)
	conf := cognitotest.AppClient{ID: p.Clients[1].ID, Secret: p.Clients[1].Secret}
	out, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &conf.ID,
		AuthParameters: map[string]string{"USERNAME": "alice@example.com", "PASSWORD": p.Users[0].Password, "SECRET_HASH": conf.SecretHash("alice@example.com")}})
	if err != nil {
		t.Fatalf("demo sign-in: %v", err)
	}
	u, err := api.GetUser(context.Background(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if err != nil || *u.Username != "alice" {
		t.Fatalf("GetUser: %v", err)
	}
	resp, err := httpGet(p.JWKSURL)
	if err != nil || !strings.Contains(resp, `"RS256"`) {
		t.Errorf("JWKS: %v %q", err, resp)
	}
}

func TestLocalSeed(t *testing.T) {
	dir := t.TempDir()
	seed := `{"pools":[{"id":"eu-west-1_Seeded","clients":[{"id":"seedclient","name":"web","secret":"s3cr3t"}],
	  "users":[{"username":"carol","password":"Carol-Passw0rd!","email":"carol@example.com","groups":["staff"],"alias_email":true},
	           {"username":"dan","password":"Dan-Passw0rd!"}]}]}`
	path := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startLocal(t, "--seed", path)
	p := r.Pools[0]
	if p.ID != "eu-west-1_Seeded" || len(p.Clients) != 1 || p.Clients[0].Secret != "s3cr3t" || len(p.Users) != 2 {
		t.Fatalf("seeded pool: %+v", p)
	}
	api := apiFor(r.Endpoint)
	cl := cognitotest.AppClient{ID: "seedclient", Secret: "s3cr3t"}
	_, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String("seedclient"),
		AuthParameters: map[string]string{"USERNAME": "carol@example.com", "PASSWORD": "Carol-Passw0rd!", "SECRET_HASH": cl.SecretHash("carol@example.com")}})
	if err != nil {
		t.Fatalf("seeded user sign-in: %v", err)
	}
}

func TestLocalErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, seed, want string
	}{
		{"not JSON", `{"pools":`, "not valid JSON"},
		{"unknown field", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","pasword":"x"}]}]}`, `pools[0].users[0].pasword: unknown field`},
		{"wrong type", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":123}]}]}`, `pools[0].users[0].password: want a string`},
		{"bad pool id", `{"pools":[{"id":"nope"}]}`, `pools[0].id: "nope" is not a pool ID`},
		{"missing password", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a"}]}]}`, `pools[0].users[0].password: required`},
		{"weak password", `{"pools":[{"id":"us-east-1_X","users":[{"username":"a","password":"weak"}]}]}`, `pools[0].users[0]: password of "a"`},
		{"duplicate client", `{"pools":[{"id":"us-east-1_X","clients":[{"id":"c"},{"id":"c"}]}]}`, `pools[0].clients[1].id: duplicate client ID`},
		{"no pools", `{}`, `pools: required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			os.WriteFile(path, []byte(tc.seed), 0o600)
			code, stdout, stderr := runCLI(t, "", nil, "local", "--addr", "127.0.0.1:0", "--seed", path)
			if code != exitUsage || stdout != "" {
				t.Errorf("got exit %d, stdout %q; want %d and nothing", code, stdout, exitUsage)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr %q; want one line containing %q", stderr, tc.want)
			}
		})
	}
	for _, args := range [][]string{{"--addr", "nonsense"}, {"--seed", filepath.Join(dir, "missing.json")}, {"extra"}, {"--bogus"}} {
		code, _, stderr := runCLI(t, "", nil, append([]string{"local"}, args...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("local %v: exit %d, stderr %q; want %d", args, code, stderr, exitUsage)
		}
	}
	code, stdout, _ := runCLI(t, "", nil, "local", "--help")
	if code != exitOK || !strings.Contains(stdout, "--seed") || !strings.Contains(stdout, "alias_email") {
		t.Errorf("--help: exit %d, %q", code, stdout)
	}
}

// TestLocalGuard: "cognito local" refuses rebound Host names and admin
// calls from web pages, and --allow-host and --cors-origin open them.
func TestLocalGuard(t *testing.T) {
	const app = "http://localhost:5173"
	r := startLocal(t, "--allow-host", "cognito", "--allow-host", "192.168.1.20", "--cors-origin", app)
	p := r.Pools[0]
	secret := p.Clients[1].Secret
	call := func(host string, hdr map[string]string) (int, string, http.Header) {
		t.Helper()
		body := `{"UserPoolId":"` + p.ID + `","ClientId":"` + p.Clients[1].ID + `"}`
		req, _ := http.NewRequest(http.MethodPost, r.Endpoint+"/", strings.NewReader(body))
		req.Host = host
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPoolClient")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=00")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	for _, host := range []string{"cognito:9229", "192.168.1.20", "localhost", strings.TrimPrefix(r.Endpoint, "http://")} {
		if code, body, _ := call(host, nil); code != 200 || !strings.Contains(body, secret) {
			t.Errorf("Host %s: status %d; want 200", host, code)
		}
	}
	code, body, _ := call("evil.example:9229", nil)
	if code != http.StatusForbidden || strings.Contains(body, secret) || !strings.Contains(body, "--allow-host evil.example") {
		t.Errorf("Host evil.example: status %d, %q; want 403 saying --allow-host evil.example", code, body)
	}
	code, body, hdr := call("localhost", map[string]string{"Origin": app, "Sec-Fetch-Site": "same-site"})
	if code != 200 || !strings.Contains(body, secret) || hdr.Get("Access-Control-Allow-Origin") != app {
		t.Errorf("from --cors-origin %s: status %d, ACAO %q; want 200 readable", app, code, hdr.Get("Access-Control-Allow-Origin"))
	}
	code, body, hdr = call("localhost", map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"})
	if code != http.StatusForbidden || strings.Contains(body, secret) || hdr.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(body, "--cors-origin") {
		t.Errorf("from http://localhost:3000: status %d, %q; want 403 saying --cors-origin", code, body)
	}

	for _, args := range [][]string{
		{"--allow-host", "http://cognito"}, {"--allow-host", "cognito:9229"}, {"--allow-host", ""},
		{"--cors-origin", "*"}, {"--cors-origin", "null"}, {"--cors-origin", "localhost:3000"}, {"--cors-origin", "http://localhost:3000/app"},
	} {
		code, stdout, stderr := runCLI(t, "", nil, append([]string{"local", "--addr", "127.0.0.1:0"}, args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, strings.TrimLeft(args[0], "-")) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("local %v: exit %d, stderr %q; want %d and one line naming %s", args, code, stderr, exitUsage, args[0])
		}
	}
}

func httpGet(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// jsClientDir holds the reference JavaScript client (npm ci there).
var jsClientDir = filepath.Join("..", "..", "cognitotest", "testdata", "jsclient")

// requireNode skips (or, with CI=true, fails) when node or the npm
// packages a JS interop test needs are missing.
func requireNode(t *testing.T, packages ...string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	default:
		for _, pkg := range packages {
			if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", pkg, "package.json")); err != nil {
				missing = "node_modules/" + pkg + " missing: run npm ci --prefix cognitotest/testdata/jsclient"
			}
		}
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("JS interop test cannot run with CI=true: %s", missing)
		}
		t.Skip(missing)
	}
	return node
}

// randomPassword returns a password of 8 to 40 characters that satisfies
// Cognito's default policy.
func randomPassword(r *mrand.Rand) string {
	classes := []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789", "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "}
	n := 8 + r.IntN(33)
	b := make([]byte, 0, n)
	for _, c := range classes {
		b = append(b, c[r.IntN(len(c))])
	}
	all := strings.Join(classes, "")
	for len(b) < n {
		b = append(b, all[r.IntN(len(all))])
	}
	r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	return string(b)
}

// TestLocalJSClientInterop signs in over SRP with the reference client,
// amazon-cognito-identity-js, against "cognito local --negative-salts", by
// username and by email alias: two users with salts the server made, and
// four seeded (password_verifier) with picked salts: 16-byte positive ones
// with and without the top bit that needs a sign byte, -0x80, which is one
// byte in two's complement, and -(2^128-1), whose encoding borrows through
// every byte. The passwords, drawn from a fixed seed
// (COGNITOKIT_TEST_SEED explores others), hold every symbol class of the
// policy. Each sign-in costs about 0.2 s of JavaScript big-integer math,
// so TestJSPadHexMatchesPad checks the padding rules themselves on every
// shape of A, B, S, u and the salt; COGNITOKIT_SOAK=1 adds 100 sign-ins
// with server-made negative salts and 400 with positive ones.
func TestLocalJSClientInterop(t *testing.T) {
	node := requireNode(t, "amazon-cognito-identity-js")
	t.Parallel() // seconds of JS big-integer math: overlap them with the other tests
	r := mrand.New(mrand.NewPCG(testSeed(t, 0x5eed_c0de), 42))
	const poolID = "us-east-1_JsInterop"
	var users []jsUser
	for i := range 2 {
		users = append(users, newJSUser(r, i, ""))
	}
	for _, salt := range []string{
		"80000000000000000000000000000000",  // top bit set: PAD prepends 0x00
		"7a3f9c2e11d04b5f8e6a2c1d9b0f3e47",  // top bit clear
		"-80",                               // PAD is the single byte 0x80
		"-ffffffffffffffffffffffffffffffff", // PAD is ff00...01
	} {
		users = append(users, newJSUser(r, len(users), salt))
	}
	var attempts []jsAttempt
	for i, u := range users {
		attempts = append(attempts, u.attempt(i%2 == 1))
	}
	if soak() {
		for range 100 {
			u := newJSUser(r, len(users), "")
			users = append(users, u)
			attempts = append(attempts, u.attempt(r.IntN(2) == 0))
		}
	}
	t.Run("picked and server-made negative salts", func(t *testing.T) {
		t.Parallel()
		jsSignIns(t, node, poolID, users, attempts, "--negative-salts")
	})
	if soak() {
		var users []jsUser
		var attempts []jsAttempt
		for i := range 40 {
			users = append(users, newJSUser(r, i, ""))
		}
		for range 400 {
			attempts = append(attempts, users[r.IntN(len(users))].attempt(r.IntN(2) == 0))
		}
		t.Run("server-made positive salts", func(t *testing.T) {
			t.Parallel()
			jsSignIns(t, node, poolID, users, attempts)
		})
	}
}

// TestJSPadHexMatchesPad: the reference JavaScript client encodes integers
// for SRP's hashes (PAD of A, B, S, u and the salt) exactly as
// internal/srp's Pad does, for every shape a sign-in meets only by chance:
// both signs; the lengths around 1, 2, 4, 16 (salts), 32 (u) and 384
// (A, B and S) bytes; powers of two (-0x80 is one byte in two's
// complement), all-ones values, and seeded random ones.
func TestJSPadHexMatchesPad(t *testing.T) {
	node := requireNode(t, "amazon-cognito-identity-js")
	t.Parallel()
	r := mrand.New(mrand.NewPCG(testSeed(t, 0x9add), 1))
	random := func(bits int) *big.Int { // exactly bits long
		b := make([]byte, (bits+7)/8)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		v := new(big.Int).SetBytes(b)
		v.Rsh(v, uint(8*len(b)-bits))
		return v.SetBit(v, bits-1, 1)
	}
	values := []*big.Int{new(big.Int)}
	for _, bits := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 25, 31, 32, 33, 63, 64, 65, 120, 127, 128, 129, 136,
		240, 247, 248, 249, 255, 256, 257, 3056, 3063, 3064, 3065, 3071, 3072, 3073} {
		one := big.NewInt(1)
		pow := new(big.Int).Lsh(one, uint(bits-1))
		for _, v := range []*big.Int{pow, new(big.Int).Add(pow, one), new(big.Int).Sub(new(big.Int).Lsh(pow, 1), one), random(bits)} {
			values = append(values, v, new(big.Int).Neg(v))
		}
	}
	for range 300 {
		v := random(1 + r.IntN(3072))
		if r.IntN(2) == 0 {
			v.Neg(v)
		}
		values = append(values, v)
	}
	in := make([]string, len(values))
	for i, v := range values {
		in[i] = v.Text(16)
	}
	js, _ := json.Marshal(in)
	abs, err := filepath.Abs(filepath.Join(jsClientDir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "padhex.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+abs)
	cmd.Stdin = bytes.NewReader(js)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node padhex.js: %v\n%s", err, stderr.String())
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(values) {
		t.Fatalf("node padhex.js: %d results, %v; want %d", len(got), err, len(values))
	}
	for i, v := range values {
		if want := hex.EncodeToString(srp.Pad(v)); got[i] != want {
			t.Errorf("padHex(%s): got %s; want %s (internal/srp's Pad)", in[i], got[i], want)
		}
	}
}

// jsUser is a user of TestLocalJSClientInterop: with a password, or, when
// salt is set, seeded with the password's verifier for that salt.
type jsUser struct{ username, email, password, salt string }

// jsAttempt is one sign-in of signin.js: login is the username or the
// alias; username is the internal username it must end with.
type jsAttempt struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Username string `json:"username"`
}

func newJSUser(r *mrand.Rand, i int, salt string) jsUser {
	return jsUser{username: fmt.Sprintf("u%02d-%x", i, r.Uint32()), email: fmt.Sprintf("%x.%d@example.com", r.Uint64(), i), password: randomPassword(r), salt: salt}
}

func (u jsUser) attempt(byAlias bool) jsAttempt {
	login := u.username
	if byAlias {
		login = u.email
	}
	return jsAttempt{Login: login, Password: u.password, Username: u.username}
}

// jsSignIns seeds "cognito local args..." with users and runs attempts
// with signin.js, in one Node process: every one must succeed.
func jsSignIns(t *testing.T, node, poolID string, users []jsUser, attempts []jsAttempt, args ...string) {
	t.Helper()
	var seedUsers []map[string]any
	for _, u := range users {
		su := map[string]any{"username": u.username, "email": u.email, "alias_email": true}
		if u.salt == "" {
			su["password"] = u.password
		} else {
			salt, err := srp.ParseHex(u.salt)
			if err != nil {
				t.Fatal(err)
			}
			v := srp.Verifier(srp.PoolName(poolID), u.username, u.password, salt)
			su["password_verifier"] = map[string]string{"salt": u.salt, "verifier": v.Text(16)}
		}
		seedUsers = append(seedUsers, su)
	}
	seed, _ := json.Marshal(map[string]any{"pools": []any{map[string]any{"id": poolID,
		"clients": []any{map[string]any{"id": "jsinteropclient", "name": "js"}}, "users": seedUsers}}})
	dir := t.TempDir()
	seedPath := filepath.Join(dir, "seed.json")
	os.WriteFile(seedPath, seed, 0o600)
	ready := startLocal(t, append([]string{"--seed", seedPath}, args...)...)

	cfg, _ := json.Marshal(map[string]any{"endpoint": ready.Endpoint + "/", "poolId": poolID, "clientId": "jsinteropclient", "attempts": attempts})
	cfgPath := filepath.Join(dir, "config.json")
	os.WriteFile(cfgPath, cfg, 0o600)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "signin.js", cfgPath)
	cmd.Dir = jsClientDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node signin.js: %v\n%s", err, stderr.String())
	}
	var res struct {
		OK       int      `json:"ok"`
		Failures int      `json:"failures"`
		Errors   []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	if res.OK != len(attempts) || res.Failures != 0 {
		t.Errorf("JS client: %d ok, %d failures of %d; want all ok; first errors: %v", res.OK, res.Failures, len(attempts), res.Errors)
	}
}

// testSeed returns the seed of a randomized test: fixed, so that every run
// checks the same inputs, unless COGNITOKIT_TEST_SEED sets another one to
// explore. The seed is logged, to reproduce a failure.
func testSeed(t *testing.T, fixed uint64) uint64 {
	t.Helper()
	seed := fixed
	if s := os.Getenv("COGNITOKIT_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("COGNITOKIT_TEST_SEED=%q: want an unsigned integer", s)
		}
		seed = v
	}
	t.Logf("seed %d (set COGNITOKIT_TEST_SEED to change it)", seed)
	return seed
}

// soak reports whether COGNITOKIT_SOAK asks for the long runs of the
// randomized tests.
func soak() bool { return os.Getenv("COGNITOKIT_SOAK") != "" }

// --alb-target: the ready line names the ALB, which guards the target.
func TestLocalALB(t *testing.T) {
	var seen http.Header
	target := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		io.WriteString(w, "target")
	}))
	for mode, status := range map[string]int{"deny": 401, "allow": 200} {
		r := startLocal(t, "--alb-target", target, "--alb-addr", "127.0.0.1:0", "--alb-unauthenticated", mode)
		a := r.ALB
		if a == nil || !strings.HasPrefix(a.URL, "http://127.0.0.1:") || !strings.HasPrefix(a.ARN, "arn:aws:elasticloadbalancing:us-east-1:") ||
			a.KeyURL != r.Endpoint+"/alb/keys" || a.Issuer != r.Pools[0].Issuer || a.ClientID == "" {
			t.Fatalf("%s: alb %+v", mode, a)
		}
		req, _ := http.NewRequest("GET", a.URL+"/x", nil)
		req.Header.Set("X-Amzn-Oidc-Identity", "admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("%s: %d; want %d", mode, resp.StatusCode, status)
		}
		if mode == "allow" && (seen == nil || seen.Get("X-Amzn-Oidc-Identity") != "") {
			t.Errorf("allow: the target saw %v; the forged identity must be removed", seen)
		}
	}
	var out, errb syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" },
		localOptions: []cognitotest.Option{cognitotest.WithSigningKeys(testkeys.RSA2048(6)...)}}
	code := runMain(context.Background(), e, []string{"local", "--addr", "127.0.0.1:0", "--alb-target", "http://127.0.0.1:1", "--alb-unauthenticated", "maybe"})
	if code != exitUsage || !strings.Contains(errb.String(), "authenticate, deny or allow") {
		t.Errorf("bad mode: exit %d, %q", code, errb.String())
	}
}

func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := &http.Server{Handler: h}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
