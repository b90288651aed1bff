package srpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
)

// PasskeyAuthenticator is a WebAuthn authenticator, supplied by the caller:
// the platform's passkey API, a security key reached through a CTAP
// library, a browser driven over DevTools, or, in tests, the software
// authenticator of package passkeytest. Implementations must be safe for
// concurrent use if the caller shares them.
//
// The JSON is that of the WebAuthn Level 3 JSON forms, as Cognito sends
// and expects it (and as PublicKeyCredential.toJSON() and
// PublicKeyCredential.parseCreationOptionsFromJSON use it in browsers):
// binary values in base64url.
type PasskeyAuthenticator interface {
	// CreateCredential is navigator.credentials.create: it receives
	// PublicKeyCredentialCreationOptionsJSON (from
	// StartWebAuthnRegistration) and returns the RegistrationResponseJSON
	// of the new credential (id, rawId, type, response.clientDataJSON,
	// response.attestationObject, ...).
	CreateCredential(ctx context.Context, creationOptionsJSON []byte) ([]byte, error)

	// GetAssertion is navigator.credentials.get: it receives
	// PublicKeyCredentialRequestOptionsJSON (the challenge parameter
	// CREDENTIAL_REQUEST_OPTIONS) and returns the
	// AuthenticationResponseJSON (id, rawId, type,
	// response.clientDataJSON, response.authenticatorData,
	// response.signature, response.userHandle).
	GetAssertion(ctx context.Context, requestOptionsJSON []byte) ([]byte, error)
}

// Limits on passkey JSON, in bytes, either way.
const maxPasskeyJSON = 64 << 10

// maxPasskeyPages bounds the pages ListPasskeys reads (Cognito keeps at
// most 20 passkeys per user).
const maxPasskeyPages = 50

// Passkey is a WebAuthn credential registered for a user
// (ListWebAuthnCredentials).
type Passkey struct {
	// CredentialID identifies it, for DeletePasskey.
	CredentialID string
	// FriendlyName is the name the authenticator gave it, if any.
	FriendlyName string
	// RelyingPartyID is the domain it is scoped to.
	RelyingPartyID string
	// AuthenticatorAttachment is "platform" or "cross-platform", or
	// empty.
	AuthenticatorAttachment string
	// Transports are the authenticator's transports ("internal", "usb",
	// "hybrid", ...).
	Transports []string
	// CreatedAt is when it was registered.
	CreatedAt time.Time
}

func checkAccessToken(tok string) error {
	if tok == "" || len(tok) > maxTokenLength {
		return fmt.Errorf("%w: access token must be 1 to %d bytes", ErrInvalidInput, maxTokenLength)
	}
	return nil
}

// checkPasskeyJSON checks what an authenticator returned: a JSON object of
// bounded size.
func checkPasskeyJSON(what string, b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > maxPasskeyJSON || b[0] != '{' || !json.Valid(b) {
		return fmt.Errorf("%w: the authenticator's %s must be a JSON object of at most %d bytes", ErrInvalidInput, what, maxPasskeyJSON)
	}
	return nil
}

// RegisterPasskey registers a new passkey for the signed-in user:
// StartWebAuthnRegistration with the access token, the authenticator's
// CreateCredential with the creation options, then
// CompleteWebAuthnRegistration with its response. The access token needs
// the aws.cognito.signin.user.admin scope (tokens from SignIn have it), and
// the user pool must allow passkeys (its relying party ID matching the
// authenticator's origin). Errors of the authenticator are returned
// wrapped as they are; Cognito's refusal of the credential wraps
// ErrNotAuthorized or ErrInvalidInput with the SDK's exception.
func (c *Client) RegisterPasskey(ctx context.Context, accessToken string, a PasskeyAuthenticator) error {
	if ctx == nil {
		return errNilContext
	}
	if err := checkAccessToken(accessToken); err != nil {
		return err
	}
	if a == nil {
		return fmt.Errorf("%w: nil PasskeyAuthenticator", ErrInvalidInput)
	}
	start, err := c.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: &accessToken})
	if err != nil {
		return wrapAPI("start WebAuthn registration", err)
	}
	if start.CredentialCreationOptions == nil {
		return fmt.Errorf("%w: StartWebAuthnRegistration returned no CredentialCreationOptions", ErrBadChallenge)
	}
	opts, err := start.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil || len(opts) > maxPasskeyJSON || len(opts) == 0 || opts[0] != '{' {
		return fmt.Errorf("%w: CredentialCreationOptions is not a JSON object of at most %d bytes", ErrBadChallenge, maxPasskeyJSON)
	}
	resp, err := a.CreateCredential(ctx, opts)
	if err != nil {
		return fmt.Errorf("srpclient: the authenticator did not create a credential: %w", err)
	}
	if err := checkPasskeyJSON("registration response", resp); err != nil {
		return err
	}
	var cred map[string]any
	if err := json.Unmarshal(resp, &cred); err != nil {
		return fmt.Errorf("%w: the authenticator's registration response: %v", ErrInvalidInput, err)
	}
	_, err = c.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{
		AccessToken: &accessToken, Credential: document.NewLazyDocument(cred),
	})
	if err != nil {
		return wrapAPI("complete WebAuthn registration", err)
	}
	return nil
}

// SignInWithPasskey signs in with a passkey: USER_AUTH with
// PREFERRED_CHALLENGE=WEB_AUTHN, the authenticator's GetAssertion with the
// CREDENTIAL_REQUEST_OPTIONS of the WEB_AUTHN challenge, and
// RespondToAuthChallenge with the CREDENTIAL. The result holds the tokens,
// or the next step when Cognito asks for something else (an MFA code, or
// a [SelectChallenge] when the user has no passkey or the app client does
// not allow WEB_AUTHN).
func (c *Client) SignInWithPasskey(ctx context.Context, username string, a PasskeyAuthenticator) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if a == nil {
		return nil, fmt.Errorf("%w: nil PasskeyAuthenticator", ErrInvalidInput)
	}
	res, err := c.SignIn(ctx, SignInInput{Username: username, Flow: FlowUserAuth, PreferredChallenge: ChallengeWebAuthn})
	if err != nil {
		return nil, err
	}
	if step, ok := res.Next.(*WebAuthnRequired); ok {
		return step.AnswerWith(ctx, a)
	}
	return res, nil
}

// AnswerWith answers the WEB_AUTHN challenge with the authenticator: its
// GetAssertion with CredentialRequestOptions, then the credential it
// returns.
func (s *WebAuthnRequired) AnswerWith(ctx context.Context, a PasskeyAuthenticator) (*Result, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if a == nil {
		return nil, fmt.Errorf("%w: nil PasskeyAuthenticator", ErrInvalidInput)
	}
	opts := []byte(s.CredentialRequestOptions)
	if len(opts) == 0 || len(opts) > maxPasskeyJSON || !json.Valid(opts) {
		return nil, fmt.Errorf("%w: CREDENTIAL_REQUEST_OPTIONS is not JSON of at most %d bytes", ErrBadChallenge, maxPasskeyJSON)
	}
	cred, err := a.GetAssertion(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("srpclient: the authenticator did not sign in: %w", err)
	}
	if err := checkPasskeyJSON("authentication response", cred); err != nil {
		return nil, err
	}
	return s.Answer(ctx, string(cred))
}

// ListPasskeys lists the passkeys of the signed-in user
// (ListWebAuthnCredentials, every page).
func (c *Client) ListPasskeys(ctx context.Context, accessToken string) ([]Passkey, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkAccessToken(accessToken); err != nil {
		return nil, err
	}
	var out []Passkey
	var next *string
	for range maxPasskeyPages {
		page, err := c.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &accessToken, NextToken: next})
		if err != nil {
			return nil, wrapAPI("list WebAuthn credentials", err)
		}
		for _, d := range page.Credentials {
			p := Passkey{CredentialID: deref(d.CredentialId), FriendlyName: deref(d.FriendlyCredentialName),
				RelyingPartyID: deref(d.RelyingPartyId), AuthenticatorAttachment: deref(d.AuthenticatorAttachment),
				Transports: append([]string(nil), d.AuthenticatorTransports...)}
			if d.CreatedAt != nil {
				p.CreatedAt = *d.CreatedAt
			}
			out = append(out, p)
		}
		if page.NextToken == nil || *page.NextToken == "" {
			return out, nil
		}
		next = page.NextToken
	}
	return nil, fmt.Errorf("%w: ListWebAuthnCredentials returned more than %d pages", ErrBadChallenge, maxPasskeyPages)
}

// DeletePasskey deletes a passkey of the signed-in user
// (DeleteWebAuthnCredential). A credential ID that does not exist gives an
// error wrapping ErrInvalidConfig (Cognito's ResourceNotFoundException).
func (c *Client) DeletePasskey(ctx context.Context, accessToken, credentialID string) error {
	if ctx == nil {
		return errNilContext
	}
	if err := checkAccessToken(accessToken); err != nil {
		return err
	}
	if credentialID == "" || len(credentialID) > 2048 {
		return fmt.Errorf("%w: credential ID must be 1 to 2048 bytes", ErrInvalidInput)
	}
	if _, err := c.api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: &accessToken, CredentialId: &credentialID}); err != nil {
		return wrapAPI("delete WebAuthn credential", err)
	}
	return nil
}
