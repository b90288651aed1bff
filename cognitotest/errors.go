package cognitotest

import (
	"errors"
	"fmt"
)

// The sentinel errors returned by the Go API of this package (the helpers
// that create pools, clients and users and mint tokens). Every error returned
// by a helper wraps exactly one of them, so tests match with [errors.Is].
//
// Errors of the emulated Cognito API are not Go errors of this package: they
// travel over HTTP with the AWS wire shape, and the AWS SDK turns them into
// its own typed exceptions such as *types.NotAuthorizedException.
var (
	// ErrInvalidConfig reports a helper argument that is malformed or
	// inconsistent: a bad pool ID, an unknown auth flow, a password that
	// violates the pool's policy, ...
	ErrInvalidConfig = errors.New("cognitotest: invalid configuration")

	// ErrNotFound reports a pool, app client, user, group or resource server
	// that does not exist.
	ErrNotFound = errors.New("cognitotest: not found")

	// ErrAlreadyExists reports a pool, app client, user or group that
	// already exists.
	ErrAlreadyExists = errors.New("cognitotest: already exists")

	// ErrClosed reports a call on a server that has been closed.
	ErrClosed = errors.New("cognitotest: server closed")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

func existsf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrAlreadyExists, fmt.Sprintf(format, args...))
}

// apiError is an error of the emulated Cognito API. It is written on the
// wire as {"__type": Type, "message": Message} with the x-amzn-errortype
// header, which is what the AWS SDK maps onto its typed exceptions.
type apiError struct {
	Type    string // e.g. "NotAuthorizedException"
	Message string
	Status  int // 0 means 400
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func apiErr(typ, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Type: typ, Message: msg}
}

// Helpers for the wire errors used most often. Messages match Cognito's.
func errNotAuthorized(format string, args ...any) *apiError {
	return apiErr("NotAuthorizedException", format, args...)
}

func errInvalidParameter(format string, args ...any) *apiError {
	return apiErr("InvalidParameterException", format, args...)
}

func errResourceNotFound(format string, args ...any) *apiError {
	return apiErr("ResourceNotFoundException", format, args...)
}

func errUserNotFound() *apiError {
	return apiErr("UserNotFoundException", "User does not exist.")
}

func errInvalidSession() *apiError {
	return errNotAuthorized("Invalid session for the user.")
}

func errExpiredSession() *apiError {
	return errNotAuthorized("Invalid session for the user, session is expired.")
}

func errIncorrectPassword() *apiError {
	return errNotAuthorized("Incorrect username or password.")
}

func errCodeMismatch() *apiError {
	return apiErr("CodeMismatchException", "Invalid code received for user")
}

func errInternal(format string, args ...any) *apiError {
	e := apiErr("InternalErrorException", format, args...)
	e.Status = 500
	return e
}
