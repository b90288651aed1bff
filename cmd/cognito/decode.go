package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

func init() {
	register(&command{
		name:    "decode",
		summary: "print a token's header and payload WITHOUT verifying it",
		usage: `Usage: cognito decode [--json] [--token-use access|id|any] [TOKEN | -]

Decodes TOKEN and prints its header and payload. NOTHING IS VERIFIED: not
the signature, not the issuer, not the expiry. Anyone can forge a token
that decodes fine; use 'cognito verify' before trusting any claim.

The token is the argument, else $COGNITO_ACCESS_TOKEN or $COGNITO_ID_TOKEN,
else standard input: the token alone, or the JSON printed by "cognito
login", "cognito refresh" or "cognito token". --token-use picks which of
the two (default any: the access token, else the ID token).

Exit status: 0 decoded, 1 not a decodable JWS, 2 usage error.`,
		examples: `  cognito decode "$TOKEN"
  pbpaste | cognito decode
  cognito login --username ann ... | cognito decode --token-use id
  cognito decode --json "$TOKEN" | jq .payload.exp`,
		run: runDecode,
	})
}

const unverifiedBanner = "UNVERIFIED: this token was decoded, not verified. Its signature, issuer, audience and expiry were NOT checked."

// decodedToken is the --json output of decode.
type decodedToken struct {
	Verified  bool            `json:"verified"`
	Warning   string          `json:"warning"`
	Header    json.RawMessage `json:"header"`
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"signature"` // "<n> bytes"
}

var errNotJWS = errors.New("not a compact JWS (header.payload.signature)")

// decodeSegments splits and decodes a compact JWS without verifying it.
func decodeSegments(tok string) (header, payload []byte, sigLen int, err error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		if len(parts) == 5 {
			return nil, nil, 0, fmt.Errorf("%w: it has 5 segments, so it is an encrypted JWE and cannot be decoded without the key", errNotJWS)
		}
		return nil, nil, 0, fmt.Errorf("%w: it has %d segments", errNotJWS, len(parts))
	}
	names := [3]string{"header", "payload", "signature"}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || strings.ContainsAny(p, "\r\n") {
			return nil, nil, 0, fmt.Errorf("%w: the %s is not unpadded base64url", errNotJWS, names[i])
		}
		raw[i] = b
	}
	for i := range 2 {
		if !json.Valid(raw[i]) || !bytes.HasPrefix(bytes.TrimSpace(raw[i]), []byte("{")) {
			return nil, nil, 0, fmt.Errorf("%w: the %s is not a JSON object", errNotJWS, names[i])
		}
	}
	return raw[0], raw[1], len(raw[2]), nil
}

func runDecode(ctx context.Context, e *env, args []string) int {
	c := commands["decode"]
	fs := c.newFlagSet(e)
	asJSON := fs.Bool("json", false, `print {"verified":false,"header":...,"payload":...} instead of text`)
	tokenUse := fs.String("token-use", "any", "which `token` to read from $"+envAccessToken+", $"+envIDTokenVar+" or JSON input: access, id or any (the access token, else the ID token); nothing is checked")
	pos, code, done := c.parseInterspersed(e, fs, args)
	if done {
		return code
	}
	use := strings.ToLower(*tokenUse)
	if !slices.Contains(tokenUses, use) {
		return fail(e, "decode", exitUsage, usageErrorf("--token-use %q: want access, id or any", *tokenUse))
	}
	tok, err := readTokenInput(e, pos, use)
	if err != nil {
		if errors.Is(err, errUsage) {
			return fail(e, "decode", exitUsage, err)
		}
		return fail(e, "decode", exitFailure, err)
	}
	header, payload, sigLen, err := decodeSegments(tok)
	if err != nil {
		return fail(e, "decode", exitFailure, err)
	}
	if *asJSON {
		out, err := json.Marshal(decodedToken{Verified: false, Warning: unverifiedBanner, Header: header,
			Payload: payload, Signature: fmt.Sprintf("%d bytes", sigLen)})
		if err != nil {
			return fail(e, "decode", exitFailure, err)
		}
		e.stdout.Write(append(out, '\n'))
		return exitOK
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\nHeader (UNVERIFIED):\n", unverifiedBanner)
	json.Indent(&b, header, "", "  ")
	b.WriteString("\n\nPayload (UNVERIFIED):\n")
	json.Indent(&b, payload, "", "  ")
	fmt.Fprintf(&b, "\n\nSignature: %d bytes, NOT checked\n", sigLen)
	if times := describeTimes(payload, time.Now()); times != "" {
		fmt.Fprintf(&b, "\nTimes (UTC, as claimed):\n%s", times)
	}
	e.stdout.Write(b.Bytes())
	return exitOK
}

// describeTimes renders the NumericDate claims of payload relative to now.
func describeTimes(payload []byte, now time.Time) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return ""
	}
	var b strings.Builder
	for _, name := range []string{"iat", "auth_time", "nbf", "exp"} {
		raw, ok := m[name]
		if !ok {
			continue
		}
		var f float64
		if json.Unmarshal(raw, &f) != nil || f < 0 || f > 253402300799 {
			fmt.Fprintf(&b, "  %-9s %s (not a valid NumericDate)\n", name, raw)
			continue
		}
		t := time.Unix(int64(f), 0).UTC()
		rel := "from now"
		d := t.Sub(now)
		if d < 0 {
			rel, d = "ago", -d
		}
		fmt.Fprintf(&b, "  %-9s %s (%s %s)\n", name, t.Format(time.RFC3339), humanDuration(d), rel)
	}
	return b.String()
}

// humanDuration renders d in days and hours past two days, else like
// time.Duration rounded to the second.
func humanDuration(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Second).String()
	}
	days := d / (24 * time.Hour)
	return fmt.Sprintf("%dd%dh", days, (d-days*24*time.Hour)/time.Hour)
}
