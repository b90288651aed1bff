package alb

import (
	"errors"
	"fmt"

	"github.com/cognitokit/cognitokit/verifier"
)

// The errors of package alb. Rejections of a token match the sentinels of
// package verifier (ErrMalformed, ErrBadSignature, ErrExpired,
// ErrWrongClient, ErrWrongIssuer, ErrUnknownKey, ErrKeysUnavailable, ...)
// with [errors.Is], so that verifier.Reason labels them and the transports
// answer them as they answer bearer tokens; the sentinels below add what
// only the ALB has. Errors never contain the token or its unverified
// claims.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns. It also
	// matches verifier.ErrInvalidConfig.
	ErrInvalidConfig = errors.New("alb: invalid configuration")

	// ErrWrongSigner: the token's signer header is not one of
	// Config.ALBARNs: another load balancer (another account's, or one of
	// yours you did not list) signed it, or someone forged it. It also
	// matches verifier.ErrWrongIssuer (reason "wrong_issuer"). Keys are
	// never fetched for such a token.
	ErrWrongSigner = errors.New("alb: token signed by another load balancer")

	// ErrHeaderMismatch: the forwarded headers disagree with the signed
	// user claims: x-amzn-oidc-identity is not the signed sub, or the
	// access token in x-amzn-oidc-accesstoken belongs to another user. The
	// ALB never sends such a request; someone who reached the target
	// directly may.
	ErrHeaderMismatch = errors.New("alb: forwarded headers disagree with the signed claims")
)

// rejection is a token rejection: a verifier sentinel, an optional alb
// sentinel, and a message.
type rejection struct {
	sentinel error // a verifier sentinel
	also     error // an alb sentinel, or nil
	msg      string
	cause    error
}

func (e *rejection) Error() string {
	s := "alb: " + e.msg
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *rejection) Unwrap() []error {
	errs := []error{e.sentinel}
	if e.also != nil {
		errs = append(errs, e.also)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func reject(sentinel error, msg string) error { return &rejection{sentinel: sentinel, msg: msg} }

func rejectf(sentinel error, format string, args ...any) error {
	return &rejection{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

func configErrorf(format string, args ...any) error {
	return &rejection{sentinel: verifier.ErrInvalidConfig, also: ErrInvalidConfig, msg: fmt.Sprintf(format, args...)}
}

var errNilContext = reject(verifier.ErrInvalidInput, "nil context; pass context.Background() or the request's context")
