// Package srp implements the exact SRP-6a variant that Amazon Cognito user
// pools use for USER_SRP_AUTH, CUSTOM_AUTH with SRP, USER_AUTH with
// PASSWORD_SRP and remembered-device authentication (DEVICE_SRP_AUTH).
//
// It holds both halves of the protocol: the client half used by srpclient and
// the server half used by the cognitotest emulator, so that the two can never
// disagree about the math.
//
// # Parameters
//
// The group is the 3072-bit prime of RFC 5054 (RFC 3526 group 15) with
// generator g = 2. The multiplier is k = H(PAD(N) || PAD(g)), where PAD is
// Java's BigInteger.toByteArray: the shortest two's-complement encoding. See
// [Pad]. All hashes are SHA-256.
//
// # Quirks
//
// Cognito's variant differs from textbook SRP in ways that break naive
// clients about once in 256 sign-ins:
//
//   - every integer is hashed in its [Pad] form, including negative salts,
//     which Cognito has been seen to send with a leading '-' ([ParseHex]);
//   - x = H(PAD(salt) || H(poolName || userID || ":" || password)), where
//     userID is USER_ID_FOR_SRP, never the alias the user typed;
//   - the session key is 16 bytes derived with HKDF-SHA256 using PAD(u) as
//     salt and "Caldera Derived Key" as info;
//   - the TIMESTAMP does not pad the day of the month ([Timestamp]).
//
// # Security
//
// The computations use math/big and are not constant time. Signature and
// SECRET_HASH comparison ([VerifySignature], [VerifySecretHash]) are. No
// error message contains a password, a private exponent or a key.
package srp
