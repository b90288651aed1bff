package srp

import (
	"fmt"
	"io"
	"math/big"
)

// Verifier returns the password verifier v = g^x mod N with
// x = H(PAD(salt) || H(poolName || userID || ":" || password)). A server
// stores v and the salt instead of the password. salt may be negative.
func Verifier(poolName, userID, password string, salt *big.Int) *big.Int {
	return expG(hashX(poolName, userID, password, salt))
}

// Server is the server half of one SRP handshake for one verifier: a private
// value b and its public value B = (k*v + g^b) mod N. Use a fresh Server for
// every handshake. A Server is immutable after creation and safe for
// concurrent use.
type Server struct {
	b, pubB, v *big.Int
}

// NewServer returns a Server for the verifier v with a private value b of
// 32 bytes read from rand (see serverPrivateBytes). v must be in [1, N) ([ErrInvalidArgument]).
// B is never 0 mod N.
func NewServer(rand io.Reader, v *big.Int) (*Server, error) {
	if !checkPublic(v) {
		return nil, fmt.Errorf("%w: verifier must be in [1, N)", ErrInvalidArgument)
	}
	for range maxAttempts {
		b, err := readPrivate(rand, serverPrivateBytes)
		if err != nil {
			return nil, err
		}
		if s, err := NewServerFromPrivate(v, b); err == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: %d private values in a row gave B mod N == 0", ErrRandom, maxAttempts)
}

// NewServerFromPrivate returns a Server with the given private value b, for
// test vectors and deterministic tests.
func NewServerFromPrivate(v, b *big.Int) (*Server, error) {
	switch {
	case !checkPublic(v):
		return nil, fmt.Errorf("%w: verifier must be in [1, N)", ErrInvalidArgument)
	case b == nil || b.Sign() <= 0:
		return nil, fmt.Errorf("%w: private value b must be positive", ErrInvalidArgument)
	}
	B := expG(b)
	kv := new(big.Int).Mul(params.k, v)
	B.Add(B, kv)
	B.Mod(B, params.N)
	if B.Sign() == 0 {
		return nil, fmt.Errorf("%w: B mod N == 0", ErrInvalidB)
	}
	return &Server{b: new(big.Int).Set(b), pubB: B, v: new(big.Int).Set(v)}, nil
}

// B returns a copy of the public value B.
func (s *Server) B() *big.Int { return new(big.Int).Set(s.pubB) }

// BHex returns B as lowercase hex without padding, the SRP_B parameter.
func (s *Server) BHex() string { return s.pubB.Text(16) }

// PasswordKey computes the 16-byte session key from the client's A:
// S = (A * v^u)^b mod N. It aborts with an error wrapping [ErrInvalidA] when A
// is not in [1, N) (in particular when A mod N == 0) and with [ErrInvalidU]
// when u is zero. The result equals the client's [Client.PasswordKey] when
// both sides used the same password, salt and names.
func (s *Server) PasswordKey(A *big.Int) ([]byte, error) {
	switch {
	case A == nil:
		return nil, fmt.Errorf("%w: A is missing", ErrInvalidA)
	case new(big.Int).Mod(A, params.N).Sign() == 0:
		return nil, fmt.Errorf("%w: A mod N == 0; aborting", ErrInvalidA)
	case !checkPublic(A):
		return nil, fmt.Errorf("%w: A is not in [1, N); aborting", ErrInvalidA)
	}
	u := hashU(A, s.pubB)
	if err := checkU(u); err != nil {
		return nil, err
	}
	S := new(big.Int).Exp(s.v, u, params.N)
	S.Mul(S, A)
	S.Mod(S, params.N)
	S.Exp(S, s.b, params.N)
	return deriveKey(u, S), nil
}
