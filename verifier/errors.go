package verifier

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned by [New] and [Verifier.Verify]. Match them with
// [errors.Is]; the wrapped message says what went wrong and what to do.
//
// Rejections of the token itself (everything except [ErrInvalidConfig],
// [ErrInvalidInput], [ErrKeysUnavailable] and [ErrRevocationUnavailable])
// mean "this token is not acceptable" and map to HTTP 401 (or 403 for
// [ErrMissingGroup], [ErrMissingScope] and [ErrCheckFailed], which come as
// a [*PolicyError]). [ErrKeysUnavailable] means the verifier could not
// obtain a usable key set, and [ErrRevocationUnavailable] that
// Config.Revocation could not tell whether the token was revoked: the
// token was not judged at all, and both map to HTTP 503.
//
// Errors never contain the token or any of its unverified claims.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = errors.New("verifier: invalid configuration")

	// ErrInvalidInput: a bad argument from the caller, not a verdict on a
	// token: a nil context given to [Verifier.Verify] or [Verifier.Warm].
	// Pass context.Background() or the request's context.
	ErrInvalidInput = errors.New("verifier: invalid input")

	// ErrMalformed: the token is not a well-formed Cognito JWS: wrong
	// number of segments, bad base64url (padding, whitespace), invalid JSON,
	// duplicate header or claim names, a claim of the wrong type, a missing
	// required claim (exp, iss, token_use, aud or client_id) or a forbidden
	// header (jku, x5u, jwk, x5c, crit).
	ErrMalformed = errors.New("verifier: malformed token")

	// ErrTooLarge: the token is longer than Config.MaxTokenSize. It was
	// rejected before any parsing.
	ErrTooLarge = errors.New("verifier: token too large")

	// ErrUnsupportedAlg: the header's alg is not on the allow-list (none,
	// HS256, ...) or does not match the alg of the key named by kid.
	ErrUnsupportedAlg = errors.New("verifier: unsupported or mismatched algorithm")

	// ErrBadSignature: the signature does not verify under the key named by
	// kid. This never triggers a JWKS refetch.
	ErrBadSignature = errors.New("verifier: bad signature")

	// ErrExpired: exp is in the past (beyond Config.Leeway).
	ErrExpired = errors.New("verifier: token expired")

	// ErrNotYetValid: nbf or iat is in the future (beyond Config.Leeway).
	ErrNotYetValid = errors.New("verifier: token not yet valid")

	// ErrWrongIssuer: iss is not the issuer of any configured pool.
	ErrWrongIssuer = errors.New("verifier: wrong issuer")

	// ErrWrongClient: aud (ID token) or client_id (access token) is not one
	// of the pool's ClientIDs.
	ErrWrongClient = errors.New("verifier: wrong client")

	// ErrWrongTokenUse: token_use is not the one the pool requires (an ID
	// token where an access token is required, or the reverse).
	ErrWrongTokenUse = errors.New("verifier: wrong token use")

	// ErrMissingGroup: a [Policy] requires groups the token lacks. The error
	// is a [*PolicyError].
	ErrMissingGroup = errors.New("verifier: missing group")

	// ErrMissingScope: a [Policy] requires scopes the token lacks. The error
	// is a [*PolicyError].
	ErrMissingScope = errors.New("verifier: missing scope")

	// ErrCheckFailed: a [Policy.Check] function returned an error. The error
	// is a [*PolicyError] that also wraps the function's error.
	ErrCheckFailed = errors.New("verifier: custom check failed")

	// ErrUnknownKey: the kid in the header is not in the pool's key set, even
	// after a refetch (or the pool's JWKS is static).
	ErrUnknownKey = errors.New("verifier: unknown key")

	// ErrKeysUnavailable: the key set could not be fetched and no good key
	// set younger than Config.MaxStaleness is available, or the caller's
	// context ended while waiting for a fetch. The token was not judged.
	ErrKeysUnavailable = errors.New("verifier: keys unavailable")

	// ErrRevoked: the token was revoked (its refresh token was revoked,
	// or its user signed out everywhere) according to
	// Config.Revocation. Signing in again gives a new token.
	ErrRevoked = errors.New("verifier: token revoked")

	// ErrRevocationUnavailable: Config.Revocation could not tell whether
	// the token was revoked (for example an online check that cannot
	// reach Cognito and fails closed). Like [ErrKeysUnavailable], the
	// token was not judged: it maps to HTTP 503.
	ErrRevocationUnavailable = errors.New("verifier: revocation status unavailable")

	// ErrCooldown: the kid is unknown and a refetch was done less than
	// Config.RefetchCooldown ago, so the token fails fast. Errors matching
	// ErrCooldown also match [ErrUnknownKey].
	ErrCooldown = errors.New("verifier: unknown key, JWKS refetch cooling down")
)

// sentinels is the closed set, in the order [Reason] tests them.
var sentinels = [...]struct {
	err   error
	label string
}{
	{ErrCooldown, "cooldown"},
	{ErrKeysUnavailable, "keys_unavailable"},
	{ErrRevocationUnavailable, "revocation_unavailable"},
	{ErrInvalidConfig, "invalid_config"},
	{ErrInvalidInput, "invalid_input"},
	{ErrTooLarge, "too_large"},
	{ErrMalformed, "malformed"},
	{ErrUnsupportedAlg, "unsupported_alg"},
	{ErrUnknownKey, "unknown_key"},
	{ErrBadSignature, "bad_signature"},
	{ErrWrongIssuer, "wrong_issuer"},
	{ErrWrongTokenUse, "wrong_token_use"},
	{ErrWrongClient, "wrong_client"},
	{ErrExpired, "expired"},
	{ErrNotYetValid, "not_yet_valid"},
	{ErrRevoked, "revoked"},
	{ErrMissingGroup, "missing_group"},
	{ErrMissingScope, "missing_scope"},
	{ErrCheckFailed, "check_failed"},
}

// Reason returns a short, stable label for the sentinel err matches
// ("expired", "bad_signature", "keys_unavailable", ...), suitable as a
// metrics label. It returns "" for nil and "other" for errors outside the
// closed set.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	if s := sentinelOf(err); s != nil {
		for _, x := range sentinels {
			if x.err == s {
				return x.label
			}
		}
	}
	for _, x := range sentinels {
		if errors.Is(err, x.err) {
			return x.label
		}
	}
	return "other"
}

// sentinelOf returns the sentinel of a rejection built by this package
// without walking the chain, or nil.
func sentinelOf(err error) error {
	switch e := err.(type) {
	case *rejection:
		return e.sentinel
	case *PolicyError:
		return e.Sentinel
	}
	return nil
}

// rejection is the error type behind every token rejection: a sentinel plus
// a message for humans. It never holds token material.
type rejection struct {
	sentinel error
	msg      string
	cause    error // optional, e.g. a fetch error or context error
	also     error // optional second sentinel (ErrUnknownKey for ErrCooldown)
}

func (e *rejection) Error() string {
	var b strings.Builder
	b.WriteString(e.sentinel.Error())
	if e.msg != "" {
		b.WriteString(": ")
		b.WriteString(e.msg)
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

func (e *rejection) Unwrap() []error {
	errs := make([]error, 0, 3)
	errs = append(errs, e.sentinel)
	if e.also != nil {
		errs = append(errs, e.also)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func reject(sentinel error, msg string) error {
	return &rejection{sentinel: sentinel, msg: msg}
}

func rejectf(sentinel error, format string, args ...any) error {
	return &rejection{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// errNilContext is what Verify and Warm return for a nil context, as
// net/http, go-oidc and x/oauth2 refuse one.
var errNilContext = reject(ErrInvalidInput, "nil context; pass context.Background() or the request's context")

func configErrorf(format string, args ...any) error {
	return &rejection{sentinel: ErrInvalidConfig, msg: fmt.Sprintf(format, args...)}
}

// PolicyError reports a token that is valid but not allowed by a [Policy]:
// it lacks a required group or scope, or the policy's Check rejected it.
// Middleware typically maps it to HTTP 403 and, for scopes, names the
// Missing scopes in the WWW-Authenticate header.
type PolicyError struct {
	// Sentinel is ErrMissingGroup, ErrMissingScope or ErrCheckFailed.
	Sentinel error
	// Missing lists the required groups or scopes. With All set, these are
	// the ones the token lacks from an all-of requirement; otherwise the
	// token has none of them (any-of).
	Missing []string
	// All is true when the requirement was all-of.
	All bool
	// Err is the error returned by Policy.Check (Sentinel is
	// ErrCheckFailed), nil otherwise.
	Err error
}

func (e *PolicyError) Error() string {
	var what string
	switch e.Sentinel {
	case ErrMissingGroup:
		what = "group"
	case ErrMissingScope:
		what = "scope"
	default:
		if e.Err != nil {
			return e.Sentinel.Error() + ": " + e.Err.Error()
		}
		return e.Sentinel.Error()
	}
	if e.All {
		return fmt.Sprintf("%v: the token lacks the required %s(s) %s", e.Sentinel, what, strings.Join(e.Missing, ", "))
	}
	return fmt.Sprintf("%v: the token needs at least one of the %ss %s", e.Sentinel, what, strings.Join(e.Missing, ", "))
}

// Unwrap returns the sentinel and, for a failed Check, the Check's error.
func (e *PolicyError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Sentinel, e.Err}
	}
	return []error{e.Sentinel}
}

// RedirectError is the cause of an [ErrKeysUnavailable] error when a JWKS
// endpoint redirected the fetch somewhere the verifier does not follow.
// Match it with [errors.As].
type RedirectError struct {
	// From is the URL that answered with the redirect; To is its target.
	// User info, if any, is redacted.
	From, To string
	// Reason is RedirectCrossHost or RedirectDowngrade.
	Reason string
}

// Reasons of a [RedirectError].
const (
	// RedirectCrossHost: the target is on another host (name or port)
	// than the JWKS URL, and Config.AllowCrossHostRedirects is not set.
	RedirectCrossHost = "cross-host"
	// RedirectDowngrade: the target is plain http after https.
	RedirectDowngrade = "downgrade"
)

func (e *RedirectError) Error() string {
	if e.Reason == RedirectDowngrade {
		return "refusing the redirect from " + e.From + " to " + e.To + ": it leaves https for plain http"
	}
	return "refusing the redirect from " + e.From + " to " + e.To +
		": it leads to another host, which would then choose the keys; point Pool.JWKSURL at the final URL, or set Config.AllowCrossHostRedirects"
}
