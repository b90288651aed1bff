package identitypool

import (
	"context"
	"errors"
	"fmt"
	"strings"

	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// The sentinel errors of the package. Every error returned by [New],
// [Provider.Retrieve], [Provider.IdentityID] and the [Developer] methods
// matches exactly one of them with [errors.Is] (ErrGuestNotAllowed also
// matches ErrNotAuthorized). Errors from the services are [*APIError]
// values that carry the AWS error code and wrap the SDK's typed exception.
// Errors never contain tokens or credentials.
var (
	// ErrInvalidConfig reports a Config that New cannot use.
	ErrInvalidConfig = errors.New("identitypool: invalid configuration")

	// ErrInvalidInput reports a malformed argument of a method: an empty
	// or oversized developer user identifier, an invalid Login.
	ErrInvalidInput = errors.New("identitypool: invalid input")

	// ErrInvalidLogin reports a login token that cannot be used: a source
	// returned an empty, malformed or oversized token, an access token
	// instead of an ID token, or the service rejected the Logins map as
	// malformed (InvalidParameterException).
	ErrInvalidLogin = errors.New("identitypool: invalid login")

	// ErrLoginSource reports a login source that failed to produce a token,
	// such as a token source whose refresh token was revoked. The source's
	// error is wrapped too: errors.Is(err, srpclient.ErrRefreshTokenInvalid)
	// works.
	ErrLoginSource = errors.New("identitypool: login source failed")

	// ErrNoLogins reports a Retrieve without logins on a provider that does
	// not allow guests (Config.AllowGuest), for example after
	// [Provider.ClearLogins].
	ErrNoLogins = errors.New("identitypool: no logins and guests not allowed")

	// ErrNotAuthorized reports that Cognito Identity or STS refused the
	// logins: a forged, expired (after one refresh and retry) or
	// wrong-audience token, logins of another identity, a role that is not
	// allowed (NotAuthorizedException, InvalidIdentityToken, ExpiredToken,
	// AccessDenied).
	ErrNotAuthorized = errors.New("identitypool: not authorized")

	// ErrGuestNotAllowed reports an identity pool that refuses
	// unauthenticated identities. It also matches ErrNotAuthorized.
	ErrGuestNotAllowed = errors.New("identitypool: identity pool does not allow guests")

	// ErrIdentityPoolNotFound reports an identity pool that does not exist
	// (ResourceNotFoundException from GetId).
	ErrIdentityPoolNotFound = errors.New("identitypool: identity pool not found")

	// ErrIdentityNotFound reports an identity or developer user that does
	// not exist (ResourceNotFoundException from the developer operations).
	ErrIdentityNotFound = errors.New("identitypool: identity not found")

	// ErrPoolMisconfigured reports an identity pool without a role for the
	// kind of identity asking (InvalidIdentityPoolConfigurationException),
	// or without the classic flow the provider was configured for.
	ErrPoolMisconfigured = errors.New("identitypool: identity pool misconfigured")

	// ErrConflict reports a developer user identifier already linked to
	// another identity, or logins linked to different identities.
	ErrConflict = errors.New("identitypool: conflict")

	// ErrTooManyRequests reports throttling that persisted through the
	// retries of the SDK's retryer (TooManyRequestsException,
	// LimitExceededException).
	ErrTooManyRequests = errors.New("identitypool: too many requests")

	// ErrUnavailable reports that the service could not be reached or
	// failed (InternalErrorException, network errors, timeouts).
	ErrUnavailable = errors.New("identitypool: service unavailable")
)

// APIError is an error answered by Cognito Identity or STS.
type APIError struct {
	// Op is the operation, such as "GetCredentialsForIdentity".
	Op string
	// Code is the AWS error code, such as "NotAuthorizedException".
	Code string
	// Message is the service's message.
	Message string

	sentinel error
	err      error
}

func (e *APIError) Error() string {
	return e.sentinel.Error() + ": " + e.Op + ": " + e.Code + ": " + e.Message
}

// Unwrap returns the sentinel and the SDK's error.
func (e *APIError) Unwrap() []error { return []error{e.sentinel, e.err} }

// guestError makes ErrGuestNotAllowed match ErrNotAuthorized as well.
type guestError struct{}

func (guestError) Error() string { return ErrGuestNotAllowed.Error() }
func (guestError) Is(target error) bool {
	return target == ErrGuestNotAllowed || target == ErrNotAuthorized
}
func (guestError) Unwrap() error { return nil }
func isExpiredLogin(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case "NotAuthorizedException":
		return strings.Contains(ae.Message, "expired") || strings.Contains(ae.Message, "Token expired")
	case "ExpiredTokenException", "ExpiredToken":
		return true
	}
	return false
}

// classify turns an SDK error into an *APIError (or a wrapped sentinel for
// errors without a service answer).
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errorf(ErrUnavailable, "%s: %w", op, err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return errorf(ErrUnavailable, "%s: %w", op, err)
	}
	e := &APIError{Op: op, Code: ae.ErrorCode(), Message: ae.ErrorMessage(), err: err}
	switch {
	case isType[*citypes.NotAuthorizedException](err):
		e.sentinel = ErrNotAuthorized
		if strings.Contains(e.Message, "Unauthenticated access is not supported") {
			e.sentinel = guestError{}
		}
	case isType[*ststypes.InvalidIdentityTokenException](err), isType[*ststypes.ExpiredTokenException](err),
		isType[*ststypes.IDPRejectedClaimException](err), e.Code == "AccessDenied":
		e.sentinel = ErrNotAuthorized
	case isType[*citypes.ResourceNotFoundException](err):
		e.sentinel = ErrIdentityNotFound
		if op == "GetId" || strings.HasPrefix(e.Message, "IdentityPool") {
			e.sentinel = ErrIdentityPoolNotFound
		}
	case isType[*citypes.InvalidIdentityPoolConfigurationException](err):
		e.sentinel = ErrPoolMisconfigured
	case isType[*citypes.InvalidParameterException](err):
		e.sentinel = ErrInvalidLogin
		if strings.Contains(e.Message, "classic") {
			e.sentinel = ErrPoolMisconfigured
		}
	case isType[*citypes.TooManyRequestsException](err), isType[*citypes.LimitExceededException](err),
		e.Code == "Throttling" || e.Code == "ThrottlingException":
		e.sentinel = ErrTooManyRequests
	case isType[*citypes.ResourceConflictException](err), isType[*citypes.DeveloperUserAlreadyRegisteredException](err),
		isType[*citypes.ConcurrentModificationException](err):
		e.sentinel = ErrConflict
	default:
		e.sentinel = ErrUnavailable
	}
	return e
}

func isType[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// errorf returns an error wrapping sentinel, followed by the formatted
// text; %w verbs in format wrap their operands too.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// errNilContext is returned by every method given a nil context, as
// net/http does: pass context.Background() or the request's context.
var errNilContext = errorf(ErrInvalidInput, "nil context; pass context.Background() or the request's context")
