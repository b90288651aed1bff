package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
	"github.com/cognitokit/cognitokit/verifier"
)

type loginEnv struct {
	srv  *cognitotest.Server
	pool *cognitotest.Pool
	app  cognitotest.AppClient
}

func newLoginEnv(t *testing.T, pc cognitotest.PoolConfig, cc cognitotest.ClientConfig) *loginEnv {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pc.PasswordPolicy = &cognitotest.PasswordPolicy{MinimumLength: 6}
	pool := srv.MustCreatePool(pc)
	return &loginEnv{srv: srv, pool: pool, app: pool.MustCreateClient(cc)}
}

func (le *loginEnv) args(extra ...string) []string {
	a := []string{"login", "--endpoint", le.srv.URL(), "--user-pool-id", le.pool.ID(), "--client-id", le.app.ID}
	return append(a, extra...)
}

// scripted answers prompts in order and records the labels.
type scripted struct {
	answers []func(label string) string
	labels  []string
}

func (s *scripted) prompt(label string, _ bool) (string, error) {
	s.labels = append(s.labels, label)
	if len(s.answers) == 0 {
		return "", fmt.Errorf("unexpected prompt %q", label)
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a(label), nil
}

func answer(v string) func(string) string { return func(string) string { return v } }

// runLoginWith runs the login command with a scripted terminal.
func runLoginWith(t *testing.T, stdin string, environ map[string]string, tty loginPrompter, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	code := runLogin(context.Background(), e, args[1:], tty)
	return code, out.String(), errb.String()
}

func TestLoginUsage(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no pool", []string{"login", "--client-id", "c", "--username", "u", "--password-stdin"}, "--user-pool-id is required"},
		{"no client", []string{"login", "--user-pool-id", "us-east-1_X", "--username", "u", "--password-stdin"}, "--client-id is required"},
		{"no username", le.args("--password-stdin"), "--username is required"},
		{"bad flow", le.args("--username", "u", "--password-stdin", "--flow", "magic"), "--flow"},
		{"bad output", le.args("--username", "u", "--password-stdin", "--output", "xml"), "--output"},
		{"bad endpoint", le.args("--username", "u", "--password-stdin", "--endpoint", "ftp://x"), "--endpoint"},
		{"bad region", le.args("--username", "u", "--password-stdin", "--region", "mars"), "--region"},
		{"positional", le.args("--username", "u", "--password-stdin", "extra"), "unexpected arguments"},
		{"unknown flag", le.args("--username", "u", "--nope"), "flag provided but not defined"},
		{"no terminal", le.args("--username", "u"), "--password-stdin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "pw\n", nil, tc.args...)
			if code != exitUsage {
				t.Errorf("exit: got %d; want %d (stderr %q)", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("stderr %q lacks %q (stdout %q)", stderr, tc.want, stdout)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("error is %d lines; want one", n+1)
			}
		})
	}
	code, stdout, _ := runCLI(t, "", nil, "login", "--help")
	if code != exitOK || !strings.Contains(stdout, "--password-stdin") || !strings.Contains(stdout, "Examples:") {
		t.Errorf("--help: exit %d, stdout %q", code, stdout)
	}
}

func TestLoginPasswordStdin(t *testing.T) {
	for _, secret := range []bool{false, true} {
		le := newLoginEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}}, cognitotest.ClientConfig{GenerateSecret: secret})
		u := le.pool.MustCreateUser(cognitotest.UserConfig{Email: "cli@example.com", Password: "Pässwort-1"})
		environ := map[string]string{"COGNITO_CLIENT_SECRET": le.app.Secret}
		for _, flow := range []string{"srp", "password", "user-auth"} {
			t.Run(fmt.Sprintf("secret=%v/%s", secret, flow), func(t *testing.T) {
				code, stdout, stderr := runCLI(t, "Pässwort-1\n", environ, le.args("--username", "cli@example.com", "--password-stdin", "--flow", flow)...)
				if code != exitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				var out tokenOutput
				if err := json.Unmarshal([]byte(stdout), &out); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
				}
				if out.AccessToken == "" || out.IDToken == "" || out.RefreshToken == "" || out.Username != u.Username || out.ExpiresIn < 3500 {
					t.Errorf("output: %+v", out)
				}
			})
		}
		code, stdout, stderr := runCLI(t, "wrong-password\n", environ, le.args("--username", "cli@example.com", "--password-stdin")...)
		if code != exitFailure || stdout != "" || strings.Contains(stderr, "wrong-password") {
			t.Errorf("wrong password: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		// One line a person can act on, naming the other cause SRP cannot
		// tell apart, without the SDK's request details.
		oneLine(t, stderr, "cognito login: incorrect username or password; with SRP a wrong --user-pool-id is refused the same way")
		for _, noise := range []string{"https response error", "StatusCode", "RequestID", "operation error"} {
			if strings.Contains(stderr, noise) {
				t.Errorf("wrong password: stderr %q contains the SDK's %q", stderr, noise)
			}
		}
		// --verbose adds the SDK's chain.
		_, _, verbose := runCLI(t, "wrong-password\n", environ, le.args("--username", "cli@example.com", "--password-stdin", "--verbose")...)
		if !strings.Contains(verbose, "incorrect username or password") || !strings.Contains(verbose, "cause: ") || !strings.Contains(verbose, "NotAuthorizedException") {
			t.Errorf("wrong password with --verbose: stderr %q; want the line and the SDK's chain", verbose)
		}
	}
}

func TestLoginEnvOutput(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "envy", Password: "pw-envy"})
	code, stdout, stderr := runCLI(t, "pw-envy\r\n", map[string]string{"COGNITO_ENDPOINT": le.srv.URL(), "COGNITO_USER_POOL_ID": le.pool.ID(), "COGNITO_CLIENT_ID": le.app.ID},
		"login", "--username", "envy", "--password-stdin", "--output", "env")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	re := regexp.MustCompile(`^export COGNITO_[A-Z_]+='[^']*'$`)
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if !re.MatchString(line) {
			t.Errorf("line %q is not an export line", line)
		}
	}
	for _, v := range []string{"COGNITO_ACCESS_TOKEN=", "COGNITO_ID_TOKEN=", "COGNITO_REFRESH_TOKEN=", "COGNITO_USERNAME='envy'"} {
		if !strings.Contains(stdout, v) {
			t.Errorf("output lacks %s", v)
		}
	}
	if got := quoteShell("it's"); got != `'it'\''s'` {
		t.Errorf("quoteShell: got %s", got)
	}
}

func TestLoginEnvironmentAndTokenOutput(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{UsernameAttributes: []string{"email"}}, cognitotest.ClientConfig{})
	u := le.pool.MustCreateUser(cognitotest.UserConfig{Email: "tok@example.com", Password: "pw-tok-1"})
	environ := map[string]string{
		envEndpoint: le.srv.URL(), envPoolID: le.pool.ID(), envClientID: le.app.ID,
		envUsername: "tok@example.com", envRegion: "eu-west-3",
	}
	verify := func(t *testing.T, tok string) {
		t.Helper()
		v, err := verifier.New(verifier.Config{Pools: []verifier.Pool{{UserPoolID: le.pool.ID(), ClientIDs: []string{le.app.ID},
			TokenUse: verifier.TokenUseAccess, Issuer: le.pool.Issuer(), JWKSURL: le.pool.JWKSURL()}}})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("the printed token does not verify: %v", err)
		}
		if c.Username != u.Username {
			t.Errorf("got username %q; want %q", c.Username, u.Username)
		}
	}

	t.Run("username from COGNITO_USERNAME, --output token", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "pw-tok-1\n", environ, "login", "--password-stdin", "--output", "token")
		if code != exitOK {
			t.Fatalf("got exit %d (stderr %q); want 0", code, stderr)
		}
		if strings.Count(stdout, "\n") != 1 || strings.HasPrefix(stdout, "{") {
			t.Fatalf("got stdout %q; want the access token alone on one line", stdout)
		}
		verify(t, strings.TrimSpace(stdout))
	})
	t.Run("--username wins over COGNITO_USERNAME", func(t *testing.T) {
		env2 := map[string]string{}
		for k, v := range environ {
			env2[k] = v
		}
		env2[envUsername] = "nobody@example.com"
		code, stdout, stderr := runCLI(t, "pw-tok-1\n", env2, "login", "--password-stdin", "--username", "tok@example.com", "--output", "token")
		if code != exitOK {
			t.Fatalf("got exit %d (stderr %q); want 0", code, stderr)
		}
		verify(t, strings.TrimSpace(stdout))
	})
	t.Run("region from AWS_REGION", func(t *testing.T) {
		// The emulator does not care about the region, so look at what the
		// SDK signs for: a bad AWS_REGION is refused before any request,
		// which shows that it is read, and a good one reaches the endpoint.
		env2 := map[string]string{}
		for k, v := range environ {
			env2[k] = v
		}
		env2[envRegion] = "not a region"
		code, stdout, stderr := runCLI(t, "pw-tok-1\n", env2, "login", "--password-stdin")
		if code != exitUsage || stdout != "" {
			t.Fatalf("got exit %d, stdout %q; want %d", code, stdout, exitUsage)
		}
		oneLine(t, stderr, "--region", envRegion)
		lf := loginFlags{connFlags: &connFlags{fields: cfPool | cfClient | cfRegion, poolID: "us-east-1_AbC", clientID: "c", region: "eu-west-3", timeout: time.Minute, getenv: func(string) string { return "" }}, username: "u", flow: "srp"}
		if err := lf.validate(0); err != nil || lf.region != "eu-west-3" {
			t.Errorf("got region %q, err %v; want eu-west-3 (AWS_REGION before the pool ID's prefix)", lf.region, err)
		}
		if api, err := lf.api(); err != nil || api.Options().Region != "eu-west-3" {
			t.Errorf("got SDK client region %v, err %v; want eu-west-3", api.Options().Region, err)
		}
		lf.region = ""
		if err := lf.validate(0); err != nil || lf.region != "us-east-1" {
			t.Errorf("got region %q, err %v; want the pool ID's prefix us-east-1", lf.region, err)
		}
	})
	t.Run("help names the environment variables", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "", nil, "login", "--help")
		if code != exitOK {
			t.Fatalf("got exit %d; want 0", code)
		}
		for _, v := range []string{"env " + envUsername, "env " + envRegion, "env " + envPoolID, "env " + envClientID, "env " + envEndpoint, "json, env, token", "(default 2m0s)"} {
			if !strings.Contains(stdout, v) {
				t.Errorf("help lacks %q", v)
			}
		}
	})
}

func TestLoginChallengeWithoutTerminal(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "mfa", Password: "pw-mfa", PhoneNumber: "+15555550100", SMSMFA: true})
	code, stdout, stderr := runCLI(t, "pw-mfa\n", nil, le.args("--username", "mfa", "--password-stdin")...)
	if code != exitFailure || stdout != "" || !strings.Contains(stderr, "SMS_MFA") || !strings.Contains(stderr, "no terminal") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestLoginPrompts(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, RequiredAttributes: []string{"name"}}, cognitotest.ClientConfig{GenerateSecret: true})
	environ := map[string]string{"COGNITO_CLIENT_SECRET": le.app.Secret}
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "sms", Password: "pw-sms", PhoneNumber: "+15555550101", SMSMFA: true, Attributes: map[string]string{"name": "S"}})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "temp", TemporaryPassword: "Temp-pw-1"})

	t.Run("password and SMS code from the terminal", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{
			answer("pw-sms"),
			answer("12ab"), // rejected locally: prompted again
			func(string) string { // a wrong code: prompted again
				if le.srv.LastCode("sms", cognitotest.MsgSMSMFA) == "000000" {
					return "111111"
				}
				return "000000"
			},
			func(string) string { return le.srv.LastCode("sms", cognitotest.MsgSMSMFA) },
		}}
		code, stdout, stderr := runLoginWith(t, "", environ, tty, le.args("--username", "sms")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if len(tty.labels) != 4 || tty.labels[0] != "Password: " || !strings.Contains(tty.labels[3], "SMS code") {
			t.Errorf("prompts: %q", tty.labels)
		}
		if strings.Count(stderr, "not accepted") != 2 {
			t.Errorf("stderr %q: want two retry messages", stderr)
		}
		if !strings.Contains(stdout, "access_token") {
			t.Errorf("stdout %q", stdout)
		}
	})
	t.Run("new password", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{answer("Temp-pw-1"), answer("Perm-pw-2"), answer("Perm-pw-2"), answer("Tem Porary")}}
		code, _, stderr := runLoginWith(t, "", environ, tty, le.args("--username", "temp")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s (prompts %q)", code, stderr, tty.labels)
		}
		if !strings.Contains(tty.labels[3], "name") {
			t.Errorf("prompts: %q", tty.labels)
		}
	})
	t.Run("mismatched new passwords", func(t *testing.T) {
		le.pool.MustCreateUser(cognitotest.UserConfig{Username: "temp2", TemporaryPassword: "Temp-pw-1"})
		tty := &scripted{answers: []func(string) string{answer("Temp-pw-1"), answer("a-pw-1"), answer("b-pw-2")}}
		code, _, stderr := runLoginWith(t, "", environ, tty, le.args("--username", "temp2")...)
		if code != exitFailure || !strings.Contains(stderr, "do not match") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}

func TestLoginTOTPSetupQR(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOn}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "qr", Password: "pw-qr-1"})
	var errb bytes.Buffer
	totp := func(string) string {
		m := regexp.MustCompile(`Secret: ([A-Z2-7]+)`).FindStringSubmatch(errb.String())
		if m == nil {
			return "000000"
		}
		code, _ := cognitotest.TOTPCode(m[1], time.Now())
		return code
	}
	tty := &scripted{answers: []func(string) string{answer("abc"), totp}}
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader("pw-qr-1\n"), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := runLogin(context.Background(), e, le.args("--username", "qr", "--password-stdin")[1:], tty)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "█") || !strings.Contains(errb.String(), "▀") {
		t.Errorf("no QR code on stderr:\n%s", errb.String())
	}
}

func TestPrintQRDecodesToModules(t *testing.T) {
	var b bytes.Buffer
	if err := printQR(&b, "otpauth://totp/x:y?secret=ABC&issuer=x"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	width := len([]rune(lines[0]))
	for i, l := range lines {
		if len([]rune(l)) != width {
			t.Fatalf("line %d has %d runes; want %d", i, len([]rune(l)), width)
		}
	}
	// A QR code is square: rows of modules = 2 * lines (minus padding).
	if rows := 2 * len(lines); rows < width || rows > width+1 {
		t.Errorf("QR code of %d columns and %d module rows is not square", width, rows)
	}
}

func TestLoginRememberDevice(t *testing.T) {
	le := newLoginEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, DeviceRemembering: cognitotest.DevicesUserOptIn,
		ChallengeRequiredOnNewDevice: true}, cognitotest.ClientConfig{GenerateSecret: true})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "dev", Password: "pw-dev-1", Email: "dev@example.com", EmailMFA: true})
	environ := map[string]string{"COGNITO_CLIENT_SECRET": le.app.Secret}
	file := filepath.Join(t.TempDir(), "devices.json")
	tty := &scripted{answers: []func(string) string{func(string) string { return le.srv.LastCode("dev", cognitotest.MsgEmailMFA) }}}
	code, stdout, stderr := runLoginWith(t, "pw-dev-1\n", environ, tty, le.args("--username", "dev", "--password-stdin", "--remember-device", "--device-file", file)...)
	if code != exitOK || !strings.Contains(stdout, "device_key") {
		t.Fatalf("first login: exit %d: %s", code, stderr)
	}
	// The remembered device skips MFA: no prompt is needed.
	code, stdout, stderr = runCLI(t, "pw-dev-1\n", environ, le.args("--username", "dev", "--password-stdin", "--remember-device", "--device-file", file)...)
	if code != exitOK || !strings.Contains(stdout, "device_key") {
		t.Fatalf("second login: exit %d: %s", code, stderr)
	}
}

func TestLoginUnreachable(t *testing.T) {
	code, _, stderr := runCLI(t, "pw\n", nil, "login", "--endpoint", "http://127.0.0.1:1", "--user-pool-id", "us-east-1_X", "--client-id", "c",
		"--username", "u", "--password-stdin", "--timeout", "5s")
	if code != exitUnavailable {
		t.Errorf("exit: got %d; want %d (%s)", code, exitUnavailable, stderr)
	}
	// A refused connection is said at once (not after the SDK's retries
	// and back-off), with the cause and a hint.
	oneLine(t, stderr, "cognito login: cannot reach http://127.0.0.1:1: ", "connection refused", `"cognito local"`)
}

// TestLoginRetriesThrottling: the retryer that gives up on refused
// connections still retries what the SDK retries, such as throttling.
func TestLoginRetriesThrottling(t *testing.T) {
	t.Parallel() // the SDK's back-off: up to two seconds
	le := newLoginEnv(t, cognitotest.PoolConfig{}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "thr", Password: "pw-thr-1"})
	le.srv.FailOperation("InitiateAuth", 1, "TooManyRequestsException", "Rate exceeded")
	code, _, stderr := runCLI(t, "pw-thr-1\n", nil, le.args("--username", "thr", "--password-stdin", "--output", "token")...)
	if code != exitOK {
		t.Errorf("one throttled attempt: got exit %d; want 0 after a retry (stderr %q)", code, stderr)
	}
}

func TestLoginChoices(t *testing.T) {
	const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	le := newLoginEnv(t, cognitotest.PoolConfig{MFA: cognitotest.MFAOptional, AllowedFirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP"}}, cognitotest.ClientConfig{})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "otp", Email: "otp@example.com", Password: "pw-otp-1"})
	le.pool.MustCreateUser(cognitotest.UserConfig{Username: "two", Password: "pw-two-1", PhoneNumber: "+15555550150", SMSMFA: true, TOTPSecret: totpSecret})

	t.Run("user-auth email code", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{
			func(label string) string { return "email_otp" }, // by name, any case
			func(string) string { return le.srv.LastCode("otp", cognitotest.MsgEmailMFA) },
		}}
		code, _, stderr := runLoginWith(t, "", nil, tty, le.args("--username", "otp", "--flow", "user-auth")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s (prompts %q)", code, stderr, tty.labels)
		}
		if !strings.Contains(tty.labels[0], "EMAIL_OTP") || !strings.Contains(tty.labels[0], "1) ") {
			t.Errorf("choice prompt %q", tty.labels[0])
		}
	})
	t.Run("user-auth password chosen by number", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{answer("1"), answer("pw-otp-1")}}
		code, _, stderr := runLoginWith(t, "", nil, tty, le.args("--username", "otp", "--flow", "user-auth")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s (prompts %q)", code, stderr, tty.labels)
		}
	})
	t.Run("select MFA type", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{
			answer("pw-two-1"),
			answer("SOFTWARE_TOKEN_MFA"),
			func(string) string { c, _ := cognitotest.TOTPCode(totpSecret, time.Now()); return c },
		}}
		code, _, stderr := runLoginWith(t, "", nil, tty, le.args("--username", "two")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s (prompts %q)", code, stderr, tty.labels)
		}
	})
	t.Run("bad choice", func(t *testing.T) {
		tty := &scripted{answers: []func(string) string{answer("pw-two-1"), answer("9")}}
		code, _, stderr := runLoginWith(t, "", nil, tty, le.args("--username", "two")...)
		if code != exitFailure || !strings.Contains(stderr, "not one of the choices") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}
