package srpclient

import (
	"errors"
	"fmt"
)

// The sentinel errors of this package. Errors returned by [Client] methods
// wrap one of them and, when the error came from Cognito, also the SDK's
// typed exception (for example *types.NotAuthorizedException), so both
// errors.Is(err, ErrNotAuthorized) and errors.As(err, &notAuthorized) work.
// No error carries a password, a token or a key.
var (
	// ErrInvalidConfig reports a Config that New cannot use.
	ErrInvalidConfig = errors.New("srpclient: invalid configuration")

	// ErrInvalidInput reports a malformed or oversized argument: an empty
	// username, a code that is not digits, an unknown choice.
	ErrInvalidInput = errors.New("srpclient: invalid input")

	// ErrNotAuthorized reports that Cognito refused the credentials: wrong
	// password, wrong code, disabled user, or a flow the app client does
	// not allow.
	ErrNotAuthorized = errors.New("srpclient: not authorized")

	// ErrUserNotFound reports an unknown user (only when the pool does not
	// hide user existence).
	ErrUserNotFound = errors.New("srpclient: user not found")

	// ErrUserNotConfirmed reports a user who signed up but has not
	// confirmed the account yet. See [Client.ConfirmSignUp].
	ErrUserNotConfirmed = errors.New("srpclient: user not confirmed")

	// ErrPasswordResetRequired reports a user who must reset the password
	// with [Client.ForgotPassword] before signing in.
	ErrPasswordResetRequired = errors.New("srpclient: password reset required")

	// ErrUsernameExists reports a sign-up with a username or alias that
	// another user already has.
	ErrUsernameExists = errors.New("srpclient: username already exists")

	// ErrCodeMismatch reports a wrong confirmation or MFA code.
	ErrCodeMismatch = errors.New("srpclient: wrong code")

	// ErrExpiredCode reports an expired confirmation code.
	ErrExpiredCode = errors.New("srpclient: code expired")

	// ErrInvalidPassword reports a new password that the pool's password
	// policy rejects.
	ErrInvalidPassword = errors.New("srpclient: password does not meet the policy")

	// ErrSessionExpired reports that the Session of a challenge expired or
	// was already used. Start the sign-in again.
	ErrSessionExpired = errors.New("srpclient: sign-in session expired")

	// ErrStepAnswered reports a [Step] answered a second time. Each step
	// can be answered once; the answer returns the next step.
	ErrStepAnswered = errors.New("srpclient: step already answered")

	// ErrBadChallenge reports challenge parameters from the server that are
	// missing, malformed or cryptographically invalid (SRP_B = 0 mod N, a
	// SALT that is not hex, an oversized SECRET_BLOCK). The sign-in was
	// aborted; nothing was sent.
	ErrBadChallenge = errors.New("srpclient: invalid challenge from server")

	// ErrUnsupportedChallenge reports a challenge this package cannot
	// answer. The error is a *ChallengeError with the challenge's name.
	ErrUnsupportedChallenge = errors.New("srpclient: unsupported challenge")

	// ErrRefreshTokenInvalid reports a refresh token that Cognito no longer
	// accepts: revoked, expired, signed out or rotated away. Sign in again.
	ErrRefreshTokenInvalid = errors.New("srpclient: refresh token revoked or expired")

	// ErrNoRefreshToken reports a refresh attempt without a refresh token.
	ErrNoRefreshToken = errors.New("srpclient: no refresh token")

	// ErrDeviceStore reports a failure of the [DeviceStore].
	ErrDeviceStore = errors.New("srpclient: device store failed")

	// ErrTooManyRequests reports that Cognito throttled the request or
	// locked the user after too many failed attempts.
	ErrTooManyRequests = errors.New("srpclient: too many requests")

	// ErrUnavailable reports that Cognito could not be reached, failed
	// internally, or did not answer before the context ended. It is not
	// an authentication failure; retrying may help. Context errors are
	// wrapped too, so errors.Is(err, context.Canceled) works, as in
	// package oauth and identitypool.
	ErrUnavailable = errors.New("srpclient: Cognito unavailable")
)

// ChallengeError describes a challenge the package cannot handle. It wraps
// [ErrUnsupportedChallenge].
type ChallengeError struct {
	Name string // challenge name, e.g. "WEB_AUTHN"
}

func (e *ChallengeError) Error() string {
	return fmt.Sprintf("srpclient: unsupported challenge %q", e.Name)
}

func (e *ChallengeError) Unwrap() error { return ErrUnsupportedChallenge }

// MissingAttributesError reports required attributes missing from the answer
// to a [NewPasswordRequired] step. It wraps [ErrInvalidInput].
type MissingAttributesError struct {
	Names []string // attribute names without the "userAttributes." prefix
}

func (e *MissingAttributesError) Error() string {
	return fmt.Sprintf("srpclient: missing required attributes %q: pass them in the attributes map", e.Names)
}

func (e *MissingAttributesError) Unwrap() error { return ErrInvalidInput }

// errNilContext is returned by every method given a nil context, as
// net/http does: pass context.Background() or the request's context.
var errNilContext = fmt.Errorf("%w: nil context; pass context.Background() or the request's context", ErrInvalidInput)
