package srpclient

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitokit/cognitokit/internal/srp"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// API is the subset of *cognitoidentityprovider.Client that the package uses.
// Pass the real client, or a fake in tests.
type API interface {
	InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AdminInitiateAuth(context.Context, *cip.AdminInitiateAuthInput, ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error)
	AdminRespondToAuthChallenge(context.Context, *cip.AdminRespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.AdminRespondToAuthChallengeOutput, error)
	GetTokensFromRefreshToken(context.Context, *cip.GetTokensFromRefreshTokenInput, ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error)
	RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
	ConfirmDevice(context.Context, *cip.ConfirmDeviceInput, ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error)
	UpdateDeviceStatus(context.Context, *cip.UpdateDeviceStatusInput, ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error)
	ForgetDevice(context.Context, *cip.ForgetDeviceInput, ...func(*cip.Options)) (*cip.ForgetDeviceOutput, error)
	AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	ChangePassword(context.Context, *cip.ChangePasswordInput, ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	StartWebAuthnRegistration(context.Context, *cip.StartWebAuthnRegistrationInput, ...func(*cip.Options)) (*cip.StartWebAuthnRegistrationOutput, error)
	CompleteWebAuthnRegistration(context.Context, *cip.CompleteWebAuthnRegistrationInput, ...func(*cip.Options)) (*cip.CompleteWebAuthnRegistrationOutput, error)
	ListWebAuthnCredentials(context.Context, *cip.ListWebAuthnCredentialsInput, ...func(*cip.Options)) (*cip.ListWebAuthnCredentialsOutput, error)
	DeleteWebAuthnCredential(context.Context, *cip.DeleteWebAuthnCredentialInput, ...func(*cip.Options)) (*cip.DeleteWebAuthnCredentialOutput, error)
}

var _ API = (*cip.Client)(nil)

// Config configures a [Client]. API, UserPoolID and ClientID are required;
// every other field is optional and its zero value is the documented default.
type Config struct {
	// API is the Cognito user pool API, usually
	// cognitoidentityprovider.NewFromConfig(awsCfg). Required.
	API API

	// UserPoolID is the pool ID, e.g. "us-east-1_AbC123". Required. An
	// emulator's pool ID of another shape ("local_0y5A8pZR" from
	// cognito-local) is accepted when API is not the SDK's client for AWS:
	// a cognitoidentityprovider client with BaseEndpoint set, or your own
	// API.
	UserPoolID string

	// ClientID is the app client ID. Required.
	ClientID string

	// ClientSecret is the app client's secret, for confidential clients.
	// Optional. When set, every request carries a SECRET_HASH computed with
	// the USERNAME of that very request (the internal username after the
	// first challenge), and GetTokensFromRefreshToken and RevokeToken send
	// the secret itself.
	ClientSecret string

	// RefreshTokenRotation must be set when the app client has refresh-token
	// rotation enabled: refresh then uses GetTokensFromRefreshToken (which
	// returns a new refresh token) instead of REFRESH_TOKEN_AUTH (which
	// Cognito refuses for such clients). Optional. Default false.
	RefreshTokenRotation bool

	// OnRefreshTokenRotated is called with the new tokens whenever a refresh
	// returns a new refresh token, so that the caller can persist it before
	// the old one's grace period ends. An error from it is returned by the
	// refresh. Optional.
	OnRefreshTokenRotated func(ctx context.Context, t *Tokens) error

	// Devices stores remembered devices. Optional. When nil, devices are
	// neither confirmed nor used. When set, the device that Cognito
	// announces after a sign-in is confirmed and stored, and later sign-ins
	// and refreshes send its DEVICE_KEY and answer DEVICE_SRP_AUTH.
	Devices DeviceStore

	// DeviceName is the name given to confirmed devices. Optional. Default
	// "cognitokit".
	DeviceName string

	// Now is the clock used for TIMESTAMP and token expiry. Optional.
	// Default time.Now.
	Now func() time.Time

	// Rand is the random source for the SRP private values and device
	// secrets. Optional. Default crypto/rand.Reader.
	Rand io.Reader

	// ClientMetadata is sent to Lambda triggers with every sign-in request.
	// Optional.
	ClientMetadata map[string]string

	// TOTPIssuer is the issuer shown by authenticator apps in the
	// otpauth:// URI of a TOTP setup. Optional. Default the pool ID.
	TOTPIssuer string

	// Revoker records the sign-outs this client performs ([Client.SignOut]
	// by the sign-in's origin_jti, [Client.GlobalSignOut] by user), so
	// that verifiers consulting the same revocation list refuse the
	// revoked access and ID tokens at once instead of until they expire.
	// Optional; usually the application's *revocation.List. A failure to
	// record is returned after Cognito's revocation succeeded.
	Revoker revocation.Revoker

	// Observer receives each call to Cognito of a sign-in or refresh, for
	// metrics and traces (package otelcognito). Optional.
	Observer Observer
}

// Observer is a set of optional callbacks. Nil fields are not called. They
// run synchronously on the calling goroutine and must be fast.
type Observer struct {
	// OnStep is called after each InitiateAuth, RespondToAuthChallenge or
	// GetTokensFromRefreshToken call, with the caller's context.
	OnStep func(ctx context.Context, e StepEvent)
}

// StepEvent describes one call to Cognito of a sign-in or refresh. It
// never holds a token, password, code or session.
type StepEvent struct {
	// Flow is the AuthFlow of the sign-in ("USER_SRP_AUTH",
	// "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "CUSTOM_AUTH",
	// "USER_AUTH"), "REFRESH_TOKEN_AUTH" or "GetTokensFromRefreshToken"
	// for refreshes.
	Flow string
	// Call is the operation: "InitiateAuth", "RespondToAuthChallenge" or
	// "GetTokensFromRefreshToken".
	Call string
	// Challenge is the challenge answered by RespondToAuthChallenge.
	Challenge string
	// Start is when the call began; Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Outcome is "tokens" (the sign-in or refresh is complete),
	// "challenge" (Cognito asks for another step) or "error".
	Outcome string
	// Err is the call's error when Outcome is "error".
	Err error
}

// observe reports a call to Config.Observer.
func (c *Client) observe(ctx context.Context, flow, call, challengeName string, start time.Time, ch challenge, err error) {
	f := c.cfg.Observer.OnStep
	if f == nil {
		return
	}
	outcome := "challenge"
	switch {
	case err != nil:
		outcome = "error"
	case ch.result != nil:
		outcome = "tokens"
	}
	f(ctx, StepEvent{Flow: flow, Call: call, Challenge: challengeName, Start: start, Duration: c.cfg.Now().Sub(start), Outcome: outcome, Err: err})
}

// Client signs users in to one app client of one Cognito user pool. It is
// safe for concurrent use.
type Client struct {
	api      API
	poolID   string
	poolName string // SRP pool name: the part of the pool ID after '_'
	cfg      Config
}

// Pool IDs: AWS's are region_id. Emulators use other prefixes
// (cognito-local's "local_0y5A8pZR"); the SRP pool name is the part after
// '_' either way.
var (
	poolIDPattern         = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d_[A-Za-z0-9]+$`)
	emulatorPoolIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}_[A-Za-z0-9]{1,64}$`)
)

// talksToAWS reports whether api is the SDK's client without a custom
// BaseEndpoint, so that only an AWS-shaped pool ID can work. Any other API
// (an emulator endpoint, a wrapper, a fake) may use an emulator's IDs.
func talksToAWS(api API) bool {
	c, ok := api.(*cip.Client)
	return ok && c != nil && c.Options().BaseEndpoint == nil
}

// Limits on values that come from outside.
const (
	maxUsernameLen    = 128
	maxPasswordLen    = 256
	maxSecretBlock    = 16 << 10 // decoded SECRET_BLOCK bytes
	maxChallengeSteps = 16       // automatic responses in one sign-in
	maxAnswerLen      = 4096
	maxMetadata       = 64
	maxTokenLength    = 16 << 10 // a refresh token given to Refresh or Revoke
)

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.API == nil:
		return nil, fmt.Errorf("%w: API is nil; pass cognitoidentityprovider.NewFromConfig(awsCfg)", ErrInvalidConfig)
	case !emulatorPoolIDPattern.MatchString(cfg.UserPoolID):
		return nil, fmt.Errorf("%w: UserPoolID %q is not a user pool ID like us-east-1_AbC123", ErrInvalidConfig, truncate(cfg.UserPoolID, 64))
	case talksToAWS(cfg.API) && !poolIDPattern.MatchString(cfg.UserPoolID):
		return nil, fmt.Errorf("%w: UserPoolID %q is not an AWS user pool ID like us-east-1_AbC123 (for an emulator such as cognito-local, set BaseEndpoint on the cognitoidentityprovider client)", ErrInvalidConfig, truncate(cfg.UserPoolID, 64))
	case cfg.ClientID == "" || len(cfg.ClientID) > 128 || strings.ContainsAny(cfg.ClientID, " \t\r\n"):
		return nil, fmt.Errorf("%w: ClientID must be 1 to 128 characters without spaces", ErrInvalidConfig)
	case len(cfg.ClientSecret) > 256:
		return nil, fmt.Errorf("%w: ClientSecret is longer than 256 bytes", ErrInvalidConfig)
	case cfg.OnRefreshTokenRotated != nil && !cfg.RefreshTokenRotation:
		return nil, fmt.Errorf("%w: OnRefreshTokenRotated is set but RefreshTokenRotation is false", ErrInvalidConfig)
	}
	if err := checkMetadata(cfg.ClientMetadata); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.DeviceName == "" {
		cfg.DeviceName = "cognitokit"
	}
	if cfg.TOTPIssuer == "" {
		cfg.TOTPIssuer = cfg.UserPoolID
	}
	return &Client{api: cfg.API, poolID: cfg.UserPoolID, poolName: srp.PoolName(cfg.UserPoolID), cfg: cfg}, nil
}

// UserPoolID returns the pool ID the client signs in to.
func (c *Client) UserPoolID() string { return c.poolID }

// ClientID returns the app client ID.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// secretHash returns the SECRET_HASH for username, or "" without a secret.
func (c *Client) secretHash(username string) string {
	if c.cfg.ClientSecret == "" {
		return ""
	}
	return srp.SecretHash(c.cfg.ClientID, c.cfg.ClientSecret, username)
}

// secretHashPtr is secretHash as the SDK's optional string.
func (c *Client) secretHashPtr(username string) *string {
	if c.cfg.ClientSecret == "" {
		return nil
	}
	h := c.secretHash(username)
	return &h
}

func checkUsername(u string) error {
	if u == "" || len(u) > maxUsernameLen {
		return fmt.Errorf("%w: username must be 1 to %d bytes", ErrInvalidInput, maxUsernameLen)
	}
	return nil
}

func checkPassword(p string) error {
	if p == "" || len(p) > maxPasswordLen {
		return fmt.Errorf("%w: password must be 1 to %d bytes", ErrInvalidInput, maxPasswordLen)
	}
	return nil
}

// checkCode validates a one-time code: digits only, 4 to 12 of them.
func checkCode(code string) error {
	if len(code) < 4 || len(code) > 12 {
		return fmt.Errorf("%w: code must be 4 to 12 digits", ErrInvalidInput)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Errorf("%w: code must contain digits only", ErrInvalidInput)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// wrapAPI maps an error from the Cognito API to the package's sentinels,
// keeping the SDK error in the chain.
func wrapAPI(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Nothing was judged, as in package oauth and identitypool.
		return &opError{op: op, sentinel: ErrUnavailable, err: err}
	}
	var sentinel error
	var (
		notAuth *types.NotAuthorizedException
		apiErr  smithy.APIError
	)
	switch {
	case errors.As(err, &notAuth):
		sentinel = ErrNotAuthorized
		switch msg := strings.ToLower(notAuth.ErrorMessage()); {
		case strings.Contains(msg, "session"):
			sentinel = ErrSessionExpired
		case strings.Contains(msg, "password attempts exceeded"):
			// Cognito's lockout after failed attempts: retry later.
			sentinel = ErrTooManyRequests
		}
	case errorAs[*types.UserNotFoundException](err):
		sentinel = ErrUserNotFound
	case errorAs[*types.UserNotConfirmedException](err):
		sentinel = ErrUserNotConfirmed
	case errorAs[*types.PasswordResetRequiredException](err):
		sentinel = ErrPasswordResetRequired
	case errorAs[*types.CodeMismatchException](err), errorAs[*types.EnableSoftwareTokenMFAException](err):
		sentinel = ErrCodeMismatch
	case errorAs[*types.ExpiredCodeException](err):
		sentinel = ErrExpiredCode
	case errorAs[*types.InvalidPasswordException](err), errorAs[*types.PasswordHistoryPolicyViolationException](err):
		sentinel = ErrInvalidPassword
	case errorAs[*types.TooManyRequestsException](err), errorAs[*types.TooManyFailedAttemptsException](err),
		errorAs[*types.LimitExceededException](err):
		sentinel = ErrTooManyRequests
	case errorAs[*types.InternalErrorException](err), errorAs[*types.InternalServerException](err):
		sentinel = ErrUnavailable
	case errorAs[*types.InvalidParameterException](err):
		sentinel = ErrInvalidInput
	case errorAs[*types.UsernameExistsException](err), errorAs[*types.AliasExistsException](err):
		sentinel = ErrUsernameExists
	case errorAs[*types.ResourceNotFoundException](err), errorAs[*types.InvalidUserPoolConfigurationException](err):
		sentinel = ErrInvalidConfig
	case errors.As(err, &apiErr):
		return fmt.Errorf("srpclient: %s: %w", op, err)
	default: // the request did not get an answer: network, DNS, TLS
		sentinel = ErrUnavailable
	}
	return &opError{op: op, sentinel: sentinel, err: err}
}

// opError is an API error matched by both the package's sentinel and the
// SDK's error.
type opError struct {
	op       string
	sentinel error
	err      error
}

func (e *opError) Error() string {
	return "srpclient: " + e.op + ": " + strings.TrimPrefix(e.sentinel.Error(), "srpclient: ") + ": " + e.err.Error()
}

func (e *opError) Unwrap() []error { return []error{e.sentinel, e.err} }

func errorAs[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// isDeviceNotFound reports whether err says that a device does not exist.
func isDeviceNotFound(err error) bool {
	// Only a missing device: a missing app client or pool is a
	// configuration error, and must not cost the user a device.
	var rnf *types.ResourceNotFoundException
	if errors.As(err, &rnf) {
		return strings.Contains(strings.ToLower(rnf.ErrorMessage()), "device")
	}
	// Some endpoints report an unknown device as NotAuthorized "Device does
	// not exist."
	var na *types.NotAuthorizedException
	return errors.As(err, &na) && strings.Contains(strings.ToLower(na.ErrorMessage()), "device")
}

// jwtClaims decodes the payload of a JWT WITHOUT verifying it. The package
// uses it only to learn the internal username and the expiry of tokens it
// just received from Cognito over TLS; never use it to authorize anything.
func jwtClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > 16<<10 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func claimString(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func claimTime(m map[string]any, k string) time.Time {
	if f, ok := m[k].(float64); ok && f > 0 && f < 1e11 {
		return time.Unix(int64(f), 0)
	}
	return time.Time{}
}
