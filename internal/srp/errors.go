package srp

import "errors"

// The sentinel errors of this package. Every error returned by a function of
// this package wraps exactly one of them, so callers match with [errors.Is].
// Messages never contain passwords, private exponents or derived keys.
var (
	// ErrInvalidHex reports a hex field (SRP_A, SRP_B, SALT, ...) that is
	// empty, too long or contains something other than an optional leading
	// '-' followed by hex digits.
	ErrInvalidHex = errors.New("srp: invalid hex integer")

	// ErrInvalidA reports a client public value A that is zero modulo N or
	// outside [1, N). The server must abort the handshake.
	ErrInvalidA = errors.New("srp: invalid client public value A")

	// ErrInvalidB reports a server public value B that is zero modulo N or
	// outside [1, N). The client must abort the handshake.
	ErrInvalidB = errors.New("srp: invalid server public value B")

	// ErrInvalidU reports a scrambling parameter u = H(PAD(A) || PAD(B))
	// equal to zero. The handshake must be aborted.
	ErrInvalidU = errors.New("srp: scrambling parameter u is zero")

	// ErrInvalidArgument reports a nil integer, an empty name or another
	// argument the SRP computation cannot use.
	ErrInvalidArgument = errors.New("srp: invalid argument")

	// ErrInvalidTimestamp reports a TIMESTAMP that is not in Cognito's exact
	// format "Mon Jan 2 15:04:05 UTC 2006" (day not padded, 24-hour clock).
	ErrInvalidTimestamp = errors.New("srp: invalid TIMESTAMP")

	// ErrRandom reports a failure of the random source.
	ErrRandom = errors.New("srp: random source failed")
)
