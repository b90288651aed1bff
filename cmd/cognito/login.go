package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
	"rsc.io/qr"

	"github.com/cognitokit/cognitokit/srpclient"
)

func init() {
	register(&command{
		name:    "login",
		summary: "sign a user in to a Cognito user pool and print the tokens",
		usage: `Usage: cognito login --user-pool-id ID --client-id ID [--client-secret S] --username U
                     [--password-stdin] [--flow srp|password|user-auth] [--remember-device]
                     [--endpoint URL] [--region R] [--output json|env|token]

Signs USERNAME (a username or an email/phone alias) in to the user pool and
prints the tokens as JSON, as shell "export" lines with --output env, or the
access token alone with --output token.

The password is read from the terminal without echo, or with
--password-stdin from the first line of standard input. MFA codes, new
passwords and challenge choices are prompted for on the terminal (also when
standard input is a pipe); for an authenticator-app setup a QR code is
printed. Without a terminal, a challenge that needs an answer fails with a
message saying which.

--flow srp (default) never sends the password; password uses
USER_PASSWORD_AUTH; user-auth is choice-based sign-in (password, email or
SMS one-time code). --remember-device confirms the device after sign-in and
uses it on later sign-ins (stored, mode 0600, in --device-file).

--endpoint points at any Cognito-compatible endpoint: "cognito local",
cognito-local, LocalStack. COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID,
COGNITO_CLIENT_SECRET, COGNITO_ENDPOINT, COGNITO_USERNAME and AWS_REGION are
the defaults of the corresponding flags; prefer COGNITO_CLIENT_SECRET to
--client-secret, which other users of the machine can see in the process
list. The region is --region, else AWS_REGION, else the user pool ID's prefix.

A failure is one line saying what to do; --verbose adds the AWS SDK's
error. With SRP, Cognito answers a wrong --user-pool-id like a wrong
password (the proof is signed with the pool's name), and the message says so.

Exit status: 0 signed in, 1 authentication failed, 2 usage error, 3 the
endpoint could not be reached.`,
		examples: `  cognito login --user-pool-id us-east-1_AbC123 --client-id 3k8v9ab1c2d3e4f5g6h7i8j9k0 --username ann@example.com
  printf '%s\n' "$PW" | cognito login --password-stdin --output env --user-pool-id us-east-1_AbC123 --client-id 3k8v... --username ann > tokens.env
  cognito login --endpoint http://127.0.0.1:9229 --user-pool-id us-east-1_cognitokit --client-id ... --username alice --remember-device
  curl -H "Authorization: Bearer $(cognito login --username ann --output token)" https://api.example.com/me`,
		run: func(ctx context.Context, e *env, args []string) int { return runLogin(ctx, e, args, nil) },
	})
}

// loginPrompter asks the user for an answer. secret answers are read
// without echo.
type loginPrompter interface {
	prompt(label string, secret bool) (string, error)
}

// errNoTerminal reports a prompt that cannot be shown.
var errNoTerminal = errors.New("no terminal to prompt on")

// termPrompter prompts on a terminal: labels on w, answers from f.
type termPrompter struct {
	f *os.File
	r *bufio.Reader
	w io.Writer
}

func (p *termPrompter) prompt(label string, secret bool) (string, error) {
	fmt.Fprint(p.w, label)
	if secret {
		b, err := term.ReadPassword(int(p.f.Fd()))
		fmt.Fprintln(p.w)
		return string(b), err
	}
	line, err := p.r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// noPrompter fails every prompt.
type noPrompter struct{}

func (noPrompter) prompt(label string, _ bool) (string, error) {
	return "", fmt.Errorf("%w: %q", errNoTerminal, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(label), ":")))
}

// loginFlags are the flags of "cognito login" besides the connection
// flags shared with the other commands (common.go).
type loginFlags struct {
	*connFlags
	username                string
	passwordStdin, remember bool
	flow, deviceFile        string
}

// loginTimeout is the default --timeout of login: prompts included.
const loginTimeout = 2 * time.Minute

// runLogin runs "cognito login". tty is the prompter for challenges; nil
// means the process terminal when stdin is one.
func runLogin(ctx context.Context, e *env, args []string, tty loginPrompter) int {
	c := commands["login"]
	fs := c.newFlagSet(e)
	f := loginFlags{connFlags: addConnFlags(fs, e, cfPool|cfClient|cfSecret|cfEndpoint|cfRegion|cfOutput|cfVerbose, "json", "env", "token")}
	f.timeout = loginTimeout
	if tf := fs.Lookup("timeout"); tf != nil {
		tf.DefValue, tf.Usage = loginTimeout.String(), "give up after this `duration`, prompts included"
	}
	fs.StringVar(&f.username, "username", e.getenv(envUsername), "`username`, email or phone number to sign in with (env "+envUsername+")")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.StringVar(&f.flow, "flow", "srp", "sign-in flow: srp, password or user-auth")
	fs.BoolVar(&f.remember, "remember-device", false, "confirm and remember this device; use remembered devices")
	fs.StringVar(&f.deviceFile, "device-file", "", "`file` of remembered devices (default: USER_CONFIG_DIR/cognitokit/devices.json)")
	if code, done := c.parseFlags(e, fs, args); done {
		return code
	}
	if err := f.validate(fs.NArg()); err != nil {
		return fail(e, "login", exitUsage, fmt.Errorf("%v (see 'cognito login --help')", err))
	}

	// Where prompts go.
	if tty == nil {
		tty = noPrompter{}
		if in, ok := e.stdin.(*os.File); ok {
			if term.IsTerminal(int(in.Fd())) {
				tty = &termPrompter{f: in, r: bufio.NewReader(in), w: e.stderr}
			} else if t, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
				// Standard input is a pipe (--password-stdin): prompt on
				// the controlling terminal, if there is one.
				defer t.Close()
				if term.IsTerminal(int(t.Fd())) {
					tty = &termPrompter{f: t, r: bufio.NewReader(t), w: t}
				}
			}
		}
	}
	_, interactive := tty.(noPrompter)
	interactive = !interactive

	var password string
	if f.passwordStdin {
		pw, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
		if err != nil && pw == "" {
			return fail(e, "login", exitUsage, errors.New("--password-stdin: standard input is empty"))
		}
		password = strings.TrimRight(pw, "\r\n")
		if password == "" {
			return fail(e, "login", exitUsage, errors.New("--password-stdin: the first line of standard input is empty"))
		}
	} else if f.flow != "user-auth" {
		if !interactive {
			return fail(e, "login", exitUsage, errors.New("no terminal to read the password from: pass it on standard input with --password-stdin"))
		}
		pw, err := tty.prompt("Password: ", true)
		if err != nil || pw == "" {
			return fail(e, "login", exitUsage, errors.New("no password entered"))
		}
		password = pw
	}

	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	client, err := f.client(e)
	if err != nil {
		return fail(e, "login", exitUsage, err)
	}
	in := srpclient.SignInInput{Username: f.username, Password: password, RememberDevice: f.remember}
	switch f.flow {
	case "password":
		in.Flow = srpclient.FlowPassword
	case "user-auth":
		in.Flow = srpclient.FlowUserAuth
		if password != "" {
			in.PreferredChallenge = srpclient.ChallengePasswordSRP
		}
	}
	res, err := client.SignIn(ctx, in)
	for step := 0; err == nil && !res.Done(); step++ {
		if step > 10 {
			err = errors.New("too many challenges")
			break
		}
		res, err = answerStep(ctx, e, tty, interactive, res.Next, password)
	}
	if err != nil {
		return failCall(e, "login", loginExitCode(err), err, f.callInfo(f.flow != "password"), f.verbose)
	}
	if res.DeviceErr != nil {
		fmt.Fprintf(e.stderr, "cognito login: warning: signed in, but the device was not remembered: %v\n", res.DeviceErr)
	}
	if err := writeTokens(e.stdout, f.output, loginTokens(res.Tokens)); err != nil {
		return fail(e, "login", exitFailure, err)
	}
	return exitOK
}

func (f *loginFlags) validate(nargs int) error {
	if nargs > 0 {
		return errors.New("unexpected arguments; every value is passed with a flag")
	}
	// A region given by --region or AWS_REGION must be one, even with
	// --endpoint (validate only forgives a pool ID prefix such as "local").
	if f.region != "" && !cliRegionRe.MatchString(f.region) {
		return usageErrorf("--region %q is not an AWS region like us-east-1 (flag or %s)", f.region, envRegion)
	}
	if err := f.connFlags.validate(cfPool | cfClient); err != nil {
		return err
	}
	switch {
	case f.username == "":
		return usageErrorf("--username is required (or set %s)", envUsername)
	case len(f.username) > 128:
		return usageErrorf("--username is longer than 128 characters")
	case f.flow != "srp" && f.flow != "password" && f.flow != "user-auth":
		return usageErrorf("--flow %q: want srp, password or user-auth", f.flow)
	}
	return nil
}

func (f *loginFlags) client(e *env) (*srpclient.Client, error) {
	api, err := f.api()
	if err != nil {
		return nil, err
	}
	sc := srpclient.Config{
		API:          api,
		UserPoolID:   f.poolID,
		ClientID:     f.clientID,
		ClientSecret: f.secret,
		DeviceName:   "cognito-cli",
		TOTPIssuer:   f.poolID,
	}
	if f.remember {
		path := f.deviceFile
		if path == "" {
			dir, err := os.UserConfigDir()
			if err != nil {
				return nil, fmt.Errorf("--remember-device: no user config directory (%v); pass --device-file", err)
			}
			path = filepath.Join(dir, "cognitokit", "devices.json")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("--device-file: %v", err)
		}
		store, err := srpclient.NewFileDeviceStore(path)
		if err != nil {
			return nil, err
		}
		sc.Devices = store
	}
	return srpclient.New(sc)
}

// loginExitCode maps a sign-in error to the exit status.
func loginExitCode(err error) int {
	switch {
	case errors.Is(err, context.Canceled): // interrupted: srpclient wraps it in ErrUnavailable too
		return exitFailure
	case errors.Is(err, srpclient.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return exitUnavailable
	case errors.Is(err, srpclient.ErrInvalidConfig):
		return exitUsage
	default:
		return exitFailure
	}
}

var mfaLabels = map[string]string{
	"SMS_MFA":            "SMS code",
	"SOFTWARE_TOKEN_MFA": "authenticator app code",
	"EMAIL_OTP":          "email code",
	"SMS_OTP":            "SMS code",
}

// answerStep prompts for the answer to one step and sends it.
func answerStep(ctx context.Context, e *env, tty loginPrompter, interactive bool, next srpclient.Step, password string) (*srpclient.Result, error) {
	if !interactive {
		return nil, fmt.Errorf("the %s challenge needs an answer, but there is no terminal to prompt on: run cognito login in a terminal", next.ChallengeName())
	}
	ask := func(label string, secret bool) (string, error) {
		v, err := tty.prompt(label, secret)
		if err != nil {
			return "", fmt.Errorf("reading the answer to %s: %w", next.ChallengeName(), err)
		}
		return strings.TrimSpace(v), nil
	}
	switch s := next.(type) {
	case *srpclient.MFACodeRequired:
		label := "Enter the " + mfaLabels[s.ChallengeName()]
		if s.Destination != "" {
			label += " sent to " + s.Destination
		}
		for attempt := 1; ; attempt++ {
			code, err := ask(label+": ", false)
			if err != nil {
				return nil, err
			}
			res, err := s.Answer(ctx, code)
			if attempt < 3 && (errors.Is(err, srpclient.ErrCodeMismatch) || errors.Is(err, srpclient.ErrInvalidInput)) {
				fmt.Fprintln(e.stderr, "That code was not accepted; try again.")
				continue
			}
			return res, err
		}
	case *srpclient.SelectMFAType:
		choice, err := choose(ask, "MFA method", s.Options)
		if err != nil {
			return nil, err
		}
		return s.Choose(ctx, choice)
	case *srpclient.SelectChallenge:
		choice, err := choose(ask, "sign-in method", s.Available)
		if err != nil {
			return nil, err
		}
		if (choice == srpclient.ChallengePassword || choice == srpclient.ChallengePasswordSRP) && password == "" {
			if password, err = ask("Password: ", true); err != nil {
				return nil, err
			}
		}
		return s.ChooseWithPassword(ctx, choice, password)
	case *srpclient.TOTPSetup:
		fmt.Fprintln(e.stderr, "Set up an authenticator app: scan this QR code, or enter the secret by hand.")
		if err := printQR(e.stderr, s.URI); err != nil {
			fmt.Fprintf(e.stderr, "(no QR code: %v)\n", err)
		}
		fmt.Fprintf(e.stderr, "Secret: %s\n", s.Secret)
		for attempt := 1; ; attempt++ {
			code, err := ask("Enter the code the app shows: ", false)
			if err != nil {
				return nil, err
			}
			res, err := s.Answer(ctx, code, "cognito-cli")
			if attempt < 3 && (errors.Is(err, srpclient.ErrCodeMismatch) || errors.Is(err, srpclient.ErrInvalidInput)) {
				fmt.Fprintln(e.stderr, "That code was not accepted; try again.")
				continue
			}
			return res, err
		}
	case *srpclient.NewPasswordRequired:
		fmt.Fprintln(e.stderr, "A new password is required.")
		pw, err := ask("New password: ", true)
		if err != nil {
			return nil, err
		}
		again, err := ask("Repeat the new password: ", true)
		if err != nil {
			return nil, err
		}
		if pw != again {
			return nil, errors.New("the new passwords do not match")
		}
		attrs := map[string]string{}
		for _, a := range s.RequiredAttributes {
			if attrs[a], err = ask("Value for the required attribute "+a+": ", false); err != nil {
				return nil, err
			}
		}
		return s.Answer(ctx, pw, attrs)
	case *srpclient.CustomChallenge:
		if len(s.Parameters) > 0 {
			b, _ := json.Marshal(s.Parameters)
			fmt.Fprintf(e.stderr, "Custom challenge: %s\n", b)
		}
		answer, err := ask("Answer: ", false)
		if err != nil {
			return nil, err
		}
		return s.Answer(ctx, answer)
	case *srpclient.WebAuthnRequired:
		return nil, errors.New("the WEB_AUTHN challenge needs a browser and a passkey; sign in with --flow srp or choose another method")
	default:
		return nil, fmt.Errorf("unsupported challenge %s", next.ChallengeName())
	}
}

// choose lists options and reads a choice by number or name.
func choose(ask func(string, bool) (string, error), what string, options []string) (string, error) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Choose the %s:\n", what)
	for i, o := range options {
		fmt.Fprintf(&sb, "  %d) %s\n", i+1, o)
	}
	sb.WriteString("Choice: ")
	v, err := ask(sb.String(), false)
	if err != nil {
		return "", err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(options) {
		return options[n-1], nil
	}
	for _, o := range options {
		if strings.EqualFold(o, v) {
			return o, nil
		}
	}
	return "", fmt.Errorf("%q is not one of the choices", v)
}

// printQR writes text as a QR code with Unicode half blocks, two modules
// per character row, dark on light with a quiet zone.
func printQR(w io.Writer, text string) error {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return err
	}
	const quiet = 2
	size := code.Size
	dark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x >= 0 && y >= 0 && x < size && y < size && code.Black(x, y)
	}
	var sb strings.Builder
	for y := 0; y < size+2*quiet; y += 2 {
		for x := 0; x < size+2*quiet; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			switch {
			case top && bottom:
				sb.WriteRune(' ')
			case top:
				sb.WriteRune('▄')
			case bottom:
				sb.WriteRune('▀')
			default:
				sb.WriteRune('█')
			}
		}
		sb.WriteByte('\n')
	}
	_, err = io.WriteString(w, sb.String())
	return err
}

// loginTokens converts signed-in tokens to the output shared with the
// other commands (common.go's writeTokens).
func loginTokens(t *srpclient.Tokens) tokenOutput {
	return tokenOutput{
		AccessToken: t.AccessToken, IDToken: t.IDToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType,
		ExpiresIn: int64(time.Until(t.Expiry).Round(time.Second).Seconds()), ExpiresAt: t.Expiry,
		Username: t.Username, DeviceKey: t.DeviceKey,
	}
}
