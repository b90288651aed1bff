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
                      [--issuer URL] [--jwks-url URL | --jwks-file FILE] [--batch] [TOKEN]

Verifies TOKEN (or one token read from standard input) against the user
pool's keys: signature, issuer, client, token use and expiry. On success it
prints the verified claims as JSON.

With --batch it reads one token per line from standard input and prints one
JSON object per line: {"line":N,"ok":true,"claims":{...}} or
{"line":N,"ok":false,"error":"ErrExpired","message":"..."}.

COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID (comma-separated) are the
defaults of --user-pool-id and --client-id.

Exit status: 0 verified, 1 rejected (in batch mode: any token rejected),
2 usage error, 3 keys unavailable (the JWKS could not be fetched).`,
		examples: `  cognito verify --user-pool-id us-east-1_AbC123 --client-id 3k8v9ab1c2d3e4f5g6h7i8j9k0 --token-use access "$TOKEN"
  echo "$ID_TOKEN" | cognito verify --user-pool-id us-east-1_AbC123 --client-id 3k8v9ab1c2d3e4f5g6h7i8j9k0 --token-use id
  cognito verify --user-pool-id local_abc --issuer http://127.0.0.1:9229/local_abc --client-id c1 --token-use any "$TOKEN"
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

const maxCLIToken = 1 << 20

// readToken returns the one token given as argument or on stdin.
func readToken(e *env, pos []string) (string, error) {
	switch len(pos) {
	case 0:
		if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprintln(e.stderr, "(reading the token from standard input; paste it, then press Ctrl-D)")
		}
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxCLIToken+1))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		if len(b) > maxCLIToken {
			return "", usageErrorf("standard input is larger than %d bytes; give one token", maxCLIToken)
		}
		tok := cleanToken(string(b))
		if tok == "" {
			return "", usageErrorf("no token: give it as an argument or on standard input")
		}
		if strings.ContainsAny(tok, " \t\r\n") {
			return "", usageErrorf("standard input holds more than one token; use --batch for one token per line")
		}
		return tok, nil
	case 1:
		return cleanToken(pos[0]), nil
	}
	return "", usageErrorf("expected one token, got %d arguments", len(pos))
}

// cleanToken trims whitespace and an optional "Bearer " prefix, so that an
// Authorization header value can be pasted as is.
func cleanToken(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	return s
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
	poolID := fs.String("user-pool-id", e.getenv("COGNITO_USER_POOL_ID"), "user pool ID, such as us-east-1_AbC123 (default $COGNITO_USER_POOL_ID)")
	var clients stringList
	fs.Var(&clients, "client-id", "accepted app client ID; repeat for several (default $COGNITO_CLIENT_ID, comma-separated)")
	tokenUse := fs.String("token-use", "", "accepted token: access, id or any (required)")
	issuer := fs.String("issuer", "", "expected issuer, for emulators (default https://cognito-idp.{region}.amazonaws.com/{pool})")
	jwksURL := fs.String("jwks-url", "", "JWKS URL (default {issuer}/.well-known/jwks.json)")
	jwksFile := fs.String("jwks-file", "", "read the keys from this JWKS file instead of fetching them")
	batch := fs.Bool("batch", false, "read one token per line from standard input; print one JSON result per line")
	at := fs.String("at", "", "verify as of this time (RFC 3339 or Unix seconds) instead of now")
	leeway := fs.Duration("leeway", 0, "tolerated clock skew for exp, nbf and iat (at most 5m)")
	timeout := fs.Duration("timeout", 10*time.Second, "JWKS fetch timeout")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	if len(clients) == 0 {
		for _, id := range strings.Split(e.getenv("COGNITO_CLIENT_ID"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				clients = append(clients, id)
			}
		}
	}
	usage := func(format string, a ...any) int {
		return fail(e, "verify", exitUsage, usageErrorf(format+" (see 'cognito verify --help')", a...))
	}
	switch {
	case *poolID == "":
		return usage("--user-pool-id is required (or set COGNITO_USER_POOL_ID)")
	case len(clients) == 0:
		return usage("--client-id is required (or set COGNITO_CLIENT_ID)")
	case *tokenUse == "":
		return usage("--token-use is required: access, id or any")
	case *jwksURL != "" && *jwksFile != "":
		return usage("--jwks-url and --jwks-file are mutually exclusive")
	case *batch && len(pos) > 0:
		return usage("--batch reads tokens from standard input; do not give a token argument")
	}
	cfg := verifier.Config{
		Pools: []verifier.Pool{{
			UserPoolID: *poolID,
			ClientIDs:  clients,
			TokenUse:   verifier.TokenUse(strings.ToLower(*tokenUse)),
			Issuer:     *issuer,
			JWKSURL:    *jwksURL,
			JWKSFile:   *jwksFile,
		}},
		Leeway:       *leeway,
		FetchTimeout: *timeout,
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
	tok, err := readToken(e, pos)
	if err != nil {
		if errors.Is(err, errUsage) {
			return fail(e, "verify", exitUsage, err)
		}
		return fail(e, "verify", exitFailure, err)
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		if errors.Is(err, verifier.ErrKeysUnavailable) {
			return fail(e, "verify", exitUnavailable, err)
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
		tok := cleanToken(sc.Text())
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
