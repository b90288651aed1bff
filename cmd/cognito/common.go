package main

// Flags, environment variables, token input and token output shared by the
// commands token, refresh, revoke and whoami.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"golang.org/x/term"
)

// Environment variables read by the commands. Flags win over them.
const (
	envPoolID       = "COGNITO_USER_POOL_ID"
	envClientID     = "COGNITO_CLIENT_ID"
	envClientSecret = "COGNITO_CLIENT_SECRET"
	envEndpoint     = "COGNITO_ENDPOINT"
	envDomain       = "COGNITO_DOMAIN"
	envRegion       = "AWS_REGION"
	// Written by "cognito login --output env" and read back as inputs.
	envAccessToken  = "COGNITO_ACCESS_TOKEN"
	envRefreshToken = "COGNITO_REFRESH_TOKEN"
	envUsername     = "COGNITO_USERNAME"
	envDeviceKey    = "COGNITO_DEVICE_KEY"
)

// connField selects the connection flags a command takes.
type connField uint

const (
	cfPool connField = 1 << iota
	cfClient
	cfSecret
	cfEndpoint
	cfRegion
	cfDomain
	cfOutput
	cfVerbose // --verbose: commands that call Cognito and report with failCall
)

// connFlags are the user pool coordinates of a command: flags, with the
// environment variables above as defaults.
type connFlags struct {
	fields                             connField
	poolID, clientID, secret, endpoint string
	region, domain, output             string
	timeout                            time.Duration
	verbose                            bool
	getenv                             func(string) string
	outputs                            []string
	regionFromToken                    string // set by whoami from the token's iss
}

var cliRegionRe = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// addConnFlags defines the selected flags on fs. outputs lists the values
// --output accepts; the first is the default.
func addConnFlags(fs *flag.FlagSet, e *env, fields connField, outputs ...string) *connFlags {
	f := &connFlags{fields: fields, getenv: e.getenv, outputs: outputs}
	if fields&cfPool != 0 {
		fs.StringVar(&f.poolID, "user-pool-id", e.getenv(envPoolID), "user pool `ID`, e.g. us-east-1_AbC123 (env "+envPoolID+")")
	}
	if fields&cfClient != 0 {
		fs.StringVar(&f.clientID, "client-id", e.getenv(envClientID), "app client `ID` (env "+envClientID+")")
	}
	if fields&cfSecret != 0 {
		fs.StringVar(&f.secret, "client-secret", "", "app client `secret` of a confidential client (prefer env "+envClientSecret+": flags show in the process list)")
	}
	if fields&cfEndpoint != 0 {
		fs.StringVar(&f.endpoint, "endpoint", e.getenv(envEndpoint), "Cognito API endpoint `URL`, for \"cognito local\" and other emulators (default: AWS; env "+envEndpoint+")")
	}
	if fields&cfRegion != 0 {
		fs.StringVar(&f.region, "region", e.getenv(envRegion), "AWS `region` (env "+envRegion+"; default: the user pool ID's prefix)")
	}
	if fields&cfDomain != 0 {
		fs.StringVar(&f.domain, "domain", e.getenv(envDomain), "OAuth 2.0 domain `URL`, https://PREFIX.auth.REGION.amazoncognito.com or a custom domain (env "+envDomain+"; default with --endpoint: the endpoint)")
	}
	if fields&cfOutput != 0 && len(outputs) > 0 {
		fs.StringVar(&f.output, "output", outputs[0], "output `format`: "+strings.Join(outputs, ", "))
	}
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up after this `duration`")
	if fields&cfVerbose != 0 {
		fs.BoolVar(&f.verbose, "verbose", false, "on failure, also print the full error chain (AWS SDK, HTTP)")
	}
	return f
}

// validate checks the flags after parsing and fills in the derived values.
// need lists the fields that must be set.
func (f *connFlags) validate(need connField) error {
	if f.fields&cfSecret != 0 && f.secret == "" {
		f.secret = f.getenv(envClientSecret)
	}
	switch {
	case need&cfPool != 0 && f.poolID == "":
		return usageErrorf("--user-pool-id is required (or set %s)", envPoolID)
	case need&cfClient != 0 && f.clientID == "":
		return usageErrorf("--client-id is required (or set %s)", envClientID)
	case need&cfSecret != 0 && f.secret == "":
		return usageErrorf("--client-secret is required for this command (or set %s)", envClientSecret)
	case f.timeout <= 0:
		return usageErrorf("--timeout must be positive")
	case len(f.poolID) > 128 || len(f.clientID) > 128 || len(f.secret) > 256:
		return usageErrorf("--user-pool-id, --client-id or --client-secret is too long")
	}
	if f.poolID != "" {
		if pre, suf, ok := strings.Cut(f.poolID, "_"); !ok || pre == "" || suf == "" {
			return usageErrorf("--user-pool-id %q is not a user pool ID like us-east-1_AbC123", f.poolID)
		}
	}
	if f.fields&cfOutput != 0 && !slices.Contains(f.outputs, f.output) {
		return usageErrorf("--output %q: want %s", f.output, strings.Join(f.outputs, ", "))
	}
	if f.endpoint != "" {
		if err := checkBaseURL(f.endpoint); err != nil {
			return usageErrorf("--endpoint %q: %v", f.endpoint, err)
		}
		f.endpoint = strings.TrimRight(f.endpoint, "/")
	}
	if f.domain != "" {
		if !strings.Contains(f.domain, "://") {
			f.domain = "https://" + f.domain
		}
		if err := checkBaseURL(f.domain); err != nil {
			return usageErrorf("--domain %q: %v", f.domain, err)
		}
		f.domain = strings.TrimRight(f.domain, "/")
	}
	if f.fields&cfRegion != 0 {
		if f.region == "" && f.poolID != "" {
			f.region, _, _ = strings.Cut(f.poolID, "_")
		}
		if f.region != "" && !cliRegionRe.MatchString(f.region) {
			if f.endpoint == "" {
				return usageErrorf("--region %q is not an AWS region like us-east-1", f.region)
			}
			f.region = "us-east-1" // emulators accept any pool ID prefix
		}
	}
	return nil
}

// checkBaseURL accepts an absolute http(s) URL without query or fragment.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "":
		return errors.New("want an absolute URL such as http://127.0.0.1:9229")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an http:// or https:// URL")
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("want a URL without query, fragment or user information")
	}
	return nil
}

// issuer returns the expected token issuer: the emulator convention
// {endpoint}/{pool} with --endpoint, "" (the AWS default) otherwise.
func (f *connFlags) issuer() string {
	if f.endpoint == "" || f.poolID == "" {
		return ""
	}
	return f.endpoint + "/" + f.poolID
}

// oauthDomain returns --domain, or the endpoint (emulators serve the OAuth
// endpoints on the API's address).
func (f *connFlags) oauthDomain() (string, error) {
	switch {
	case f.domain != "":
		return f.domain, nil
	case f.endpoint != "":
		return f.endpoint, nil
	}
	return "", usageErrorf("--domain is required (or set %s), e.g. https://myapp.auth.us-east-1.amazoncognito.com", envDomain)
}

// api returns a user pool API client. The commands use only operations
// that Cognito authorizes with the tokens themselves, so no AWS credentials
// are loaded.
func (f *connFlags) api() (*cip.Client, error) {
	region := f.region
	if region == "" {
		region = f.regionFromToken
	}
	if region == "" {
		return nil, usageErrorf("--region is required (or set %s or %s)", envRegion, envPoolID)
	}
	cfg := aws.Config{Region: region, Credentials: aws.AnonymousCredentials{}, Retryer: newRetryer}
	if f.endpoint != "" {
		cfg.BaseEndpoint = aws.String(f.endpoint)
	}
	return cip.NewFromConfig(cfg), nil
}

// newRetryer is the SDK's standard retryer, except that a refused
// connection is not retried: nothing listens there (typically an emulator
// that is not running), and three attempts with back-off only delay the
// message saying so.
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if errors.Is(err, syscall.ECONNREFUSED) {
				return aws.FalseTernary
			}
			return aws.UnknownTernary
		})}, o.Retryables...)
	})
}

// callInfo returns what error messages may say about a call made with f.
func (f *connFlags) callInfo(srp bool) callInfo {
	return callInfo{endpoint: f.endpoint, srp: srp, timeout: f.timeout.String()}
}

// withTimeout bounds ctx by --timeout.
func (f *connFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.timeout)
}

// maxCredential bounds a token or a JSON document read as input.
const maxCredential = 64 << 10

// credentialInput is what the commands accept on standard input besides a
// bare token: the JSON printed by "cognito login", "cognito refresh" and
// "cognito token".
type credentialInput struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Username     string `json:"username"`
	DeviceKey    string `json:"device_key"`
}

// readCredential returns a token for a command. Sources, in order: the
// argument ("-" means standard input), the environment variable envName,
// standard input. Standard input may hold the token alone or the JSON
// output of another cognito command, from which field picks the token; the
// whole JSON document is returned too, for the username and device key.
func readCredential(e *env, pos []string, envName string, field func(*credentialInput) string) (string, *credentialInput, error) {
	what := strings.ToLower(strings.TrimPrefix(envName, "COGNITO_"))
	what = strings.ReplaceAll(what, "_", " ")
	switch {
	case len(pos) > 1:
		return "", nil, usageErrorf("expected one %s, got %d arguments", what, len(pos))
	case len(pos) == 1 && pos[0] != "-":
		if len(pos[0]) > maxCredential {
			return "", nil, usageErrorf("the %s argument is longer than %d bytes", what, maxCredential)
		}
		return cleanCredential(pos[0]), nil, nil
	case len(pos) == 0 && e.getenv(envName) != "":
		return cleanCredential(e.getenv(envName)), nil, nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", nil, usageErrorf("no %s: give it as an argument, on standard input or in %s", what, envName)
	}
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxCredential+1))
	if err != nil {
		return "", nil, fmt.Errorf("reading standard input: %w", err)
	}
	if len(b) > maxCredential {
		return "", nil, usageErrorf("standard input is larger than %d bytes", maxCredential)
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var in credentialInput
		if err := json.Unmarshal(b, &in); err != nil {
			return "", nil, usageErrorf("standard input looks like JSON but does not parse: %v", err)
		}
		tok := cleanCredential(field(&in))
		if tok == "" {
			return "", nil, usageErrorf("the JSON on standard input has no %q", strings.ReplaceAll(what, " ", "_"))
		}
		return tok, &in, nil
	}
	tok := cleanCredential(string(b))
	switch {
	case tok == "":
		return "", nil, usageErrorf("no %s: give it as an argument, on standard input or in %s", what, envName)
	case strings.ContainsAny(tok, " \t\r\n"):
		return "", nil, usageErrorf("standard input holds more than one value; give one %s", what)
	}
	return tok, nil, nil
}

// cleanCredential trims whitespace, an optional "Bearer " prefix and one
// pair of quotes (a token pasted from JSON or a shell line), around or
// after the prefix: "eyJ…", 'eyJ…', "Bearer eyJ…" and Bearer "eyJ…".
func cleanCredential(s string) string {
	s = strings.TrimSpace(s)
	s, quoted := stripQuotes(s)
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	if !quoted {
		s, _ = stripQuotes(s)
	}
	return s
}

// tokenOutput is the JSON the commands print for tokens; it has the shape
// of "cognito login" output, so that the commands chain.
type tokenOutput struct {
	AccessToken  string    `json:"access_token"`
	IDToken      string    `json:"id_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int64     `json:"expires_in"`
	ExpiresAt    time.Time `json:"expires_at"`
	Username     string    `json:"username,omitempty"`
	DeviceKey    string    `json:"device_key,omitempty"`
	Scope        string    `json:"scope,omitempty"`
}

// writeTokens prints t as JSON (format "json"), as shell export lines
// ("env", the variable names of "cognito login --output env"), or the access
// token alone ("token").
func writeTokens(w io.Writer, format string, t tokenOutput) error {
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Second)
	switch format {
	case "token":
		_, err := fmt.Fprintln(w, t.AccessToken)
		return err
	case "env":
		vars := [][2]string{
			{envAccessToken, t.AccessToken},
			{"COGNITO_ID_TOKEN", t.IDToken},
			{envRefreshToken, t.RefreshToken},
			{"COGNITO_TOKEN_EXPIRES_AT", t.ExpiresAt.Format(time.RFC3339)},
			{envUsername, t.Username},
			{envDeviceKey, t.DeviceKey},
			{"COGNITO_SCOPE", t.Scope},
		}
		var sb strings.Builder
		for _, v := range vars {
			if v[1] != "" {
				fmt.Fprintf(&sb, "export %s=%s\n", v[0], quoteShell(v[1]))
			}
		}
		_, err := io.WriteString(w, sb.String())
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// apiExitCode maps an error of a user pool API call to an exit status:
// 3 when Cognito could not be reached or failed internally, 1 when it
// refused.
func apiExitCode(err error) int {
	var ae smithy.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return exitUnavailable
	case errors.As(err, &ae):
		switch ae.ErrorCode() {
		case "InternalErrorException", "TooManyRequestsException", "LimitExceededException", "ServiceUnavailable":
			return exitUnavailable
		}
		return exitFailure
	}
	return exitUnavailable // no API answer: network failure
}
