package main

import (
	"bytes"
	"context"
	"github.com/cognitokit/cognitokit/examples/internal/stagetest"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/internal/testkeys"
)

// TestSelfCheck runs "go run ./examples/cli-login --self-check" in-process.
func TestSelfCheck(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // everything it started has stopped
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--self-check"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"1. first sign-in (SRP)\n   challenges: SOFTWARE_TOKEN_MFA",
		"(file mode -rw-------)",
		"2. second sign-in: the remembered device answers DEVICE_SRP_AUTH\n   challenges: none",
		"5. next sign-in asks for a code again\n   challenges: SOFTWARE_TOKEN_MFA",
		"self-check OK",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestWrongAuthenticator gives the user a different authenticator secret:
// the first sign-in must fail.
func TestWrongAuthenticator(t *testing.T) {
	cfg, cleanup, err := setup(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	cfg.prompt = authenticatorApp{secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}
	var out bytes.Buffer
	if err := scene(context.Background(), cfg, &out); err == nil || !strings.Contains(err.Error(), "wrong code") {
		t.Errorf("got %v; want a wrong-code error\n%s", err, out.String())
	}
}

// TestExternalPool runs the scene in "real Cognito" mode: pool, client,
// endpoint and user from the environment, pointing at a separate emulator.
// The terminal prompter is replaced by the simulated authenticator.
func TestExternalPool(t *testing.T) {
	idp := cognitotest.NewServer(t, cognitotest.WithSigningKeys(testkeys.RSA2048(6)...))
	pool := idp.MustCreatePool(cognitotest.PoolConfig{MFA: cognitotest.MFAOn, DeviceRemembering: cognitotest.DevicesAlways, UsernameAttributes: []string{"email"},
		ChallengeRequiredOnNewDevice: true})
	app := pool.MustCreateClient(cognitotest.ClientConfig{GenerateSecret: true})
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	pool.MustCreateUser(cognitotest.UserConfig{Email: "dan@example.com", Password: "Dan-Passw0rd!", TOTPSecret: secret, PreferredMFA: cognitotest.MFATOTP})
	environ := map[string]string{
		"COGNITO_USER_POOL_ID":  pool.ID(),
		"COGNITO_CLIENT_ID":     app.ID,
		"COGNITO_CLIENT_SECRET": app.Secret,
		"COGNITO_ENDPOINT":      idp.URL(),
		"COGNITO_USERNAME":      "dan@example.com", // an alias: devices are stored under the internal username
		"COGNITO_PASSWORD":      "Dan-Passw0rd!",
	}
	deviceFile := filepath.Join(t.TempDir(), "devices.json")
	cfg, cleanup, err := setup(func(k string) string { return environ[k] }, deviceFile)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	cfg.prompt = authenticatorApp{secret: secret}
	var out bytes.Buffer
	if err := scene(context.Background(), cfg, &out); err != nil {
		t.Fatalf("scene: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "challenges: none") {
		t.Errorf("the remembered device did not skip MFA:\n%s", out.String())
	}
}

// TestHelp: --help has the layout every example shares and names the
// variables that switch the example to real Cognito.
func TestHelp(t *testing.T) {
	stagetest.Help(t, run, "cli-login", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_CLIENT_SECRET", "COGNITO_ENDPOINT", "COGNITO_USERNAME", "COGNITO_PASSWORD")
}
