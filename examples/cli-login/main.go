// Command cli-login drives srpclient from code: an SRP sign-in that answers
// an authenticator-app (TOTP) MFA challenge, remembers the device, and on
// the next sign-in authenticates the device over SRP instead of asking for
// a code again.
//
//	go run ./examples/cli-login                  # embedded emulator, simulated authenticator app
//	go run ./examples/cli-login --self-check     # the same, exit 0 only if every step behaved
//
// The scene: (1) carol signs in and is asked for her authenticator code;
// the device is confirmed and stored (a file with mode 0600); (2) she signs
// in again: the remembered device answers DEVICE_SRP_AUTH and no code is
// asked; (3) her tokens are refreshed with the device key; (4) the device is
// forgotten, and (5) the next sign-in asks for a code again.
//
// Against real Cognito (a pool with MFA and device remembering), set
// COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET (if the
// client has one), COGNITO_ENDPOINT (emulators only) and COGNITO_USERNAME;
// the password (unless COGNITO_PASSWORD is set) and the codes are read from
// the terminal, and devices are stored in --device-file.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"golang.org/x/term"

	"github.com/cognitokit/cognitokit/cognitotest"
	"github.com/cognitokit/cognitokit/examples/internal/stage"
	"github.com/cognitokit/cognitokit/srpclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// prompter answers the questions of a sign-in: a person at a terminal, or
// the simulated authenticator of the emulator mode.
type prompter interface {
	ask(label string, secret bool) (string, error)
}

// config is where the example signs in.
type config struct {
	api        srpclient.API
	poolID     string
	clientID   string
	secret     string
	username   string
	password   string
	deviceFile string
	prompt     prompter
	emu        *cognitotest.Server
}

var usage = stage.Usage{
	Name:     "cli-login",
	Synopsis: "[--device-file FILE] [--self-check]",
	About:    "srpclient from code: an SRP sign-in that answers an authenticator-app (TOTP) challenge, remembers the device, and on the next sign-in authenticates the device instead of asking for a code. Against real Cognito the password and codes are read from the terminal.",
	Env:      []stage.EnvVar{stage.EnvPoolID, stage.EnvClientID, stage.EnvSecret, stage.EnvEndpoint, stage.EnvRegion, stage.EnvVar{Name: "COGNITO_USERNAME", Meaning: "the user to sign in (required)"}, stage.EnvVar{Name: "COGNITO_PASSWORD", Meaning: "that user's password (default: asked on the terminal)"}},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cli-login", flag.ContinueOnError)
	deviceFile := fs.String("device-file", "", "where remembered devices are stored (default: a temporary file on the emulator, $XDG_CONFIG_HOME/cognitokit/cli-login-devices.json otherwise)")
	selfCheck := fs.Bool("self-check", false, "run the scene on the embedded emulator and exit 0 only if every step behaved")
	if code, done := usage.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if *selfCheck {
		getenv = func(string) string { return "" }
	}
	cfg, cleanup, err := setup(getenv, *deviceFile)
	if err != nil {
		fmt.Fprintf(stderr, "cli-login: %v\n", err)
		return 2
	}
	defer cleanup()
	if err := scene(ctx, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "cli-login: FAILED: %v\n", err)
		return 1
	}
	if *selfCheck {
		fmt.Fprintln(stdout, "self-check OK")
	}
	return 0
}

// setup reads the environment, or starts the emulator with a pool that
// has optional MFA and always remembers devices, and the user carol with an
// authenticator app.
func setup(getenv func(string) string, deviceFile string) (*config, func(), error) {
	if pool := getenv("COGNITO_USER_POOL_ID"); pool != "" {
		cfg := &config{
			poolID: pool, clientID: getenv("COGNITO_CLIENT_ID"), secret: getenv("COGNITO_CLIENT_SECRET"),
			username: getenv("COGNITO_USERNAME"), password: getenv("COGNITO_PASSWORD"), deviceFile: deviceFile,
			prompt: &terminal{in: bufio.NewReader(os.Stdin), out: os.Stderr},
		}
		if cfg.clientID == "" || cfg.username == "" {
			return nil, nil, errors.New("COGNITO_CLIENT_ID and COGNITO_USERNAME are required with COGNITO_USER_POOL_ID")
		}
		if cfg.deviceFile == "" {
			dir, err := os.UserConfigDir()
			if err != nil {
				return nil, nil, fmt.Errorf("no config directory (%v): pass --device-file", err)
			}
			cfg.deviceFile = filepath.Join(dir, "cognitokit", "cli-login-devices.json")
		}
		if err := os.MkdirAll(filepath.Dir(cfg.deviceFile), 0o700); err != nil {
			return nil, nil, err
		}
		api, err := realAPI(getenv, pool)
		if err != nil {
			return nil, nil, err
		}
		cfg.api = api
		return cfg, func() {}, nil
	}

	emu, err := cognitotest.Start(nil, stage.EmulatorOptions...) // fixed keys in tests
	if err != nil {
		return nil, nil, err
	}
	pool, err := emu.CreatePool(cognitotest.PoolConfig{ID: "us-east-1_clilogin", MFA: cognitotest.MFAOptional, DeviceRemembering: cognitotest.DevicesAlways,
		ChallengeRequiredOnNewDevice: true})
	if err != nil {
		emu.Close()
		return nil, nil, err
	}
	app, err := pool.CreateClient(cognitotest.ClientConfig{Name: "cli", GenerateSecret: true})
	if err != nil {
		emu.Close()
		return nil, nil, err
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" // carol's authenticator app
	if _, err := pool.CreateUser(cognitotest.UserConfig{Username: "carol", Password: "Carol-Passw0rd!", Email: "carol@example.com", TOTPSecret: secret, PreferredMFA: cognitotest.MFATOTP}); err != nil {
		emu.Close()
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "cli-login-*")
	if err != nil {
		emu.Close()
		return nil, nil, err
	}
	if deviceFile == "" {
		deviceFile = filepath.Join(dir, "devices.json")
	}
	cfg := &config{
		api: cip.NewFromConfig(emu.AWSConfig()), poolID: pool.ID(), clientID: app.ID, secret: app.Secret,
		username: "carol", password: "Carol-Passw0rd!", deviceFile: deviceFile,
		prompt: authenticatorApp{secret: secret}, emu: emu,
	}
	return cfg, func() { emu.Close(); os.RemoveAll(dir) }, nil
}

// authenticatorApp plays carol's phone: it answers code prompts with the
// current TOTP code.
type authenticatorApp struct{ secret string }

func (a authenticatorApp) ask(label string, _ bool) (string, error) {
	if !strings.Contains(label, "code") {
		return "", fmt.Errorf("the simulated authenticator cannot answer %q", label)
	}
	return cognitotest.TOTPCode(a.secret, time.Now())
}

// terminal asks a person.
type terminal struct {
	in  *bufio.Reader
	out io.Writer
}

func (t *terminal) ask(label string, secret bool) (string, error) {
	fmt.Fprint(t.out, label+": ")
	if secret && term.IsTerminal(int(os.Stdin.Fd())) {
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(t.out)
		return string(b), err
	}
	line, err := t.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}
