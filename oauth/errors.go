package oauth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Every error returned by this package matches exactly one
// of the "kind" sentinels below with [errors.Is] (several for ID token
// failures, which also match [ErrInvalidIDToken]). Errors never contain
// tokens, codes, client secrets or unverified claims.
//
// Errors returned by the OAuth endpoints are [*Error] values carrying the
// RFC 6749 fields; they match the sentinel of their error code
// (ErrInvalidGrant for "invalid_grant", ...).
var (
	// ErrInvalidConfig is wrapped by every error [New] and [NewEndpoints]
	// return for a bad configuration, and by [*MissingUserPoolError] when
	// a method needs a part of the configuration New did not require.
	ErrInvalidConfig = errors.New("oauth: invalid configuration")

	// ErrInvalidInput reports a bad argument to a method: an empty or
	// oversized code or token, a malformed scope or logout URI.
	ErrInvalidInput = errors.New("oauth: invalid input")

	// ErrInvalidRequest is the RFC 6749 error "invalid_request": a
	// parameter is missing, repeated or malformed.
	ErrInvalidRequest = errors.New("oauth: invalid_request")

	// ErrInvalidClient is "invalid_client": client authentication failed
	// (unknown client, wrong or missing secret).
	ErrInvalidClient = errors.New("oauth: invalid_client")

	// ErrInvalidGrant is "invalid_grant": the authorization code or
	// refresh token is invalid, expired, revoked, already used, issued to
	// another client, or the PKCE verifier or redirect URI does not match.
	// For a refresh token it means the session is over: sign in again.
	ErrInvalidGrant = errors.New("oauth: invalid_grant")

	// ErrUnauthorizedClient is "unauthorized_client": the app client is not
	// allowed to use this grant (check its allowed OAuth flows).
	ErrUnauthorizedClient = errors.New("oauth: unauthorized_client")

	// ErrUnsupportedGrantType is "unsupported_grant_type".
	ErrUnsupportedGrantType = errors.New("oauth: unsupported_grant_type")

	// ErrInvalidScope is "invalid_scope": a requested scope is unknown or
	// not allowed for the app client.
	ErrInvalidScope = errors.New("oauth: invalid_scope")

	// ErrUnsupportedTokenType is "unsupported_token_type" (revocation of
	// anything but a refresh token).
	ErrUnsupportedTokenType = errors.New("oauth: unsupported_token_type")

	// ErrInvalidToken is "invalid_token" (RFC 6750): the access token given
	// to the userInfo endpoint is invalid, expired, revoked or lacks the
	// openid scope.
	ErrInvalidToken = errors.New("oauth: invalid_token")

	// ErrAccessDenied is "access_denied" and the other errors the
	// authorization endpoint sends back to the redirect URI.
	ErrAccessDenied = errors.New("oauth: authorization denied")

	// ErrInvalidIDToken reports an ID token that failed verification:
	// signature, issuer, audience, expiry (the error also wraps the
	// verifier's sentinel), nonce or at_hash.
	ErrInvalidIDToken = errors.New("oauth: invalid ID token")

	// ErrNonceMismatch: the ID token's nonce is not the one sent with the
	// authorization request. Also matches ErrInvalidIDToken.
	ErrNonceMismatch = errors.New("oauth: ID token nonce mismatch")

	// ErrAtHashMismatch: the ID token's at_hash does not match the access
	// token. Also matches ErrInvalidIDToken.
	ErrAtHashMismatch = errors.New("oauth: ID token at_hash mismatch")

	// ErrUnavailable: the endpoint could not be reached, timed out, or
	// answered with a server error (5xx, 429, "server_error",
	// "temporarily_unavailable"), or the ID token's keys could not be
	// fetched. Nothing was judged: retry later. Context errors are wrapped
	// too, so errors.Is(err, context.Canceled) works.
	ErrUnavailable = errors.New("oauth: endpoint unavailable")

	// ErrBadResponse: the endpoint answered, but not in a way this package
	// can use (unknown error code on a 4xx, malformed JSON, missing
	// access_token, no id_token although openid was requested).
	ErrBadResponse = errors.New("oauth: unexpected response")
)

// Error is an error returned by a Cognito OAuth endpoint, with the RFC 6749
// (section 5.2) fields. It matches the sentinel of its Code with
// [errors.Is]: ErrInvalidGrant for "invalid_grant", and so on; unknown codes
// match ErrUnavailable on 5xx/429 answers and ErrBadResponse otherwise.
type Error struct {
	// Op is the operation: "exchange", "refresh", "client_credentials",
	// "revoke", "userinfo" or "authorize".
	Op string
	// Code is the error parameter, such as "invalid_grant". It may be
	// empty when the endpoint sent no error code.
	Code string
	// Description is error_description, truncated to 256 bytes and with
	// control characters removed.
	Description string
	// URI is error_uri.
	URI string
	// StatusCode is the HTTP status (0 for errors of the authorization
	// endpoint, which arrive in the redirect).
	StatusCode int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oauth: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString("error")
	}
	if e.StatusCode != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if hint := hintFor(e.Op, e.Code); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the sentinel matching e.Code.
func (e *Error) Unwrap() error { return sentinelFor(e.Code, e.StatusCode) }

func sentinelFor(code string, status int) error {
	switch code {
	case "invalid_request":
		return ErrInvalidRequest
	case "invalid_client":
		return ErrInvalidClient
	case "invalid_grant":
		return ErrInvalidGrant
	case "unauthorized_client":
		return ErrUnauthorizedClient
	case "unsupported_grant_type":
		return ErrUnsupportedGrantType
	case "invalid_scope":
		return ErrInvalidScope
	case "unsupported_token_type":
		return ErrUnsupportedTokenType
	case "invalid_token":
		return ErrInvalidToken
	case "access_denied", "unsupported_response_type", "login_required", "consent_required", "interaction_required":
		return ErrAccessDenied
	case "server_error", "temporarily_unavailable":
		return ErrUnavailable
	}
	if status >= 500 || status == 429 {
		return ErrUnavailable
	}
	return ErrBadResponse
}

func hintFor(op, code string) string {
	switch code {
	case "invalid_client":
		return "check the client ID and secret; public clients must not send a secret"
	case "unauthorized_client":
		return "check the app client's allowed OAuth flows"
	case "invalid_scope":
		return "check the app client's allowed OAuth scopes"
	case "invalid_grant":
		if op == "refresh" {
			return "the refresh token is expired or revoked: sign in again"
		}
		if op == "exchange" {
			return "the code is expired or used, or the redirect URI or PKCE verifier differs"
		}
	}
	return ""
}

// cleanDescription bounds and sanitizes a server-provided description.
func cleanDescription(s string) string {
	const max = 256
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// MissingUserPoolError reports that an operation must verify ID tokens
// (Op: "exchange", "refresh" or "verify ID token") but the [Client] was
// created without Config.UserPoolID or Config.IDTokenVerifier. Client
// credentials, revocation and userInfo do not need either. It matches
// [ErrInvalidConfig].
type MissingUserPoolError struct {
	Op string
}

func (e *MissingUserPoolError) Error() string {
	return "oauth: invalid configuration: " + e.Op + " verifies ID tokens: set Config.UserPoolID (or Config.IDTokenVerifier) in oauth.New"
}

// Unwrap returns [ErrInvalidConfig].
func (e *MissingUserPoolError) Unwrap() error { return ErrInvalidConfig }

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// errNilContext is returned by every method given a nil context, as
// net/http does: pass context.Background() or the request's context.
var errNilContext = fmt.Errorf("%w: nil context; pass context.Background() or the request's context", ErrInvalidInput)

func inputErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
}
