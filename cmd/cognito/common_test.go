package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/srpclient"
	"github.com/cognitokit/cognitokit/verifier"
)

// cliFixture is an emulator with the demo pool of "cognito local" plus app
// clients for refresh-token rotation and disabled revocation.
type cliFixture struct {
	srv          *cognitotest.Server
	pool         *cognitotest.Pool
	seed         *cognitotest.Seed
	public       cognitotest.AppClient
	confidential cognitotest.AppClient
	rotating     cognitotest.AppClient
	noRevoke     cognitotest.AppClient
}

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	f := &cliFixture{srv: cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))}
	f.seed = f.srv.DemoSeed()
	pools, err := f.srv.ApplySeed(f.seed)
	if err != nil {
		t.Fatal(err)
	}
	f.pool = pools[0]
	f.public, _ = f.pool.Client(cognitotest.DemoPublicClientID)
	f.confidential, _ = f.pool.Client(cognitotest.DemoConfidentialClientID)
	f.rotating = f.pool.MustCreateClient(cognitotest.ClientConfig{Name: "rotating", RefreshTokenRotation: true})
	f.noRevoke = f.pool.MustCreateClient(cognitotest.ClientConfig{Name: "no-revoke", DisableTokenRevocation: true})
	return f
}

// environ returns the environment of a CLI run against the emulator with
// the given app client.
func (f *cliFixture) environ(c cognitotest.AppClient) map[string]string {
	return map[string]string{
		envEndpoint:     f.srv.URL(),
		envPoolID:       f.pool.ID(),
		envClientID:     c.ID,
		envClientSecret: c.Secret,
	}
}

// signIn signs a demo user in through app client c over SRP.
func (f *cliFixture) signIn(t *testing.T, c cognitotest.AppClient, username string) *srpclient.Tokens {
	t.Helper()
	sc, err := srpclient.New(srpclient.Config{API: cip.NewFromConfig(f.srv.AWSConfig()), UserPoolID: f.pool.ID(), ClientID: c.ID, ClientSecret: c.Secret})
	if err != nil {
		t.Fatal(err)
	}
	var pw string
	for _, u := range f.seed.Pools[0].Users {
		if u.Username == username {
			pw = u.Password
		}
	}
	res, err := sc.SignIn(context.Background(), srpclient.SignInInput{Username: username, Password: pw})
	if err != nil || !res.Done() {
		t.Fatalf("sign-in of %s: %v", username, err)
	}
	return res.Tokens
}

// verify verifies an access token of the fixture's pool issued to client.
func (f *cliFixture) verify(t *testing.T, client, token string) *verifier.Claims {
	t.Helper()
	v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: f.pool.ID(), ClientIDs: []string{client}, TokenUse: verifier.TokenUseAny, Issuer: f.pool.Issuer()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return c
}

// decodeTokens parses the JSON output of token and refresh.
func decodeTokens(t *testing.T, stdout string) tokenOutput {
	t.Helper()
	var out tokenOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	return out
}

// oneLine checks that stderr is a single line containing every want.
func oneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	s := strings.TrimRight(stderr, "\n")
	if s == "" || strings.Contains(s, "\n") {
		t.Errorf("stderr %q: want exactly one line", stderr)
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("stderr %q lacks %q", s, w)
		}
	}
}

// deadEndpoint returns the URL of a loopback port nobody listens on.
func deadEndpoint(t *testing.T) string {
	t.Helper()
	srv := cognitotest.NewServer(nil, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	u := srv.URL()
	srv.Close()
	return u
}

// TestCommandConventions checks the conventions of every registered
// command: --help prints usage, flags and examples and exits 0; an unknown
// flag is a one-line error with exit 2.
func TestCommandConventions(t *testing.T) {
	for name, c := range commands {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", nil, name, "--help")
			if code != exitOK {
				t.Errorf("--help: got exit %d; want 0 (stderr %q)", code, stderr)
			}
			for _, want := range []string{"Usage: cognito " + name, "Flags:", "Examples:\n"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("--help output lacks %q", want)
				}
			}
			if _, ex, _ := strings.Cut(stdout, "Examples:\n"); !strings.Contains(ex, "cognito "+name) {
				t.Errorf("--help examples do not show 'cognito %s'", name)
			}
			if c.summary == "" {
				t.Error("no summary for 'cognito help'")
			}
			code, _, stderr = runCLI(t, "", nil, name, "--no-such-flag")
			if code != exitUsage {
				t.Errorf("bad flag: got exit %d; want %d", code, exitUsage)
			}
			oneLine(t, stderr, "cognito "+name+":", "no-such-flag")
		})
	}
}

// TestSharedFlags checks that the commands of this file set take the same
// flags and environment variables.
func TestSharedFlags(t *testing.T) {
	want := map[string][]string{
		"token":   {"--user-pool-id", "--client-id", "--client-secret", "--endpoint", "--domain", "--output", "--timeout", envPoolID, envClientID, envClientSecret, envEndpoint, envDomain},
		"refresh": {"--user-pool-id", "--client-id", "--client-secret", "--endpoint", "--region", "--domain", "--output", "--timeout", envPoolID, envClientID, envClientSecret, envEndpoint, envRegion, envDomain},
		"revoke":  {"--user-pool-id", "--client-id", "--client-secret", "--endpoint", "--region", "--domain", "--timeout", envPoolID, envClientID, envClientSecret, envEndpoint, envRegion},
		"whoami":  {"--endpoint", "--region", "--output", "--timeout", envAccessToken, envRegion},
	}
	for name, flags := range want {
		_, stdout, _ := runCLI(t, "", nil, name, "--help")
		for _, f := range flags {
			// PrintDefaults writes "-flag"; the usage text "--flag".
			if !strings.Contains(stdout, strings.TrimPrefix(f, "-")) {
				t.Errorf("%s --help does not mention %s", name, f)
			}
		}
	}
}

func TestValidateFlags(t *testing.T) {
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		want    string
	}{
		{"no pool", nil, []string{"revoke", "--client-id", "c", "rt"}, "--user-pool-id is required (or set COGNITO_USER_POOL_ID)"},
		{"no client", map[string]string{envPoolID: "us-east-1_X"}, []string{"refresh", "rt"}, "--client-id is required (or set COGNITO_CLIENT_ID)"},
		{"bad pool", nil, []string{"revoke", "--user-pool-id", "nounderscore", "--client-id", "c", "rt"}, "not a user pool ID"},
		{"bad endpoint", nil, []string{"whoami", "--endpoint", "ftp://x", "tok"}, "want an http:// or https:// URL"},
		{"endpoint with query", nil, []string{"whoami", "--endpoint", "http://127.0.0.1:1/?a=b", "tok"}, "without query"},
		{"bad region", nil, []string{"refresh", "--user-pool-id", "us-east-1_X", "--client-id", "c", "--region", "mars", "rt"}, "not an AWS region"},
		{"bad output", nil, []string{"token", "--user-pool-id", "us-east-1_X", "--client-id", "c", "--client-secret", "s", "--output", "xml"}, `--output "xml": want json, env, token`},
		{"bad timeout", nil, []string{"whoami", "--timeout", "-1s", "tok"}, "--timeout must be positive"},
		{"two tokens", nil, []string{"whoami", "--region", "us-east-1", "a", "b"}, "expected one access token, got 2 arguments"},
		{"no domain", nil, []string{"token", "--user-pool-id", "us-east-1_X", "--client-id", "c", "--client-secret", "s"}, "--domain is required (or set COGNITO_DOMAIN)"},
		{"token argument", nil, []string{"token", "orders/read"}, `unexpected argument "orders/read"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.environ, tc.args...)
			if code != exitUsage {
				t.Errorf("got exit %d; want %d (stderr %q)", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q; want nothing", stdout)
			}
			oneLine(t, stderr, tc.want)
		})
	}
}

func TestReadCredential(t *testing.T) {
	access := func(in *credentialInput) string { return in.AccessToken }
	tests := []struct {
		name, stdin string
		pos         []string
		environ     map[string]string
		want        string
		wantUser    string
		wantErr     string
	}{
		{name: "argument", pos: []string{"abc"}, want: "abc"},
		{name: "argument with Bearer", pos: []string{"Bearer abc"}, want: "abc"},
		{name: "argument beats env", pos: []string{"abc"}, environ: map[string]string{envAccessToken: "env"}, want: "abc"},
		{name: "env beats stdin", stdin: "stdin", environ: map[string]string{envAccessToken: "env"}, want: "env"},
		{name: "dash reads stdin", pos: []string{"-"}, stdin: " tok\n", environ: map[string]string{envAccessToken: "env"}, want: "tok"},
		{name: "stdin", stdin: "tok\n", want: "tok"},
		{name: "stdin JSON", stdin: `{"access_token":"a","refresh_token":"r","username":"u"}`, want: "a", wantUser: "u"},
		{name: "stdin JSON without field", stdin: `{"refresh_token":"r"}`, wantErr: `has no "access_token"`},
		{name: "stdin bad JSON", stdin: `{"access_token":`, wantErr: "does not parse"},
		{name: "stdin two tokens", stdin: "a b", wantErr: "more than one value"},
		{name: "empty", stdin: " \n", wantErr: "no access token: give it as an argument, on standard input or in COGNITO_ACCESS_TOKEN"},
		{name: "oversized", stdin: strings.Repeat("a", maxCredential+1), wantErr: "larger than"},
		{name: "oversized argument", pos: []string{strings.Repeat("a", maxCredential+1)}, wantErr: "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{stdin: strings.NewReader(tc.stdin), getenv: func(k string) string { return tc.environ[k] }}
			got, in, err := readCredential(e, tc.pos, envAccessToken, access)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if tc.wantUser != "" && (in == nil || in.Username != tc.wantUser) {
				t.Errorf("got input %+v; want username %q", in, tc.wantUser)
			}
		})
	}
}

func TestWriteTokens(t *testing.T) {
	at := time.Date(2026, 3, 5, 14, 7, 9, 500, time.UTC)
	tok := tokenOutput{AccessToken: "acc", IDToken: "id", RefreshToken: "it's", ExpiresIn: 60, ExpiresAt: at, Username: "bob"}
	var b bytes.Buffer
	if err := writeTokens(&b, "env", tok); err != nil {
		t.Fatal(err)
	}
	want := "export COGNITO_ACCESS_TOKEN='acc'\nexport COGNITO_ID_TOKEN='id'\nexport COGNITO_REFRESH_TOKEN='it'\\''s'\n" +
		"export COGNITO_TOKEN_EXPIRES_AT='2026-03-05T14:07:09Z'\nexport COGNITO_USERNAME='bob'\n"
	if b.String() != want {
		t.Errorf("env: got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	writeTokens(&b, "token", tok)
	if b.String() != "acc\n" {
		t.Errorf("token: got %q; want %q", b.String(), "acc\n")
	}
	b.Reset()
	writeTokens(&b, "json", tok)
	var back tokenOutput
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.AccessToken != "acc" || back.TokenType != "Bearer" || !back.ExpiresAt.Equal(at.Truncate(time.Second)) {
		t.Errorf("json: got %+v, %v", back, err)
	}
}

func TestRegionOfIssuer(t *testing.T) {
	mk := func(iss string) string {
		p, _ := json.Marshal(map[string]string{"iss": iss})
		return "e30." + base64.RawURLEncoding.EncodeToString(p) + ".sig"
	}
	tests := []struct{ tok, want string }{
		{mk("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"), "eu-west-1"},
		{mk("https://issuer-cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC"), "us-gov-west-1"},
		{mk("https://cognito-idp.evil.example.com/x"), ""},
		{mk("http://127.0.0.1:9229/us-east-1_X"), ""},
		{"not.a.token", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := regionOfIssuer(tc.tok); got != tc.want {
			t.Errorf("regionOfIssuer(%q) = %q; want %q", tc.tok, got, tc.want)
		}
	}
}

// FuzzReadCredential feeds arbitrary standard input to the credential
// reader: no panics, and a token it returns is never empty nor holds
// whitespace.
func FuzzReadCredential(f *testing.F) {
	for _, s := range []string{"tok", `{"access_token":"a"}`, `{"access_token":1}`, "Bearer x", " \n", "a b", `{"refresh_token":"r","username":"u"}`, "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stdin string) {
		e := &env{stdin: strings.NewReader(stdin), getenv: func(string) string { return "" }}
		tok, _, err := readCredential(e, nil, envAccessToken, func(in *credentialInput) string { return in.AccessToken })
		if err == nil && (tok == "" || strings.ContainsAny(tok, " \t\r\n")) {
			t.Fatalf("accepted token %q", tok)
		}
		regionOfIssuer(stdin)
	})
}

// TestREADMEChain runs the CLI session of the repository's README ("The
// commands chain:") in-process against an emulator with the demo pool, the
// way a shell would: export lines set the environment (the endpoint is the
// emulator's), "> file" and "< file" go through an in-memory file system,
// "echo 'x' |" feeds standard input, "A && B" runs B only when A exits 0, and
// a trailing "# exit N" is the exit status the line must end with.
func TestREADMEChain(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "The commands chain:\n\n```sh\n")
	if !ok {
		t.Fatal(`README.md has no "The commands chain:" block`)
	}
	block, _, _ := strings.Cut(after, "```")

	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	if _, err := srv.ApplySeed(srv.DemoSeed()); err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{}
	files := map[string]string{}
	exitRE := regexp.MustCompile(`#\s*exit (\d+)`)
	ran := 0
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		want := 0
		if m := exitRE.FindStringSubmatch(line); m != nil {
			want, _ = strconv.Atoi(m[1])
		}
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "cognito local &":
			continue // the emulator above stands in for it
		case strings.HasPrefix(line, "export "):
			for _, kv := range strings.Fields(strings.TrimPrefix(line, "export ")) {
				k, v, _ := strings.Cut(kv, "=")
				environ[k] = v
			}
			environ[envEndpoint] = srv.URL()
			continue
		}
		cmds := strings.Split(line, "&&")
		code := 0
		for i, c := range cmds {
			code = runShellish(t, environ, files, strings.TrimSpace(c))
			ran++
			if i < len(cmds)-1 && code != 0 {
				t.Fatalf("README %q: %q exited %d", line, c, code)
			}
		}
		if code != want {
			t.Errorf("README %q: exit %d; want %d", line, code, want)
		}
	}
	if ran < 5 {
		t.Errorf("ran %d commands of the README chain; want at least 5", ran)
	}
}

// runShellish runs one "[echo 'IN' |] cognito ARGS [< FILE] [> FILE]".
func runShellish(t *testing.T, environ, files map[string]string, c string) int {
	t.Helper()
	stdin := ""
	if in, rest, ok := strings.Cut(c, "|"); ok {
		in = strings.TrimSpace(in)
		if !strings.HasPrefix(in, "echo '") || !strings.HasSuffix(in, "'") {
			t.Fatalf("unsupported pipe source %q", in)
		}
		stdin = strings.TrimSuffix(strings.TrimPrefix(in, "echo '"), "'") + "\n"
		c = strings.TrimSpace(rest)
	}
	out := ""
	if cmd, file, ok := strings.Cut(c, ">"); ok {
		c, out = strings.TrimSpace(cmd), strings.TrimSpace(file)
	}
	if cmd, file, ok := strings.Cut(c, "<"); ok {
		c = strings.TrimSpace(cmd)
		s, ok := files[strings.TrimSpace(file)]
		if !ok {
			t.Fatalf("%q reads %s, which no earlier line wrote", c, file)
		}
		stdin = s
	}
	args := strings.Fields(c)
	if len(args) == 0 || args[0] != "cognito" {
		t.Fatalf("unsupported README line %q", c)
	}
	code, stdout, stderr := runCLI(t, stdin, environ, args[1:]...)
	if out != "" {
		files[out] = stdout
	}
	t.Logf("%s -> exit %d %s", c, code, strings.TrimSpace(stderr))
	return code
}
