// Package passkeys implements the WebAuthn operations of the user pool
// API: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
// ListWebAuthnCredentials and DeleteWebAuthnCredential. The ceremonies
// (and the relying party of a pool) are the userpool package's, which
// USER_AUTH's WEB_AUTHN challenge and managed login share.
package passkeys
