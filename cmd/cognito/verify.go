package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/cognitokit/cognitokit/verifier"
)

func init() {
	register(&command{
		name:    "verify",
		summary: "verify a Cognito ID or access token and print its claims",
		usage: `Usage: cognito verify --user-pool-id ID --client-id ID [--client-id ID2] --token-use access|id|any
                      [--endpoint URL | --issuer URL] [--jwks-url URL | --jwks-file FILE]
                      [--batch] [TOKEN | -]

Verifies TOKEN against the user pool's keys: signature, issuer, client,
token use and expiry. On success it prints the verified claims as JSON.

The token is the argument, else $COGNITO_ACCESS_TOKEN (--token-use access or
any) or $COGNITO_ID_TOKEN (--token-use id, or any when only it is set), else
standard input: the token alone, or the JSON printed by "cognito login",
"cognito refresh" or "cognito token", from which --token-use picks
access_token or id_token (any: access_token, else id_token).

The accepted issuer is --issuer (a custom issuer), else {endpoint}/{pool}
with --endpoint (the issuer of "cognito local" and other emulators), else
both of the pool's AWS issuers:
  https://cognito-idp.{region}.amazonaws.com/{pool}
  https://issuer-cognito-idp.{region}.amazonaws.com/{pool}
the region being the user pool ID's prefix. The keys are fetched from
{issuer}/.well-known/jwks.json (the cognito-idp one for AWS) unless
--jwks-url or --jwks-file says otherwise.

With --batch it reads one token per line from standard input and prints one
JSON object per line: {"line":N,"ok":true,"claims":{...}} or
{"line":N,"ok":false,"error":"ErrExpired","message":"..."}.

COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (comma-separated for several) and
COGNITO_ENDPOINT are the defaults of --user-pool-id, --client-id and
--endpoint.

Exit status: 0 verified, 1 rejected (in batch mode: any token rejected),
2 usage error, 3 keys unavailable (the JWKS could not be fetched).`,
		examples: `  cognito verify --user-pool-id us-east-1_AbC123 --client-id 3k8v9ab1c2d3e4f5g6h7i8j9k0 --token-use access "$TOKEN"
  echo "$ID_TOKEN" | cognito verify --user-pool-id us-east-1_AbC123 --client-id 3k8v9ab1c2d3e4f5g6h7i8j9k0 --token-use id
  cognito login --endpoint http://127.0.0.1:9229 --user-pool-id us-east-1_cognitokit --client-id ... --username alice |
    cognito verify --endpoint http://127.0.0.1:9229 --user-pool-id us-east-1_cognitokit --client-id ... --token-use id
  eval "$(cognito login --output env ...)"; cognito verify --token-use access
  cognito verify --jwks-file jwks.json --at 2026-03-05T14:00:00Z ... --batch < tokens.log`,
		run: runVerify,
	})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

// parseInterspersed parses flags that may appear before or after the
// positional arguments, and returns the positional arguments.
func (c *command) parseInterspersed(e *env, fs *flag.FlagSet, args []string) (pos []string, code int, done bool) {
	for {
		if code, done := c.parseFlags(e, fs, args); done {
			return nil, code, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, false
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// maxCLIToken bounds one line of --batch input.
const maxCLIToken = 1 << 20

// envIDTokenVar holds an ID token; "cognito login --output env" writes it.
const envIDTokenVar = "COGNITO_ID_TOKEN"

// tokenUses are the values of --token-use.
var tokenUses = []string{"access", "id", "any"}

// readTokenInput returns the one token that verify or decode works on,
// read like the other commands read theirs ([readCredential]): the
// argument ("-" for standard input), else an environment variable, else
// standard input, holding the token alone or the JSON output of "cognito
// login", "cognito refresh" or "cognito token". use picks the token:
// "access" reads $COGNITO_ACCESS_TOKEN and access_token, "id"
// $COGNITO_ID_TOKEN and id_token, "any" the access token, else the ID
// token.
func readTokenInput(e *env, pos []string, use string) (string, error) {
	envName := envAccessToken
	if use == "id" || (use == "any" && e.getenv(envAccessToken) == "" && e.getenv(envIDTokenVar) != "") {
		envName = envIDTokenVar
	}
	// credentialInput has no id_token: keep the bytes readCredential reads
	// from standard input to pick it from them. A terminal is left as is so
	// that readCredential refuses it instead of waiting for input.
	var raw bytes.Buffer
	in := *e
	if !isTerminal(e.stdin) {
		in.stdin = io.TeeReader(e.stdin, &raw)
	}
	tok, _, err := readCredential(&in, pos, envName, func(c *credentialInput) string {
		if use != "id" && c.AccessToken != "" {
			return c.AccessToken
		}
		if use == "access" {
			return ""
		}
		var j struct {
			IDToken string `json:"id_token"`
		}
		if json.Unmarshal(bytes.TrimSpace(raw.Bytes()), &j) != nil {
			return ""
		}
		return j.IDToken
	})
	return tok, err
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// parseAt parses --at: RFC 3339 or Unix seconds.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0), nil
	}
	return time.Time{}, usageErrorf("--at %q is neither RFC 3339 (2026-03-05T14:07:09Z) nor Unix seconds", s)
}

// sentinelNames maps verifier.Reason labels to the Go names of the
// sentinels, for --batch output.
var sentinelNames = map[string]string{
	"cooldown":         "ErrCooldown",
	"keys_unavailable": "ErrKeysUnavailable",
	"invalid_config":   "ErrInvalidConfig",
	"too_large":        "ErrTooLarge",
	"malformed":        "ErrMalformed",
	"unsupported_alg":  "ErrUnsupportedAlg",
	"unknown_key":      "ErrUnknownKey",
	"bad_signature":    "ErrBadSignature",
	"wrong_issuer":     "ErrWrongIssuer",
	"wrong_token_use":  "ErrWrongTokenUse",
	"wrong_client":     "ErrWrongClient",
	"expired":          "ErrExpired",
	"not_yet_valid":    "ErrNotYetValid",
	"missing_group":    "ErrMissingGroup",
	"missing_scope":    "ErrMissingScope",
	"check_failed":     "ErrCheckFailed",
}

func sentinelName(err error) string {
	if n, ok := sentinelNames[verifier.Reason(err)]; ok {
		return n
	}
	return "Error"
}

func runVerify(ctx context.Context, e *env, args []string) int {
	c := commands["verify"]
	fs := c.newFlagSet(e)
	f := addConnFlags(fs, e, cfPool|cfEndpoint)
	var clients stringList
	fs.Var(&clients, "client-id", "accepted app client `ID`; repeat for several (env "+envClientID+", comma-separated)")
	tokenUse := fs.String("token-use", "", "accepted `token`: access, id or any (required); also picks the token from $"+envAccessToken+", $"+envIDTokenVar+" or JSON input")
	issuer := fs.String("issuer", "", "accepted issuer `URL`, for a custom issuer (default: {endpoint}/{pool} with --endpoint, else the pool's cognito-idp and issuer-cognito-idp issuers)")
	jwksURL := fs.String("jwks-url", "", "JWKS `URL` (default {issuer}/.well-known/jwks.json)")
	jwksFile := fs.String("jwks-file", "", "read the keys from this JWKS `file` instead of fetching them")
	batch := fs.Bool("batch", false, "read one token per line from standard input; print one JSON result per line")
	at := fs.String("at", "", "verify as of this `time` (RFC 3339 or Unix seconds) instead of now")
	leeway := fs.Duration("leeway", 0, "tolerated clock skew for exp, nbf and iat (at most 5m)")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if err := f.validate(cfPool); err != nil {
		return fail(e, "verify", exitUsage, err)
	}
	if len(clients) == 0 {
		for _, id := range strings.Split(e.getenv(envClientID), ",") {
			if id = strings.TrimSpace(id); id != "" {
				clients = append(clients, id)
			}
		}
	}
	use := strings.ToLower(*tokenUse)
	usage := func(format string, a ...any) int {
		return fail(e, "verify", exitUsage, usageErrorf(format, a...))
	}
	switch {
	case len(clients) == 0:
		return usage("--client-id is required (or set %s)", envClientID)
	case use == "":
		return usage("--token-use is required: access, id or any")
	case !slices.Contains(tokenUses, use):
		return usage("--token-use %q: want access, id or any", *tokenUse)
	case *jwksURL != "" && *jwksFile != "":
		return usage("--jwks-url and --jwks-file are mutually exclusive")
	case *batch && len(pos) > 0:
		return usage("--batch reads tokens from standard input; do not give a token argument")
	}
	if *issuer == "" {
		*issuer = f.issuer() // "" without --endpoint: the AWS issuer
	}
	cfg := verifier.Config{
		Pools: []verifier.Pool{{
			UserPoolID: f.poolID,
			ClientIDs:  clients,
			TokenUse:   verifier.TokenUse(use),
			Issuer:     *issuer,
			JWKSURL:    *jwksURL,
			JWKSFile:   *jwksFile,
		}},
		Leeway:       *leeway,
		FetchTimeout: f.timeout,
		CacheSize:    -1,
	}
	if *at != "" {
		t, err := parseAt(*at)
		if err != nil {
			return fail(e, "verify", exitUsage, err)
		}
		cfg.Now = func() time.Time { return t }
	}
	v, err := verifier.New(cfg)
	if err != nil {
		return fail(e, "verify", exitUsage, err)
	}
	defer v.Close()
	if *batch {
		return verifyBatch(ctx, e, v)
	}
	tok, err := readTokenInput(e, pos, use)
	if err != nil {
		if !errors.Is(err, errUsage) {
			return fail(e, "verify", exitFailure, err)
		}
		if strings.Contains(err.Error(), "more than one value") {
			err = fmt.Errorf("%w; for one token per line use --batch", err)
		}
		return fail(e, "verify", exitUsage, err)
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		if errors.Is(err, verifier.ErrKeysUnavailable) {
			return fail(e, "verify", exitUnavailable, err)
		}
		if errors.Is(err, verifier.ErrWrongIssuer) {
			// The verifier's hint names its Config; name the flags.
			return fail(e, "verify", exitFailure, fmt.Errorf("token rejected: %w (check --user-pool-id and --endpoint, or set --issuer)", err))
		}
		return fail(e, "verify", exitFailure, fmt.Errorf("token rejected: %w", err))
	}
	var out bytes.Buffer
	if err := json.Indent(&out, claims.Raw(), "", "  "); err != nil {
		return fail(e, "verify", exitFailure, err)
	}
	out.WriteByte('\n')
	e.stdout.Write(out.Bytes())
	return exitOK
}

// batchResult is one line of --batch output.
type batchResult struct {
	Line    int             `json:"line"`
	OK      bool            `json:"ok"`
	Error   string          `json:"error,omitempty"`
	Message string          `json:"message,omitempty"`
	Claims  json.RawMessage `json:"claims,omitempty"`
}

func verifyBatch(ctx context.Context, e *env, v *verifier.Verifier) int {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxCLIToken)
	enc := json.NewEncoder(e.stdout)
	code := exitOK
	line := 0
	for sc.Scan() {
		line++
		tok := cleanCredential(sc.Text())
		if tok == "" {
			continue
		}
		res := batchResult{Line: line}
		claims, err := v.Verify(ctx, tok)
		switch {
		case err == nil:
			res.OK = true
			res.Claims = claims.Raw()
		case errors.Is(err, verifier.ErrKeysUnavailable):
			res.Error, res.Message = sentinelName(err), err.Error()
			code = exitUnavailable
		default:
			res.Error, res.Message = sentinelName(err), err.Error()
			if code == exitOK {
				code = exitFailure
			}
		}
		if err := enc.Encode(res); err != nil {
			return fail(e, "verify", exitFailure, err)
		}
		if ctx.Err() != nil {
			return fail(e, "verify", exitFailure, ctx.Err())
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fail(e, "verify", exitFailure, fmt.Errorf("line %d is longer than %d bytes", line+1, maxCLIToken))
		}
		return fail(e, "verify", exitFailure, fmt.Errorf("reading standard input: %w", err))
	}
	return code
}
