package rsaverify

import "errors"

// Sentinel errors. Match them with [errors.Is]. They never contain the
// signature, the digest or any token material.
var (
	// ErrVerification: the signature does not verify under the key. It is
	// returned for every rejection of the signature itself: a wrong length,
	// a value not below the modulus, or a decoded message that is not the
	// EMSA-PKCS1-v1_5 encoding of the digest. The verifier maps it to
	// verifier.ErrBadSignature.
	ErrVerification = errors.New("rsaverify: verification error: the signature does not verify under this key")

	// ErrInvalidKey is wrapped by every error [NewPublicKey] returns, and
	// returned by the methods of a [PublicKey] that was not built by
	// [NewPublicKey]. The wrapped message says which property is wrong.
	ErrInvalidKey = errors.New("rsaverify: invalid RSA public key")

	// ErrUnsupportedHash: the crypto.Hash is not one the Go standard
	// library knows. (crypto/rsa panics on such a value; this package does
	// not.)
	ErrUnsupportedHash = errors.New("rsaverify: unsupported hash function")

	// ErrDigestLength: hashed is not exactly as long as the hash's digest,
	// which means the caller passed a message instead of its digest.
	ErrDigestLength = errors.New("rsaverify: hashed is not a digest of the hash's size; pass the hash of the message, not the message")
)
