package authcore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

// TokenVerifier is [auth.TokenVerifier].
type TokenVerifier = auth.TokenVerifier

// Rejection is [auth.Rejection].
type Rejection = auth.Rejection

// Kind is [auth.Kind].
type Kind = auth.Kind

// The kinds and codes of package auth, under short local names.
const (
	KindMissing           = auth.KindMissing
	KindBadRequest        = auth.KindBadRequest
	KindInvalidToken      = auth.KindInvalidToken
	KindForbidden         = auth.KindForbidden
	KindUnavailable       = auth.KindUnavailable
	CodeInvalidRequest    = auth.CodeInvalidRequest
	CodeInvalidToken      = auth.CodeInvalidToken
	CodeInsufficientScope = auth.CodeInsufficientScope
	CodeUnavailable       = auth.CodeUnavailable
)

// Options configure an [Engine].
type Options struct {
	// Policy applies to every authenticated request. Optional.
	Policy verifier.Policy
	// Realm is the realm of the WWW-Authenticate challenge. Optional.
	// Default "api". It may not contain quotes, backslashes or control
	// characters.
	Realm string
	// RetryAfter is the Retry-After delay of 503 answers. Optional.
	// Default 10 s (the verifier's default refetch cooldown); rounded up to
	// whole seconds.
	RetryAfter time.Duration
	// Logger receives one record per rejection (never the token).
	// Optional. Default: no logging.
	Logger *slog.Logger
}

// DefaultRealm and DefaultRetryAfter are the defaults of [Options].
const (
	DefaultRealm      = "api"
	DefaultRetryAfter = 10 * time.Second
)

// Engine verifies tokens and builds rejections. It is immutable after
// [NewEngine] and safe for concurrent use.
type Engine struct {
	v TokenVerifier
	// builtin is set when v is a *verifier.Verifier, which rejects any
	// token holding a space, tab or comma: the engine then checks
	// [Token.Single] only after a rejection, to choose the answer.
	builtin    bool
	policy     verifier.Policy
	hasPolicy  bool
	realm      string
	prefix     string // `Bearer realm="..."`
	retryAfter int
	logger     *slog.Logger
}

// NewEngine validates opts and returns an Engine. Errors wrap
// [ErrInvalidConfig].
func NewEngine(v TokenVerifier, opts Options) (*Engine, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: the token verifier is nil; pass a *verifier.Verifier from verifier.New", ErrInvalidConfig)
	}
	if err := ValidatePolicy(opts.Policy); err != nil {
		return nil, fmt.Errorf("%w: Policy: %w", ErrInvalidConfig, err)
	}
	_, builtin := v.(*verifier.Verifier)
	e := &Engine{v: v, builtin: builtin, policy: opts.Policy, hasPolicy: !opts.Policy.IsZero(), realm: opts.Realm, logger: opts.Logger}
	if e.realm == "" {
		e.realm = DefaultRealm
	}
	if !quotable(e.realm) || len(e.realm) > 256 {
		return nil, fmt.Errorf("%w: Realm %q must be at most 256 printable ASCII characters without quotes or backslashes", ErrInvalidConfig, e.realm)
	}
	e.prefix = `Bearer realm="` + e.realm + `"`
	switch ra := opts.RetryAfter; {
	case ra < 0:
		return nil, fmt.Errorf("%w: RetryAfter is negative (%v); use 0 for the default %v", ErrInvalidConfig, ra, DefaultRetryAfter)
	case ra == 0:
		e.retryAfter = int(DefaultRetryAfter / time.Second)
	case ra > 24*time.Hour:
		return nil, fmt.Errorf("%w: RetryAfter %v is longer than 24h", ErrInvalidConfig, ra)
	default:
		e.retryAfter = int((ra + time.Second - 1) / time.Second)
	}
	return e, nil
}

// ValidatePolicy rejects policies with empty or unquotable group or scope
// names.
func ValidatePolicy(p verifier.Policy) error {
	for _, list := range [][]string{p.AnyGroups, p.AllGroups, p.AnyScopes, p.AllScopes} {
		for _, s := range list {
			if s == "" || !scopeToken(s) {
				return fmt.Errorf("%w: group or scope name %q is empty or has spaces, quotes, backslashes or control characters", ErrInvalidConfig, s)
			}
		}
	}
	return nil
}

// Realm returns the configured realm.
func (e *Engine) Realm() string { return e.realm }

// Authenticate turns the outcome of token extraction into a verdict: it
// verifies tok (when extractErr is nil), then applies the engine's
// policy. It returns the claims, or nil and a rejection. A header value
// holding more than one credential ([Token.Single]) is rejected with
// [ErrBadAuthorization] without reaching a custom verifier.
func (e *Engine) Authenticate(ctx context.Context, tok Token, extractErr error) (*verifier.Claims, *Rejection) {
	if extractErr != nil {
		return nil, e.Reject(extractErr)
	}
	if !e.builtin {
		if err := tok.Single(); err != nil {
			return nil, e.Reject(err)
		}
	}
	c, err := e.v.Verify(ctx, tok.Value)
	if err != nil && e.builtin {
		if serr := tok.Single(); serr != nil {
			err = serr
		}
	}
	return e.Judge(ctx, c, err)
}

// Judge turns the outcome of a verification done by the caller (such as
// the ALB mode's check of the forwarded headers) into a verdict: the
// rejection of err, or the claims once the engine's policy accepts them.
func (e *Engine) Judge(ctx context.Context, c *verifier.Claims, err error) (*verifier.Claims, *Rejection) {
	if err != nil {
		return nil, e.Reject(err)
	}
	if c == nil {
		return nil, e.Reject(fmt.Errorf("%w: the token verifier returned no claims and no error", verifier.ErrMalformed))
	}
	if e.hasPolicy {
		if err := e.policy.Evaluate(ctx, c); err != nil {
			return nil, e.Reject(err)
		}
	}
	return c, nil
}

// Check applies p to c (nil c is rejected as missing credentials), for
// route-level requirements.
func (e *Engine) Check(ctx context.Context, c *verifier.Claims, p verifier.Policy) *Rejection {
	if c == nil {
		return e.Reject(ErrNoClaims)
	}
	if err := p.Evaluate(ctx, c); err != nil {
		return e.Reject(err)
	}
	return nil
}

// tokenLevel reports whether err is a rejection of the token itself rather
// than of its permissions (a Policy.Check may return verifier sentinels
// such as ErrWrongTokenUse to get a 401).
func tokenLevel(err error) bool {
	switch verifier.Reason(err) {
	case "", "other", "missing_group", "missing_scope", "check_failed":
		return false
	}
	return true
}

// Reject classifies err into a Rejection.
func (e *Engine) Reject(err error) *Rejection {
	r := &Rejection{Err: err}
	var pe *verifier.PolicyError
	switch {
	case errors.Is(err, ErrNoToken), errors.Is(err, ErrNoClaims):
		r.Kind, r.Status, r.Reason = KindMissing, 401, "no_token"
		r.Description = "A bearer token is required."
	case errors.Is(err, ErrAmbiguousToken):
		r.Kind, r.Status, r.Code, r.Reason = KindBadRequest, 400, CodeInvalidRequest, "ambiguous_token"
		r.Description = "Send exactly one bearer token."
	case errors.Is(err, ErrBadAuthorization):
		r.Kind, r.Status, r.Code, r.Reason = KindBadRequest, 400, CodeInvalidRequest, "bad_authorization"
		r.Description = "The Authorization header must be \"Bearer\" followed by exactly one token."
	case errors.Is(err, verifier.ErrKeysUnavailable), errors.Is(err, verifier.ErrRevocationUnavailable):
		r.Kind, r.Status, r.Code, r.Reason = KindUnavailable, 503, CodeUnavailable, "keys_unavailable"
		if !errors.Is(err, verifier.ErrKeysUnavailable) {
			r.Reason = "revocation_unavailable"
		}
		r.Description = "The token cannot be verified right now; retry later."
		r.RetryAfter = e.retryAfter
	case errors.As(err, &pe) && !(pe.Sentinel == verifier.ErrCheckFailed && tokenLevel(pe.Err)):
		r.Kind, r.Status, r.Code, r.Reason = KindForbidden, 403, CodeInsufficientScope, verifier.Reason(pe.Sentinel)
		switch pe.Sentinel {
		case verifier.ErrMissingScope:
			r.Description = "The token lacks a required scope."
			r.Scopes = pe.Missing
		case verifier.ErrMissingGroup:
			r.Description = "The token lacks a required group."
		default:
			r.Description = "The token is not allowed to access this resource."
		}
	default:
		r.Kind, r.Status, r.Code, r.Reason = KindInvalidToken, 401, CodeInvalidToken, verifier.Reason(err)
		if pe != nil {
			r.Reason = verifier.Reason(pe.Err)
		}
		r.Description = invalidDescription(r.Reason)
	}
	if r.Kind != KindUnavailable {
		r.Challenge = e.challenge(r)
	}
	return r
}

func invalidDescription(reason string) string {
	switch reason {
	case "expired":
		return "The token has expired."
	case "not_yet_valid":
		return "The token is not valid yet."
	case "malformed", "too_large":
		return "The token is malformed."
	case "wrong_client":
		return "The token was issued to another client."
	case "wrong_token_use":
		return "The token is of the wrong type (ID or access token)."
	case "wrong_issuer":
		return "The token was issued by another issuer."
	case "revoked":
		return "The token has been revoked."
	}
	return "The token is invalid."
}

// challenge builds the WWW-Authenticate value of RFC 6750 section 3.
func (e *Engine) challenge(r *Rejection) string {
	if r.Code == "" {
		return e.prefix
	}
	var b strings.Builder
	b.Grow(len(e.prefix) + 64 + len(r.Description))
	b.WriteString(e.prefix)
	b.WriteString(`, error="`)
	b.WriteString(r.Code)
	b.WriteString(`", error_description="`)
	b.WriteString(r.Description) // constants: quotable by construction
	b.WriteByte('"')
	if len(r.Scopes) > 0 {
		b.WriteString(`, scope="`)
		n := 0
		for _, s := range r.Scopes {
			if !scopeToken(s) { // policies are validated; be safe with PolicyErrors from custom checks
				continue
			}
			if n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
			n++
		}
		b.WriteByte('"')
	}
	return b.String()
}

// quotable reports whether s can appear in an RFC 7230 quoted-string
// without escapes (printable ASCII except '"' and '\').
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// scopeToken reports whether s is a scope-token of RFC 6749 section 3.3
// (%x21 / %x23-5B / %x5D-7E).
func scopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Log records a rejection on the engine's logger, with transport-specific
// attributes. It never logs the token.
func (e *Engine) Log(ctx context.Context, r *Rejection, attrs ...slog.Attr) {
	if e.logger == nil {
		return
	}
	level := slog.LevelInfo
	if r.Kind == KindUnavailable {
		level = slog.LevelWarn
	}
	if !e.logger.Enabled(ctx, level) {
		return
	}
	all := make([]slog.Attr, 0, len(attrs)+3)
	all = append(all, slog.String("reason", r.Reason), slog.Int("status", r.Status))
	all = append(all, attrs...)
	if r.Err != nil {
		all = append(all, slog.String("error", r.Err.Error()))
	}
	e.logger.LogAttrs(ctx, level, "cognitokit: request rejected", all...)
}

// Logger returns the engine's logger, or nil.
func (e *Engine) Logger() *slog.Logger { return e.logger }

// NoMiddleware reports a route requirement that found no adapter state in
// the request context: the authentication middleware is not in front of
// it. It logs one record on slog.Default at Error level (the requirement
// has no logger of its own) naming the requirement and the missing
// middleware, and returns an error wrapping [auth.ErrNoMiddleware]. The
// caller answers 500: a valid token must not be told it is missing.
func NoMiddleware(ctx context.Context, requirement, middleware string, attrs ...slog.Attr) error {
	err := fmt.Errorf("%w: %s ran without %s in front of it; install that middleware around this route (or the whole router)", auth.ErrNoMiddleware, requirement, middleware)
	all := make([]slog.Attr, 0, len(attrs)+3)
	all = append(all, slog.String("requirement", requirement), slog.String("missing", middleware))
	all = append(all, attrs...)
	all = append(all, slog.String("error", err.Error()))
	slog.Default().LogAttrs(ctx, slog.LevelError, "cognitokit: route requirement without the authentication middleware in front; answering 500", all...)
	return err
}

// Body is the default JSON error body.
type Body struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// DefaultBody returns the default JSON body of r: the RFC 6750 code
// ("unauthorized" when the request had no credentials) and the
// description.
func DefaultBody(r *Rejection) Body {
	code := r.Code
	if code == "" {
		code = "unauthorized"
	}
	return Body{Error: code, Description: r.Description}
}
