package srp

import (
	"fmt"
	"io"
	"math/big"
)

// maxAttempts bounds the retries when a random private value yields an
// unusable public value (probability about 2^-3000 per attempt).
const maxAttempts = 8

// Client is the client half of one SRP handshake: a private value a and its
// public value A = g^a mod N. Use a fresh Client for every handshake,
// including the DEVICE_SRP_AUTH step of a sign-in that already used one.
// A Client is immutable after creation and safe for concurrent use.
type Client struct {
	a, pubA *big.Int
}

// NewClient returns a Client whose private value a is 128 bytes read from
// rand (usually crypto/rand.Reader), with A = g^a mod N. It fails with an
// error wrapping [ErrRandom] if rand fails.
func NewClient(rand io.Reader) (*Client, error) {
	for range maxAttempts {
		a, err := readPrivate(rand, clientPrivateBytes)
		if err != nil {
			return nil, err
		}
		if c, err := NewClientFromPrivate(a); err == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: %d private values in a row gave A mod N == 0", ErrRandom, maxAttempts)
}

// NewClientFromPrivate returns a Client with the given private value a, for
// test vectors and deterministic tests. a must be positive; the resulting A
// must not be 0 mod N ([ErrInvalidA]).
func NewClientFromPrivate(a *big.Int) (*Client, error) {
	if a == nil || a.Sign() <= 0 {
		return nil, fmt.Errorf("%w: private value a must be positive", ErrInvalidArgument)
	}
	A := expG(a)
	if A.Sign() == 0 {
		return nil, fmt.Errorf("%w: A mod N == 0", ErrInvalidA)
	}
	return &Client{a: new(big.Int).Set(a), pubA: A}, nil
}

// A returns a copy of the public value A.
func (c *Client) A() *big.Int { return new(big.Int).Set(c.pubA) }

// AHex returns A as lowercase hex without padding, the SRP_A parameter.
func (c *Client) AHex() string { return c.pubA.Text(16) }

// PasswordKey computes the 16-byte session key from the server's challenge:
// B (SRP_B) and salt (SALT, possibly negative), for the pool name (the part
// of the pool ID after '_'), the USER_ID_FOR_SRP and the password. For device
// SRP pass the DeviceGroupKey, the DeviceKey and the device password.
//
// It aborts with an error wrapping [ErrInvalidB] when B is not in [1, N)
// (in particular when B mod N == 0) and with [ErrInvalidU] when
// u = H(PAD(A) || PAD(B)) is zero.
func (c *Client) PasswordKey(poolName, userID, password string, B, salt *big.Int) ([]byte, error) {
	switch {
	case B == nil:
		return nil, fmt.Errorf("%w: B is missing", ErrInvalidB)
	case new(big.Int).Mod(B, params.N).Sign() == 0:
		return nil, fmt.Errorf("%w: B mod N == 0; aborting", ErrInvalidB)
	case !checkPublic(B):
		return nil, fmt.Errorf("%w: B is not in [1, N); aborting", ErrInvalidB)
	case salt == nil:
		return nil, fmt.Errorf("%w: salt is missing", ErrInvalidArgument)
	}
	u := hashU(c.pubA, B)
	if err := checkU(u); err != nil {
		return nil, err
	}
	x := hashX(poolName, userID, password, salt)
	// S = (B - k*g^x mod N)^(a + u*x) mod N, base reduced into [0, N).
	gx := expG(x)
	kgx := gx.Mul(params.k, gx)
	kgx.Mod(kgx, params.N)
	base := new(big.Int).Sub(B, kgx)
	base.Mod(base, params.N)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	S := base.Exp(base, exp, params.N)
	return deriveKey(u, S), nil
}
