// Package passkeytest is a software WebAuthn authenticator (a "passkey"
// kept in memory) FOR TESTS ONLY: it signs whatever it is asked to, with
// keys that live in process memory and vanish with it, and it asks no
// one. It lets tests, and the cognito CLI's own test suite, register
// passkeys and sign in with them through srpclient (an
// srpclient.PasskeyAuthenticator) without a browser or a security key.
// Nothing in cognitokit uses it by default; never give it to real users.
//
// # What it does
//
// [Authenticator.CreateCredential] answers navigator.credentials.create:
// it reads PublicKeyCredentialCreationOptions JSON (what Cognito's
// StartWebAuthnRegistration returns), makes an ES256 (P-256) key pair and
// a random credential ID, and returns the registration response JSON
// (PublicKeyCredential.toJSON()) with "none" attestation: clientDataJSON
// with the challenge and Config.Origin, and authenticator data with the
// SHA-256 of the relying party ID, the UP and UV flags, the signature
// counter and the attested credential (a COSE EC2 key). Every credential
// is discoverable (a resident key, as passkeys are).
//
// [Authenticator.GetAssertion] answers navigator.credentials.get: it reads
// PublicKeyCredentialRequestOptions JSON (Cognito's
// CREDENTIAL_REQUEST_OPTIONS), picks a credential of the relying party
// (one of allowCredentials, or a discoverable one when the list is empty),
// increments its counter and returns the assertion JSON with the
// signature over authenticatorData || SHA-256(clientDataJSON) and the user
// handle.
//
// Like a browser, it refuses a relying party ID that is not the origin's
// host or a parent domain of it, options without ES256 among the allowed
// algorithms, and an excluded credential it holds.
//
// # For negative tests
//
// Config.NoUserVerification and Config.NoUserPresence clear the UV and UP
// flags, Config.Origin can be set to the wrong site, and
// [Authenticator.SetSignCount] rewinds a counter (a cloned authenticator),
// so that tests can check that a relying party refuses them.
//
// # Why hand-written
//
// The authenticator side needs a few fixed CBOR structures (the
// attestation object and a COSE key), written here in a few lines;
// WebAuthn libraries such as github.com/go-webauthn/webauthn implement
// the relying party, not the authenticator, and the tests use that one to
// verify what this package produces.
package passkeytest
