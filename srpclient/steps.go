package srpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Step is a challenge the caller must answer to continue a sign-in. It is
// one of *MFACodeRequired, *SelectMFAType, *SelectChallenge, *TOTPSetup,
// *SelectMFASetup, *EmailMFASetup, *NewPasswordRequired, *CustomChallenge
// or *WebAuthnRequired; each has a
// method that answers it and returns the next [Result]. A step can be
// answered once ([ErrStepAnswered]); a step whose Session expired returns
// [ErrSessionExpired].
type Step interface {
	// ChallengeName is Cognito's name for the challenge, e.g. "SMS_MFA".
	ChallengeName() string
	isStep()
}

type stepBase struct {
	f        *flow
	name     string
	session  *string
	answered *atomic.Bool // shared by copies of the step
}

func (s *stepBase) ChallengeName() string { return s.name }
func (s *stepBase) isStep()               {}

// claim marks the step answered, or fails if it already was.
func (s *stepBase) claim() error {
	if !s.answered.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: %s", ErrStepAnswered, s.name)
	}
	return nil
}

// release lets the step be answered again after an input error that sent
// nothing.
func (s *stepBase) release() { s.answered.Store(false) }

// retryable releases the step when Cognito rejected the answer but keeps
// the Session: a wrong code, or a new password the policy refuses. The
// caller may then answer the same step again.
func (s *stepBase) retryable(res *Result, err error) (*Result, error) {
	if errors.Is(err, ErrCodeMismatch) || errors.Is(err, ErrInvalidPassword) {
		s.release()
	}
	return res, err
}

// MFACodeRequired asks for a one-time code: Challenge is SMS_MFA,
// SOFTWARE_TOKEN_MFA (authenticator app), EMAIL_OTP or SMS_OTP.
type MFACodeRequired struct {
	stepBase
	Destination string // masked destination of the code, e.g. "+*******1234", or ""
	Medium      string // "SMS", "EMAIL", or ""
}

var codeKeys = map[string]string{
	"SMS_MFA":            "SMS_MFA_CODE",
	"SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
	"EMAIL_OTP":          "EMAIL_OTP_CODE",
	"SMS_OTP":            "SMS_OTP_CODE",
}

// Answer sends the code.
func (s *MFACodeRequired) Answer(ctx context.Context, code string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	code = strings.TrimSpace(code)
	if err := checkCode(code); err != nil {
		return nil, err
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	resp := map[string]string{codeKeys[s.name]: code}
	if d := s.f.device; d != nil {
		resp["DEVICE_KEY"] = d.Key
	}
	return s.retryable(s.f.advance(ctx, s.name, resp, s.session))
}

// SelectMFAType asks which MFA method to use; Options come from
// MFAS_CAN_CHOOSE (e.g. "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP").
type SelectMFAType struct {
	stepBase
	Options []string
}

// Choose answers with one of Options. The next step asks for its code.
func (s *SelectMFAType) Choose(ctx context.Context, mfa string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !slices.Contains(s.Options, mfa) {
		return nil, fmt.Errorf("%w: %q is not one of %q", ErrInvalidInput, truncate(mfa, 32), s.Options)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	return s.f.advance(ctx, s.name, map[string]string{"ANSWER": mfa}, s.session)
}

// SelectChallenge is the USER_AUTH choice of the first factor; Available
// lists what the user can use (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP,
// WEB_AUTHN).
type SelectChallenge struct {
	stepBase
	Available []string
}

// Choose answers with one of Available. PASSWORD and PASSWORD_SRP use the
// password given to SignIn (see [SelectChallenge.ChooseWithPassword]);
// EMAIL_OTP and SMS_OTP lead to an [MFACodeRequired] step; WEB_AUTHN to a
// [WebAuthnRequired] step.
func (s *SelectChallenge) Choose(ctx context.Context, name string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return s.ChooseWithPassword(ctx, name, s.f.password)
}

// ChooseWithPassword is Choose with the password for PASSWORD and
// PASSWORD_SRP.
func (s *SelectChallenge) ChooseWithPassword(ctx context.Context, name, password string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !slices.Contains(s.Available, name) {
		return nil, fmt.Errorf("%w: %q is not one of %q", ErrInvalidInput, truncate(name, 32), s.Available)
	}
	resp := map[string]string{"ANSWER": name}
	switch name {
	case ChallengePassword, ChallengePasswordSRP:
		if err := checkPassword(password); err != nil {
			return nil, err
		}
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	switch name {
	case ChallengePassword:
		resp["PASSWORD"] = password
	case ChallengePasswordSRP:
		s.f.password = password
		if err := s.f.startSRP(); err != nil {
			s.release()
			return nil, err
		}
		resp["SRP_A"] = s.f.srpc.AHex()
	}
	return s.f.advance(ctx, s.name, resp, s.session)
}

// TOTPSetup is MFA_SETUP: the user must register an authenticator app
// before signing in. The secret is already associated; show URI as a QR
// code (or Secret for manual entry), then answer with a current code.
type TOTPSetup struct {
	stepBase
	Secret string // base32 shared secret
	URI    string // otpauth://totp/... for a QR code
}

// Answer verifies the authenticator's current code and completes the
// sign-in. friendlyName names the authenticator; it may be empty.
func (s *TOTPSetup) Answer(ctx context.Context, code, friendlyName string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	code = strings.TrimSpace(code)
	if err := checkCode(code); err != nil {
		return nil, err
	}
	if len(friendlyName) > 128 {
		return nil, fmt.Errorf("%w: friendly name longer than 128 bytes", ErrInvalidInput)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	in := &cip.VerifySoftwareTokenInput{Session: s.session, UserCode: &code}
	if friendlyName != "" {
		in.FriendlyDeviceName = &friendlyName
	}
	out, err := s.f.c.api.VerifySoftwareToken(ctx, in)
	if err != nil {
		return s.retryable(nil, wrapAPI("verify software token", err))
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return s.retryable(nil, fmt.Errorf("%w: the authenticator code was not accepted", ErrCodeMismatch))
	}
	session := out.Session
	if session == nil {
		session = s.session
	}
	return s.f.advance(ctx, s.name, map[string]string{}, session)
}

// SelectMFASetup is MFA_SETUP when the pool offers several methods the
// user can set up during sign-in: Options are among "SOFTWARE_TOKEN_MFA"
// (an authenticator app) and "EMAIL_OTP" (email MFA).
type SelectMFASetup struct {
	stepBase
	Options []string
}

// Choose picks the method to set up: "SOFTWARE_TOKEN_MFA" leads to a
// [TOTPSetup] step, "EMAIL_OTP" to an [EmailMFASetup] step.
func (s *SelectMFASetup) Choose(ctx context.Context, method string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !slices.Contains(s.Options, method) {
		return nil, fmt.Errorf("%w: %q is not one of %q", ErrInvalidInput, truncate(method, 32), s.Options)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	base := stepBase{f: s.f, name: s.name, session: s.session, answered: new(atomic.Bool)}
	if method == mfaEmail {
		return &Result{Next: &EmailMFASetup{stepBase: base}}, nil
	}
	res, err := s.f.totpSetup(ctx, base)
	if err != nil {
		s.release() // nothing was set up: the user may choose again
	}
	return res, err
}

// EmailMFASetup is MFA_SETUP for email MFA: answer with the user's email
// address. Cognito sends a code there; the next step ([MFACodeRequired],
// EMAIL_OTP) asks for it, and the right code completes the sign-in with
// email MFA on and the address verified.
type EmailMFASetup struct {
	stepBase
}

// Answer sends the email address that receives the codes.
func (s *EmailMFASetup) Answer(ctx context.Context, email string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	email = strings.TrimSpace(email)
	if at := strings.IndexByte(email, '@'); at <= 0 || at == len(email)-1 || len(email) > maxEmailLen || strings.ContainsAny(email, " \t\r\n") {
		return nil, fmt.Errorf("%w: %q is not an email address", ErrInvalidInput, truncate(email, 64))
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	res, err := s.f.advance(ctx, s.name, map[string]string{"EMAIL": email}, s.session)
	if errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrUsernameExists) {
		s.release() // Cognito keeps the Session: another address may do
	}
	return res, err
}

const (
	mfaTOTP     = "SOFTWARE_TOKEN_MFA"
	mfaEmail    = "EMAIL_OTP"
	maxEmailLen = 2048
)

// mfaSetup turns MFA_SETUP into a step: the methods of MFAS_CAN_SETUP that
// can be set up during sign-in are TOTP and email (SMS MFA needs a phone
// number on the user, after which Cognito sends SMS codes at the next
// sign-in). Without MFAS_CAN_SETUP it sets up TOTP.
func (f *flow) mfaSetup(ctx context.Context, base stepBase, ch challenge) (*Result, error) {
	canSetup, _ := jsonList(ch.params["MFAS_CAN_SETUP"])
	totp := len(canSetup) == 0 || slices.Contains(canSetup, mfaTOTP)
	email := slices.Contains(canSetup, mfaEmail)
	switch {
	case totp && email:
		return &Result{Next: &SelectMFASetup{stepBase: base, Options: []string{mfaTOTP, mfaEmail}}}, nil
	case email:
		return &Result{Next: &EmailMFASetup{stepBase: base}}, nil
	case totp:
		return f.totpSetup(ctx, base)
	}
	return nil, &ChallengeError{Name: "MFA_SETUP for " + strings.Join(canSetup, ",")}
}

// totpSetup associates an authenticator app with the sign-in's session.
func (f *flow) totpSetup(ctx context.Context, base stepBase) (*Result, error) {
	out, err := f.c.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: base.session})
	if err != nil {
		return nil, wrapAPI("associate software token", err)
	}
	secret := deref(out.SecretCode)
	if secret == "" || len(secret) > 256 {
		return nil, fmt.Errorf("%w: AssociateSoftwareToken returned no usable secret", ErrBadChallenge)
	}
	if out.Session != nil {
		base.session = out.Session
	}
	return &Result{Next: &TOTPSetup{stepBase: base, Secret: secret, URI: TOTPURI(f.c.cfg.TOTPIssuer, f.typed, secret)}}, nil
}

// TOTPURI returns the otpauth:// URI that authenticator apps scan:
// otpauth://totp/ISSUER:ACCOUNT?secret=SECRET&issuer=ISSUER.
func TOTPURI(issuer, account, secret string) string {
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	return "otpauth://totp/" + url.PathEscape(issuer) + ":" + url.PathEscape(account) + "?" + q.Encode()
}

// NewPasswordRequired asks for a new password, typically after an
// administrator created the user with a temporary password.
type NewPasswordRequired struct {
	stepBase
	// RequiredAttributes are the attributes (without the
	// "userAttributes." prefix) that the answer must set.
	RequiredAttributes []string
	// UserAttributes are the user's current attributes.
	UserAttributes map[string]string
}

// Answer sets the new password and the required attributes.
func (s *NewPasswordRequired) Answer(ctx context.Context, newPassword string, attributes map[string]string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkPassword(newPassword); err != nil {
		return nil, err
	}
	var missing []string
	for _, a := range s.RequiredAttributes {
		if attributes[a] == "" {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingAttributesError{Names: missing}
	}
	if len(attributes) > 64 {
		return nil, fmt.Errorf("%w: more than 64 attributes", ErrInvalidInput)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	resp := map[string]string{"NEW_PASSWORD": newPassword}
	for k, v := range attributes {
		resp["userAttributes."+k] = v
	}
	return s.retryable(s.f.advance(ctx, s.name, resp, s.session))
}

func (f *flow) newPasswordRequired(base stepBase, ch challenge) (*Result, error) {
	req, err := jsonList(ch.params["requiredAttributes"])
	if err != nil {
		return nil, fmt.Errorf("%w: requiredAttributes is not a JSON list", ErrBadChallenge)
	}
	for i, a := range req {
		req[i] = strings.TrimPrefix(a, "userAttributes.")
	}
	attrs := map[string]string{}
	if s := ch.params["userAttributes"]; s != "" && len(s) <= 64<<10 {
		var raw map[string]any
		if json.Unmarshal([]byte(s), &raw) == nil {
			for k, v := range raw {
				if str, ok := v.(string); ok {
					attrs[k] = str
				}
			}
		}
	}
	slices.Sort(req)
	return &Result{Next: &NewPasswordRequired{stepBase: base, RequiredAttributes: req, UserAttributes: attrs}}, nil
}

// CustomChallenge is a CUSTOM_CHALLENGE set by the pool's Lambda triggers;
// Parameters are its public challenge parameters.
type CustomChallenge struct {
	stepBase
	Parameters map[string]string
}

// Answer sends the answer to the custom challenge.
func (s *CustomChallenge) Answer(ctx context.Context, answer string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if answer == "" || len(answer) > maxAnswerLen {
		return nil, fmt.Errorf("%w: answer must be 1 to %d bytes", ErrInvalidInput, maxAnswerLen)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	return s.f.advance(ctx, s.name, map[string]string{"ANSWER": answer}, s.session)
}

// WebAuthnRequired is the WEB_AUTHN challenge of USER_AUTH: answer it with
// a [PasskeyAuthenticator] ([WebAuthnRequired.AnswerWith]), or pass
// CredentialRequestOptions (JSON) to an authenticator yourself and
// [WebAuthnRequired.Answer] with its credential (JSON).
type WebAuthnRequired struct {
	stepBase
	CredentialRequestOptions string
}

// Answer sends the authenticator's credential as JSON.
func (s *WebAuthnRequired) Answer(ctx context.Context, credentialJSON string) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !json.Valid([]byte(credentialJSON)) || len(credentialJSON) > 64<<10 {
		return nil, fmt.Errorf("%w: the credential must be JSON of at most 64 KiB", ErrInvalidInput)
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	return s.f.advance(ctx, s.name, map[string]string{"CREDENTIAL": credentialJSON}, s.session)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
