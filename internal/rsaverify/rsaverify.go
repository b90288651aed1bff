package rsaverify

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"filippo.io/bigmod"
)

// Key size limits [NewPublicKey] enforces.
const (
	// MinBits is the smallest modulus accepted: crypto/rsa's own default
	// minimum. (This package has no GODEBUG to lower it.) Callers that
	// want a stricter floor, as the verifier does with 2048, check
	// [PublicKey.BitLen] themselves.
	MinBits = 1024
	// MaxBits is the largest modulus accepted. It bounds the cost of one
	// verification for keys that come from outside.
	MaxBits = 16384
)

// stackEM is the largest encoded message built on the stack: 8192 bits.
const stackEM = 8192 / 8

// PublicKey is an RSA public key with the Montgomery constants of its
// modulus computed once. Build it with [NewPublicKey]. It is read-only after
// construction: its methods are safe for concurrent use.
type PublicKey struct {
	n    *bigmod.Modulus
	e    uint
	size int // modulus length in bytes: the signature length
	bits int

	// pub is a private copy of the key for the paths that go through
	// crypto/rsa (see the package doc). Its N is never exposed, so no
	// caller can change it.
	pub rsa.PublicKey

	// mont is the modulus prepared for the fast path's own Montgomery
	// arithmetic, where it runs in assembly (fastMont); nil elsewhere,
	// where bigmod does the exponentiation.
	mont *montKey

	// stdOnly is set when a validated module must do the arithmetic (Go
	// FIPS 140-3 mode, BoringCrypto): every verification then goes
	// through crypto/rsa.
	stdOnly bool
}

// NewPublicKey checks pub and precomputes its modulus. Do it once per key,
// when the key set is parsed, and share the result.
//
// It accepts exactly the keys rsa.VerifyPKCS1v15 accepts by default (an odd
// modulus of at least [MinBits] bits, an odd exponent from 3 to 2³¹−1) that
// are also at most [MaxBits] bits long. Every error wraps [ErrInvalidKey].
// pub is copied: changing it later does not change the returned key.
func NewPublicKey(pub *rsa.PublicKey) (*PublicKey, error) {
	switch {
	case pub == nil:
		return nil, fmt.Errorf("%w: the key is nil", ErrInvalidKey)
	case pub.N == nil:
		return nil, fmt.Errorf("%w: the modulus is missing", ErrInvalidKey)
	case pub.N.Sign() <= 0:
		return nil, fmt.Errorf("%w: the modulus is not positive", ErrInvalidKey)
	case pub.N.Bit(0) == 0:
		return nil, fmt.Errorf("%w: the modulus is even", ErrInvalidKey)
	case pub.N.BitLen() < MinBits:
		return nil, fmt.Errorf("%w: the modulus has %d bits; want at least %d", ErrInvalidKey, pub.N.BitLen(), MinBits)
	case pub.N.BitLen() > MaxBits:
		return nil, fmt.Errorf("%w: the modulus has %d bits; want at most %d", ErrInvalidKey, pub.N.BitLen(), MaxBits)
	case pub.E < 3:
		return nil, fmt.Errorf("%w: the public exponent %d is too small; want an odd number from 3 to 2^31-1", ErrInvalidKey, pub.E)
	case pub.E%2 == 0:
		return nil, fmt.Errorf("%w: the public exponent %d is even; want an odd number from 3 to 2^31-1", ErrInvalidKey, pub.E)
	case pub.E > 1<<31-1:
		return nil, fmt.Errorf("%w: the public exponent %d is too large; want an odd number from 3 to 2^31-1", ErrInvalidKey, pub.E)
	}
	n, err := bigmod.NewModulus(pub.N.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	var mont *montKey
	if fastMont {
		mont = newMontKey(pub.N, uint(pub.E))
	}
	return &PublicKey{
		mont:    mont,
		n:       n,
		e:       uint(pub.E),
		size:    n.Size(),
		bits:    n.BitLen(),
		pub:     rsa.PublicKey{N: new(big.Int).Set(pub.N), E: pub.E},
		stdOnly: stdOnly(),
	}, nil
}

// Size returns the modulus length in bytes, which is the length of every
// valid signature.
func (k *PublicKey) Size() int {
	if k == nil {
		return 0
	}
	return k.size
}

// BitLen returns the modulus length in bits.
func (k *PublicKey) BitLen() int {
	if k == nil {
		return 0
	}
	return k.bits
}

// Equal reports whether k and x hold the same key.
func (k *PublicKey) Equal(x *PublicKey) bool {
	if k == nil || x == nil || k.n == nil || x.n == nil {
		return false
	}
	return k.pub.Equal(&x.pub)
}

// VerifyPKCS1v15 verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2):
// sig must be the signature of the digest hashed under hash. It returns nil
// if the signature is valid and an error wrapping [ErrVerification] if it is
// not; [ErrDigestLength] or [ErrUnsupportedHash] mean the caller passed the
// wrong arguments.
//
// Its verdict is the one rsa.VerifyPKCS1v15 gives on the same inputs
// (the tests check this differentially). It never panics: where crypto/rsa
// panics on an unknown hash, it returns [ErrUnsupportedHash].
func (k *PublicKey) VerifyPKCS1v15(hash crypto.Hash, hashed, sig []byte) error {
	if k == nil || k.n == nil {
		return fmt.Errorf("%w: the key was not built by NewPublicKey", ErrInvalidKey)
	}
	prefix, fast := digestInfoPrefix(hash)
	if hash != 0 {
		if hash > crypto.BLAKE2b_512 {
			return fmt.Errorf("%w: crypto.Hash(%d) is not a hash the standard library defines; pass crypto.SHA256, crypto.SHA384 or crypto.SHA512", ErrUnsupportedHash, uint(hash))
		}
		if len(hashed) != hash.Size() {
			return ErrDigestLength
		}
	}
	if !fast || k.stdOnly {
		return k.verifyStd(hash, hashed, sig)
	}

	// RFC 8017 §8.2.2 step 1: the signature has exactly k bytes.
	if len(sig) != k.size {
		return ErrVerification
	}
	// Step 2.a, 2.b and 2.c: s = OS2IP(S), rejected unless s < n, and
	// m = s^e mod n with the precomputed modulus.
	var mStack [maxStackLimbs]uint
	m, ok := k.exp(mStack[:0], sig)
	if !ok {
		return ErrVerification
	}

	// Step 2.d, 3 and 4: compare EM = I2OSP(m, k) with the encoding of the
	// digest, EMSA-PKCS1-v1_5-ENCODE(hashed).
	var bufs [2 * stackEM]byte
	var got, want []byte
	if k.size <= stackEM {
		got, want = bufs[:k.size], bufs[stackEM:stackEM+k.size]
	} else {
		got, want = make([]byte, k.size), make([]byte, k.size)
	}
	if putBytes(got, m) != 0 {
		return ErrVerification // unreachable: m < n < 2^(8·size)
	}
	if !encodePKCS1v15(want, prefix, hashed) {
		return ErrVerification // the key is too short for this digest
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrVerification
	}
	return nil
}

// exp returns m = s^e mod n for the signature sig of k.size bytes, in
// little-endian limbs (appended to buf, whose capacity is used if it
// suffices), or false if s ≥ n.
func (k *PublicKey) exp(buf []uint, sig []byte) ([]uint, bool) {
	if k.mont == nil {
		s, err := bigmod.NewNat().SetBytes(sig, k.n)
		if err != nil {
			return nil, false
		}
		return bigmod.NewNat().ExpShortVarTime(s, k.e, k.n).Bits(), true
	}
	l := len(k.mont.n)
	var sStack [maxStackLimbs]uint
	var s []uint
	if l <= maxStackLimbs {
		s = sStack[:l]
	} else {
		s = make([]uint, l)
	}
	if !setLimbs(s, sig) || !lessLimbs(s, k.mont.n) {
		return nil, false
	}
	m := buf[:0]
	if cap(m) >= l {
		m = m[:l]
	} else {
		m = make([]uint, l)
	}
	k.mont.exp(m, s)
	return m, true
}

// setLimbs sets dst to the big-endian integer b, as little-endian limbs,
// and reports whether it fits.
func setLimbs(dst []uint, b []byte) bool {
	clear(dst)
	for i := range b {
		pos := len(b) - 1 - i // byte position from the least significant
		limb := pos / (bits.UintSize / 8)
		if limb >= len(dst) {
			if b[i] != 0 {
				return false
			}
			continue
		}
		dst[limb] |= uint(b[i]) << (8 * (pos % (bits.UintSize / 8)))
	}
	return true
}

// verifyStd verifies through crypto/rsa, for the hashes and modes the fast
// path does not cover.
func (k *PublicKey) verifyStd(hash crypto.Hash, hashed, sig []byte) error {
	err := rsa.VerifyPKCS1v15(&k.pub, hash, hashed, sig)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rsa.ErrVerification):
		return ErrVerification
	}
	// crypto/rsa refused the inputs rather than the signature (for
	// example a key or hash that FIPS 140-only mode does not allow). The
	// signature is not accepted either way.
	return fmt.Errorf("%w: crypto/rsa: %w", ErrVerification, err)
}

// putBytes writes the len(dst) low-order bytes of the little-endian limbs
// into dst, big-endian, and returns the OR of the bytes that did not fit.
func putBytes(dst []byte, limbs []uint) (overflow uint) {
	i := len(dst)
	for _, l := range limbs {
		for range bits.UintSize / 8 {
			if i > 0 {
				i--
				dst[i] = byte(l)
			} else {
				overflow |= l & 0xff
			}
			l >>= 8
		}
	}
	clear(dst[:i])
	return overflow
}

// encodePKCS1v15 writes EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) of the
// digest into em: 0x00 || 0x01 || PS || 0x00 || prefix || hashed, where PS
// is at least 8 bytes of 0xff and fills em. It reports false if em is too
// short for that.
func encodePKCS1v15(em, prefix, hashed []byte) bool {
	tLen := len(prefix) + len(hashed)
	if len(em) < tLen+11 {
		return false
	}
	em[0] = 0x00
	em[1] = 0x01
	ps := em[2 : len(em)-tLen-1]
	for i := range ps {
		ps[i] = 0xff
	}
	em[len(em)-tLen-1] = 0x00
	copy(em[len(em)-tLen:], prefix)
	copy(em[len(em)-len(hashed):], hashed)
	return true
}
