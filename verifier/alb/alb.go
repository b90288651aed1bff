package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// Config configures a [Verifier]. ALBARNs, ClientIDs and Issuer are
// required; every other field's zero value is a documented default.
type Config struct {
	// ALBARNs are the load balancers whose tokens are accepted: the
	// token's signer header must equal one of them byte for byte, such as
	// "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188".
	// Required, at least one. The key endpoint is derived from each ARN's
	// partition and region.
	ALBARNs []string

	// ClientIDs are the app client IDs of the listener rule's
	// authenticate-cognito (or authenticate-oidc) action: the token's
	// client header must be one of them. Required, at least one.
	ClientIDs []string

	// Issuer is the IdP's issuer, which the ALB copies into the token's
	// iss header: for a Cognito user pool,
	// https://cognito-idp.{region}.amazonaws.com/{userPoolId}. Required;
	// tokens must carry it byte for byte.
	Issuer string

	// KeyURL overrides where public keys are fetched: the key of kid K is
	// read from KeyURL + "/" + K, for emulators such as cognito local
	// --alb. It must be https, except for loopback hosts. Optional.
	// Default, from each ARN: https://public-keys.auth.elb.{region}.amazonaws.com
	// in the aws partition, and
	// https://s3-{region}.amazonaws.com/aws-elb-public-keys-prod-{region}
	// in aws-us-gov (GovCloud); other partitions need KeyURL.
	KeyURL string

	// AccessTokens, if set, verifies the access token the ALB forwards in
	// x-amzn-oidc-accesstoken, in [Verifier.VerifyHeaders]: typically a
	// *verifier.Verifier for the user pool with TokenUse access and the
	// same client ID. The access token must then be present, valid, and
	// belong to the user of the signed claims. Optional. Default: the
	// access token is not read. It is what carries cognito:groups and
	// scope; the user claims do not.
	AccessTokens auth.TokenVerifier

	// HTTPClient fetches public keys. Optional. Default: a client using
	// http.DefaultTransport. Redirects are never followed, whatever the
	// client: the key endpoint answers directly, and whoever answered
	// at a redirect target would choose the key.
	HTTPClient *http.Client

	// Now is the clock for exp. Optional. Default time.Now.
	Now func() time.Time

	// Leeway is the clock skew tolerated for exp. Optional. Default 0; at
	// most 5 minutes. ALB tokens live for a short time, so keep it small.
	Leeway time.Duration

	// MaxTokenSize is the longest token accepted, in bytes. Optional.
	// Default 16 KiB; at most 1 MiB. The ALB's own limit on the claims is
	// 11 KB.
	MaxTokenSize int

	// FetchTimeout bounds one key fetch. Optional. Default 5 s.
	FetchTimeout time.Duration

	// RefetchCooldown: after a key fetch fails, tokens naming a key that
	// is not cached fail at once, without a fetch, for this long (with
	// verifier.ErrCooldown when the endpoint said the key does not exist,
	// verifier.ErrKeysUnavailable when it could not be reached), so that
	// tokens with made-up kids cannot make the service hammer the key
	// endpoint. Keys already cached keep working. Optional. Default 10 s.
	RefetchCooldown time.Duration

	// MaxKeys caps the number of public keys kept; the oldest is dropped
	// when a new one arrives. Optional. Default 64.
	MaxKeys int

	// Logger receives key fetch outcomes (never tokens). Optional.
	// Default: discard.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultMaxTokenSize    = 16 << 10
	DefaultFetchTimeout    = 5 * time.Second
	DefaultRefetchCooldown = 10 * time.Second
	DefaultMaxKeys         = 64

	maxLeeway       = 5 * time.Minute
	maxTokenSizeCap = 1 << 20
	maxKeyBody      = 8 << 10
)

// Verifier verifies the user-claims tokens an Application Load Balancer
// signs (x-amzn-oidc-data), and with [Verifier.VerifyHeaders] the whole
// set of headers it forwards. It is safe for concurrent use and holds no
// goroutines: there is nothing to close.
type Verifier struct {
	arns      map[string]string // ALB ARN → key base URL (no trailing slash)
	clientIDs []string
	issuer    string
	poolID    string // the user pool ID, when Issuer is a Cognito issuer
	access    auth.TokenVerifier
	now       func() time.Time
	leeway    time.Duration
	maxToken  int
	keys      *keyStore
}

var (
	arnRegion  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)
	arnAccount = regexp.MustCompile(`^\d{12}$`)
	// kidForm is the form of the ALB's key IDs: a UUID. Anything else is
	// refused before a fetch, so a kid can never reach into another path
	// of the key endpoint.
	kidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	cognito = regexp.MustCompile(`^https://cognito-idp\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com/([a-z]{2}(-gov)?-[a-z]+-\d_[A-Za-z0-9]+)$`)
)

// New validates cfg and returns a Verifier. Errors wrap [ErrInvalidConfig]
// (and verifier.ErrInvalidConfig). New does no network I/O.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{arns: map[string]string{}, issuer: cfg.Issuer, access: cfg.AccessTokens, now: cfg.Now, leeway: cfg.Leeway}
	if len(cfg.ALBARNs) == 0 {
		return nil, configErrorf("ALBARNs is empty; list the ARNs of the load balancers in front of this service")
	}
	if cfg.KeyURL != "" {
		if err := checkKeyURL(cfg.KeyURL); err != nil {
			return nil, err
		}
	}
	for i, arn := range cfg.ALBARNs {
		base, err := keyBase(arn)
		if err != nil && cfg.KeyURL == "" {
			return nil, configErrorf("ALBARNs[%d]: %v", i, err)
		}
		if err != nil && !strings.HasPrefix(arn, "arn:") {
			return nil, configErrorf("ALBARNs[%d] %q is not an ARN", i, arn)
		}
		if cfg.KeyURL != "" {
			base = strings.TrimSuffix(cfg.KeyURL, "/")
		}
		v.arns[arn] = base
	}
	if len(cfg.ClientIDs) == 0 {
		return nil, configErrorf("ClientIDs is empty; list the app client ID of the listener rule's authenticate action")
	}
	for _, c := range cfg.ClientIDs {
		if c == "" || strings.ContainsFunc(c, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return nil, configErrorf("ClientIDs has an empty or non-printable client ID %q", c)
		}
	}
	v.clientIDs = slices.Clone(cfg.ClientIDs)
	if cfg.Issuer == "" {
		return nil, configErrorf("Issuer is empty; set the IdP's issuer, such as https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, configErrorf("Issuer %q is not an absolute http(s) URL", cfg.Issuer)
	}
	if m := cognito.FindStringSubmatch(cfg.Issuer); m != nil {
		v.poolID = m[2]
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, configErrorf("Leeway %v is outside [0, %v]", cfg.Leeway, maxLeeway)
	}
	switch {
	case cfg.MaxTokenSize < 0 || cfg.MaxTokenSize > maxTokenSizeCap:
		return nil, configErrorf("MaxTokenSize %d is outside [0, %d]; use 0 for the default %d", cfg.MaxTokenSize, maxTokenSizeCap, DefaultMaxTokenSize)
	case cfg.MaxTokenSize == 0:
		v.maxToken = DefaultMaxTokenSize
	default:
		v.maxToken = cfg.MaxTokenSize
	}
	if v.now == nil {
		v.now = time.Now
	}
	ks, err := newKeyStore(cfg)
	if err != nil {
		return nil, err
	}
	v.keys = ks
	return v, nil
}

// keyBase returns the key endpoint of an ALB ARN.
func keyBase(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "elasticloadbalancing" {
		return "", errorf("%q is not a load balancer ARN (arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id})", arn)
	}
	partition, region, account, res := parts[1], parts[3], parts[4], parts[5]
	if !arnRegion.MatchString(region) || !arnAccount.MatchString(account) || !strings.HasPrefix(res, "loadbalancer/app/") {
		return "", errorf("%q is not an Application Load Balancer ARN (arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id})", arn)
	}
	switch partition {
	case "aws":
		return "https://public-keys.auth.elb." + region + ".amazonaws.com", nil
	case "aws-us-gov":
		return "https://s3-" + region + ".amazonaws.com/aws-elb-public-keys-prod-" + region, nil
	}
	return "", errorf("%q is in partition %q, whose ALB key endpoint is not built in; set Config.KeyURL", arn, partition)
}

type plainError string

func (e plainError) Error() string { return string(e) }

func errorf(format string, args ...any) error {
	return plainError(fmt.Sprintf(format, args...))
}

func checkKeyURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return configErrorf("KeyURL %q must be an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return configErrorf("KeyURL %q must not have a query, fragment or user info", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return configErrorf("KeyURL %q uses plain http: anyone on the path could substitute keys; use https (http is accepted for loopback hosts)", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// header is the parsed protected header of an ALB token.
type header struct {
	alg, kid, signer, client, iss, typ string
	exp                                int64
	hasExp                             bool
}

// Verify verifies the user-claims token of an x-amzn-oidc-data header and
// returns its claims. It implements auth.TokenVerifier, so a *Verifier can
// be given to any transport; [Verifier.VerifyHeaders] checks the other
// forwarded headers as well.
//
// The checks, in order: size; the three segments, either all unpadded
// base64url (RFC 7515) or all padded as the ALB pads them; the header
// (unique member names, alg ES256, a UUID kid, none of jku, x5u, jwk, x5c
// and crit); signer is one of Config.ALBARNs, before any key is fetched;
// the key named by kid (fetched from the signer's region once, then
// cached); the ES256 signature over the segments as transmitted; client,
// iss and exp (required) from the header; the payload, parsed with the
// rules of verifier.ParseUnverifiedClaims, whose iss and exp, when
// present, must agree.
//
// The claims are those the IdP's user-info endpoint returned (sub, email,
// email_verified, username, custom attributes, ...), with ClientID from
// the client header, Issuer from iss, ExpiresAt from the earlier exp,
// KeyID from kid and, for Cognito issuers, UserPoolID. TokenUse is empty:
// the token is neither an ID nor an access token, and user-info carries
// no cognito:groups.
//
// Errors match the sentinels of package verifier (and [ErrWrongSigner]);
// verifier.ErrKeysUnavailable means the key could not be fetched and the
// token was not judged. A nil ctx is an error matching
// verifier.ErrInvalidInput.
func (v *Verifier) Verify(ctx context.Context, token string) (*verifier.Claims, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if len(token) > v.maxToken {
		return nil, rejectf(verifier.ErrTooLarge, "the token is %d bytes; the limit is %d (Config.MaxTokenSize)", len(token), v.maxToken)
	}
	hdrSeg, paySeg, sigSeg, err := split(token)
	if err != nil {
		return nil, err
	}
	enc := base64.RawURLEncoding.Strict()
	if strings.IndexByte(token, '=') >= 0 {
		// The ALB's encoding: every segment padded to a multiple of four.
		enc = base64.URLEncoding.Strict()
		if len(hdrSeg)%4 != 0 || len(paySeg)%4 != 0 || len(sigSeg)%4 != 0 {
			return nil, reject(verifier.ErrMalformed, "the token mixes padded and unpadded base64url segments; the ALB pads every segment, RFC 7515 none")
		}
	}
	hdrJSON, err := enc.DecodeString(hdrSeg)
	if err != nil {
		return nil, reject(verifier.ErrMalformed, "the header is not valid base64url")
	}
	payload, err := enc.DecodeString(paySeg)
	if err != nil {
		return nil, reject(verifier.ErrMalformed, "the payload is not valid base64url")
	}
	var sigBuf [66]byte // DecodedLen of the 88 padded characters of 64 bytes
	if enc.DecodedLen(len(sigSeg)) > len(sigBuf) {
		return nil, reject(verifier.ErrMalformed, "the signature is longer than an ES256 signature")
	}
	n, err := enc.Decode(sigBuf[:], []byte(sigSeg))
	if err != nil {
		return nil, reject(verifier.ErrMalformed, "the signature is not valid base64url")
	}
	if n != 64 {
		return nil, reject(verifier.ErrMalformed, "the signature is not the 64-byte R‖S of ES256 (RFC 7518 section 3.4)")
	}
	h, err := parseHeader(hdrJSON)
	if err != nil {
		return nil, err
	}
	base, ok := v.arns[h.signer]
	if !ok {
		return nil, &rejection{sentinel: verifier.ErrWrongIssuer, also: ErrWrongSigner,
			msg: "the signer header is not one of Config.ALBARNs; another load balancer signed the token, or it is forged"}
	}
	key, err := v.keys.key(ctx, base, h.kid)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(token[:len(hdrSeg)+1+len(paySeg)]))
	r := new(big.Int).SetBytes(sigBuf[:32])
	s := new(big.Int).SetBytes(sigBuf[32:64])
	if !ecdsa.Verify(key, digest[:], r, s) {
		return nil, reject(verifier.ErrBadSignature, "the signature does not verify under the ALB key named by kid; the token was altered or signed by someone else")
	}
	if !slices.Contains(v.clientIDs, h.client) {
		return nil, reject(verifier.ErrWrongClient, "the client header is not one of Config.ClientIDs; the token was issued for another app client")
	}
	if h.iss != v.issuer {
		return nil, rejectf(verifier.ErrWrongIssuer, "the iss header is not %s (Config.Issuer)", v.issuer)
	}
	if !h.hasExp {
		return nil, reject(verifier.ErrMalformed, "the header has no exp")
	}
	c, err := verifier.ParseUnverifiedClaims(payload)
	if err != nil {
		return nil, &rejection{sentinel: verifier.ErrMalformed, msg: "the payload", cause: err}
	}
	if c.Issuer != "" && c.Issuer != h.iss {
		return nil, reject(verifier.ErrWrongIssuer, "the payload's iss disagrees with the header's")
	}
	exp := time.Unix(h.exp, 0)
	if c.ExpiresAt.IsZero() || exp.Before(c.ExpiresAt) {
		c.ExpiresAt = exp
	}
	if !v.now().Before(c.ExpiresAt.Add(v.leeway)) {
		return nil, reject(verifier.ErrExpired, "the token's exp has passed; ALB tokens are short-lived, so the request was replayed, or the clocks disagree")
	}
	if c.Subject == "" {
		return nil, reject(verifier.ErrMalformed, "the payload has no sub")
	}
	c.Issuer = h.iss
	c.ClientID = h.client
	c.KeyID = h.kid
	c.UserPoolID = v.poolID
	return c, nil
}

// split returns the three segments of a compact JWS, refusing bytes
// outside the base64url alphabet, the padding character and the two dots
// (the base64 decoder would skip CR and LF).
func split(token string) (h, p, s string, err error) {
	if token == "" {
		return "", "", "", reject(verifier.ErrMalformed, "the token is empty")
	}
	for i := 0; i < len(token); i++ {
		if !alphabet[token[i]] {
			switch c := token[i]; {
			case c == '+' || c == '/':
				return "", "", "", reject(verifier.ErrMalformed, "the token uses the standard base64 alphabet; the ALB uses base64url")
			default:
				return "", "", "", reject(verifier.ErrMalformed, "the token has characters outside base64url (whitespace, a prefix or quotes?)")
			}
		}
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s, '.') >= 0 {
		return "", "", "", reject(verifier.ErrMalformed, "the token is not a compact JWS (header.payload.signature)")
	}
	if h == "" || p == "" || s == "" {
		return "", "", "", reject(verifier.ErrMalformed, "the token has an empty segment")
	}
	return h, p, s, nil
}

var alphabet = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'], t['='] = true, true, true, true
	return t
}()
