package emulator

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinel errors of the emulator's Go API (cognitotest re-exports
// them). Errors of the emulated API are *wire.Error values instead.
var (
	ErrInvalidConfig = errors.New("cognitotest: invalid configuration")
	ErrNotFound      = errors.New("cognitotest: not found")
	ErrAlreadyExists = errors.New("cognitotest: already exists")
	ErrClosed        = errors.New("cognitotest: server closed")
)

// Invalidf returns an error wrapping ErrInvalidConfig.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// NotFoundf returns an error wrapping ErrNotFound.
func NotFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

// Existsf returns an error wrapping ErrAlreadyExists.
func Existsf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrAlreadyExists, fmt.Sprintf(format, args...))
}

// Detail returns the message of an error of this package without its
// sentinel's prefix, for the messages of API errors.
func Detail(err error) string {
	msg := err.Error()
	for _, e := range []error{ErrInvalidConfig, ErrAlreadyExists, ErrNotFound} {
		msg = strings.TrimPrefix(msg, e.Error()+": ")
	}
	return msg
}
