package passkeytest

import "errors"

// Sentinel errors. The error messages name what is wrong, never a key.
var (
	// ErrInvalidConfig is wrapped by every error [New] returns.
	ErrInvalidConfig = errors.New("passkeytest: invalid configuration")

	// ErrInvalidOptions: the creation or request options are not JSON of
	// the WebAuthn shape, are too large, lack the challenge, name a
	// relying party ID that is not the origin's host or a parent domain
	// of it (a browser's SecurityError), or do not allow ES256 (a
	// browser's NotSupportedError).
	ErrInvalidOptions = errors.New("passkeytest: invalid WebAuthn options")

	// ErrExcluded: the creation options exclude a credential this
	// authenticator holds (a browser's InvalidStateError): the user
	// already has a passkey here.
	ErrExcluded = errors.New("passkeytest: a credential of this authenticator is excluded")

	// ErrNoCredential: no credential of this authenticator matches the
	// relying party and allowCredentials (a browser's NotAllowedError).
	ErrNoCredential = errors.New("passkeytest: no matching credential")
)
