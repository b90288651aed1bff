package userpool

import "github.com/cognitokit/cognitokit/cognitotest/internal/state"

// webAuthnConfigured returns the relying party ID and user verification a
// pool was given (SetUserPoolMfaConfig's WebAuthnConfiguration), "" for
// Cognito's defaults.
func webAuthnConfigured(p *state.Pool) (rpID, userVerification string) {
	if m := p.MFAMethods; m != nil {
		return m.WebAuthnRelyingPartyID, m.WebAuthnUserVerification
	}
	return "", ""
}
