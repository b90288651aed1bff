package userpool

import "github.com/cognitokit/cognitokit/cognitotest/internal/state"

// configured returns the relying party ID and user verification a pool
// was given (SetUserPoolMfaConfig's WebAuthnConfiguration), "" for
// Cognito's defaults.
func webAuthnConfigured(p *state.Pool) (rpID, userVerification string) {
	return "", ""
}
