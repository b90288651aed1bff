package userpool

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Limits.
const (
	// MaxPasskeys is how many passkeys a user may have, as in Cognito.
	MaxPasskeys = 20
	// MaxPasskeyJSON bounds a registration or authentication response.
	MaxPasskeyJSON = 64 << 10
	// passkeyCeremonyLifetime is how long a registration may take.
	passkeyCeremonyLifetime = 5 * time.Minute
)

// user adapts a user and its passkeys to go-webauthn. The user handle is
// the user's sub: opaque, stable and at most 64 bytes.
type passkeyUser struct {
	u    *state.User
	keys []*state.Passkey
}

func (w passkeyUser) WebAuthnID() []byte          { return []byte(w.u.Sub) }
func (w passkeyUser) WebAuthnName() string        { return passkeyName(w.u) }
func (w passkeyUser) WebAuthnDisplayName() string { return passkeyName(w.u) }
func (w passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.keys))
	for i, k := range w.keys {
		out[i] = webauthn.Credential{ID: k.ID, PublicKey: k.PublicKey, AttestationType: k.AttestationType, AttestationFormat: k.AttestationFormat,
			Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: k.UserVerified, BackupEligible: k.BackupEligible, BackupState: k.BackupState},
			Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount}}
	}
	return out
}

// displayName is the name a passkey manager shows: the username, or the
// email address (or phone number) of a pool whose usernames are subs.
func passkeyName(u *state.User) string {
	if u.Username == u.Sub {
		if e := u.Attributes["email"]; e != "" {
			return e
		}
		if ph := u.Attributes["phone_number"]; ph != "" {
			return ph
		}
	}
	return u.Username
}

func passkeyDescriptors(keys []*state.Passkey) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(keys))
	for i, k := range keys {
		out[i] = protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: k.ID}
		for _, t := range k.Transports {
			out[i].Transport = append(out[i].Transport, protocol.AuthenticatorTransport(t))
		}
	}
	return out
}

// PasskeyRegistration is a registration in progress, from BeginRegistration to
// FinishPasskeyRegistration.
type PasskeyRegistration struct {
	RP       *RelyingParty
	PoolID   string
	Sub      string
	ClientID string // of the access token that started it
	Expires  time.Time
	session  webauthn.SessionData
}

// BeginPasskeyRegistration starts registering a passkey for u, who has keys: it
// returns PublicKeyCredentialCreationOptionsJSON (Cognito's
// CredentialCreationOptions: the relying party, the user, a challenge, ES256
// and RS256, a discoverable credential with the pool's user verification,
// the user's passkeys excluded) and the registration to finish.
func BeginPasskeyRegistration(rp *RelyingParty, u *state.User, keys []*state.Passkey, now time.Time) (json.RawMessage, *PasskeyRegistration, *wire.Error) {
	if len(keys) >= MaxPasskeys {
		return nil, nil, wire.Errorf("LimitExceededException", "The user has %d passkeys, the most Cognito allows: delete one first (DeleteWebAuthnCredential).", MaxPasskeys)
	}
	wa, err := rp.webAuthn("")
	if err != nil {
		return nil, nil, wire.Errorf("WebAuthnConfigurationMissingException", "The relying party ID %q is not a valid domain: %v", wire.Truncate(rp.ID, 64), err)
	}
	creation, session, err := wa.BeginRegistration(passkeyUser{u, keys}, webauthn.WithExclusions(passkeyDescriptors(keys)),
		webauthn.WithCredentialParameters([]protocol.CredentialParameter{
			{Type: protocol.PublicKeyCredentialType, Algorithm: -7}, {Type: protocol.PublicKeyCredentialType, Algorithm: -257}}))
	if err != nil {
		return nil, nil, wire.Internal("WebAuthn registration failed")
	}
	opts, err := json.Marshal(creation.Response)
	if err != nil {
		return nil, nil, wire.Internal("WebAuthn registration failed")
	}
	return opts, &PasskeyRegistration{RP: rp, PoolID: u.PoolID, Sub: u.Sub, Expires: now.Add(passkeyCeremonyLifetime), session: *session}, nil
}

// FinishPasskeyRegistration verifies a registration response (the
// RegistrationResponseJSON of PublicKeyCredential.toJSON()) for the
// registration reg of u, and returns the new passkey, not yet stored.
func FinishPasskeyRegistration(reg *PasskeyRegistration, u *state.User, keys []*state.Passkey, credentialJSON []byte, now time.Time) (*state.Passkey, *wire.Error) {
	if len(credentialJSON) > MaxPasskeyJSON {
		return nil, wire.InvalidParameter("Credential is longer than %d bytes", MaxPasskeyJSON)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credentialJSON)
	if err != nil {
		return nil, wire.InvalidParameter("Credential is not a WebAuthn registration response (PublicKeyCredential.toJSON() of navigator.credentials.create): %s", wire.Truncate(webauthnDetails(err), 200))
	}
	rp := reg.RP
	origin := parsed.Response.CollectedClientData.Origin
	if !rp.Allows(origin) {
		return nil, wire.Errorf("WebAuthnOriginNotAllowedException", "The passkey was created at the origin %q, which may not use the relying party %q.", wire.Truncate(origin, 100), rp.ID)
	}
	if parsed.Response.CollectedClientData.Type != protocol.CreateCeremony || parsed.Response.CollectedClientData.Challenge != reg.session.Challenge {
		return nil, wire.Errorf("WebAuthnChallengeNotFoundException", "The credential does not answer the challenge of the user's registration; call StartWebAuthnRegistration again.")
	}
	if h := sha256.Sum256([]byte(rp.ID)); !bytes.Equal(parsed.Response.AttestationObject.AuthData.RPIDHash, h[:]) {
		return nil, wire.Errorf("WebAuthnRelyingPartyMismatchException", "The passkey was created for another relying party than %q.", rp.ID)
	}
	if rp.UserVerification == "required" && !parsed.Response.AttestationObject.AuthData.Flags.HasUserVerified() {
		return nil, wire.NotAuthorized("The authenticator did not verify the user, and the user pool requires user verification.")
	}
	wa, err := rp.webAuthn(origin)
	if err != nil {
		return nil, wire.Internal("WebAuthn registration failed")
	}
	cred, err := wa.CreateCredential(passkeyUser{u, keys}, reg.session, parsed)
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) && (pe.Type == protocol.ErrUnsupportedAlgorithm.Type || pe.Type == protocol.ErrAttestationFormat.Type) {
			return nil, wire.Errorf("WebAuthnCredentialNotSupportedException", "The passkey is not supported: %s", wire.Truncate(webauthnDetails(err), 200))
		}
		return nil, wire.NotAuthorized("The passkey did not verify: %s", wire.Truncate(webauthnDetails(err), 200))
	}
	k := &state.Passkey{PoolID: u.PoolID, Sub: u.Sub, ID: cred.ID, PublicKey: cred.PublicKey, RPID: rp.ID,
		AttestationFormat: cred.AttestationFormat, AttestationType: cred.AttestationType, AAGUID: cred.Authenticator.AAGUID,
		SignCount: cred.Authenticator.SignCount, UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible,
		BackupState: cred.Flags.BackupState, Attachment: string(parsed.AuthenticatorAttachment), CreatedAt: now}
	if len(k.AAGUID) == 16 && bytes.Equal(k.AAGUID, make([]byte, 16)) {
		k.AAGUID = nil
	}
	for _, t := range parsed.Response.Transports {
		if len(k.Transports) < 8 && len(t) <= 32 {
			k.Transports = append(k.Transports, string(t))
		}
	}
	for _, old := range keys {
		if bytes.Equal(old.ID, k.ID) {
			return nil, wire.InvalidParameter("The user has this passkey already.")
		}
	}
	return k, nil
}

// PasskeyLogin is a passkey sign-in in progress: the WEB_AUTHN challenge.
type PasskeyLogin struct {
	RP      *RelyingParty
	session webauthn.SessionData
}

// BeginPasskeyLogin starts a sign-in of u with one of keys: it returns
// PublicKeyCredentialRequestOptionsJSON (Cognito's
// CREDENTIAL_REQUEST_OPTIONS: a challenge, the relying party ID, the
// user's passkeys as allowCredentials, the pool's user verification).
func BeginPasskeyLogin(rp *RelyingParty, u *state.User, keys []*state.Passkey) (json.RawMessage, *PasskeyLogin, *wire.Error) {
	if len(keys) == 0 {
		return nil, nil, wire.InvalidParameter("The user has no passkey.")
	}
	wa, err := rp.webAuthn("")
	if err != nil {
		return nil, nil, wire.Errorf("WebAuthnConfigurationMissingException", "The relying party ID %q is not a valid domain: %v", wire.Truncate(rp.ID, 64), err)
	}
	assertion, session, err := wa.BeginLogin(passkeyUser{u, keys}, webauthn.WithUserVerification(protocol.UserVerificationRequirement(rp.UserVerification)))
	if err != nil {
		return nil, nil, wire.Internal("WebAuthn sign-in failed")
	}
	opts, err := json.Marshal(assertion.Response)
	if err != nil {
		return nil, nil, wire.Internal("WebAuthn sign-in failed")
	}
	return opts, &PasskeyLogin{RP: rp, session: *session}, nil
}

// FinishPasskeyLogin verifies an authentication response (the
// AuthenticationResponseJSON of PublicKeyCredential.toJSON()) of u, who
// has keys, for the sign-in l. It returns the passkey used, with its new
// signature counter, to store. Every failure is NotAuthorizedException,
// with the reason.
func FinishPasskeyLogin(l *PasskeyLogin, u *state.User, keys []*state.Passkey, credentialJSON []byte, now time.Time) (*state.Passkey, *wire.Error) {
	if len(credentialJSON) > MaxPasskeyJSON {
		return nil, wire.InvalidParameter("CREDENTIAL is longer than %d bytes", MaxPasskeyJSON)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credentialJSON)
	if err != nil {
		return nil, wire.InvalidParameter("CREDENTIAL is not a WebAuthn authentication response (PublicKeyCredential.toJSON() of navigator.credentials.get): %s", wire.Truncate(webauthnDetails(err), 200))
	}
	origin := parsed.Response.CollectedClientData.Origin
	if !l.RP.Allows(origin) {
		return nil, wire.NotAuthorized("The passkey was used at the origin %q, which may not use the relying party %q.", wire.Truncate(origin, 100), l.RP.ID)
	}
	var used *state.Passkey
	for _, k := range keys {
		if bytes.Equal(k.ID, parsed.RawID) {
			used = k
		}
	}
	if used == nil {
		return nil, wire.NotAuthorized("The passkey is not one of the user's.")
	}
	if l.RP.UserVerification == "required" && !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		return nil, wire.NotAuthorized("The authenticator did not verify the user, and the user pool requires user verification.")
	}
	wa, err := l.RP.webAuthn(origin)
	if err != nil {
		return nil, wire.Internal("WebAuthn sign-in failed")
	}
	cred, err := wa.ValidateLogin(passkeyUser{u, keys}, l.session, parsed)
	if err != nil {
		return nil, wire.NotAuthorized("The passkey did not verify: %s", wire.Truncate(webauthnDetails(err), 200))
	}
	if cred.Authenticator.CloneWarning {
		// go-webauthn only flags it; Cognito refuses the sign-in.
		return nil, wire.NotAuthorized("The passkey's signature counter (%d) is not greater than the last one (%d): the authenticator may have been cloned.",
			parsed.Response.AuthenticatorData.Counter, used.SignCount)
	}
	k := used.Clone()
	k.SignCount = cred.Authenticator.SignCount
	k.BackupState = cred.Flags.BackupState
	k.LastUsedAt = now
	return k, nil
}

// details returns the detail of a go-webauthn error.
func webauthnDetails(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.Details != "" {
			return pe.Details
		}
		return pe.Type
	}
	return err.Error()
}
