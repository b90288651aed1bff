package rsaverify

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/big"
	"testing"
)

// Fuzz modes: how FuzzDifferential turns its input into a signature.
const (
	modeRawSig     = iota // data is the signature
	modeMutatedSig        // a valid signature, mutated by data
	modeMutatedEM         // a valid encoded message, mutated by data, then signed raw
	modeSpecial           // 0, 1, n-1, n, ... plus a small delta from data
	modeRandomKey         // a modulus and exponent from the input, data as the signature
	modeCubeRoot          // e = 3: ⌈∛EM'⌉ of a mutated encoded message, no private key
	modeOneByte           // a valid encoded message with one byte replaced, signed raw
	numModes
)

// fuzzExponents are the exponents modeRandomKey picks from, valid or not;
// those over 2³¹−1 only where an int holds them (64-bit platforms).
var fuzzExponents = func() []int {
	var es []int
	for _, e := range []int64{3, 17, 65537, 1<<31 - 1, 257, 5, 1, 2, 0, -1, -65537, 65536, 1 << 31, 1<<32 + 1, 1<<62 + 1} {
		if int64(int(e)) == e {
			es = append(es, int(e))
		}
	}
	return es
}()

// FuzzDifferential checks that PublicKey.VerifyPKCS1v15 and
// rsa.VerifyPKCS1v15 give the same verdict on every input: random and
// mutated signatures of every length, signatures of mutated encodings,
// boundary values of s, random moduli and exponents, and every hash value.
func FuzzDifferential(f *testing.F) {
	keys := loadKeys(f)
	keyIndex := map[string]uint8{}
	for i, k := range keys {
		keyIndex[k.Name] = uint8(i)
	}
	for _, v := range loadVectors(f) {
		var h uint8
		if v.Hash != "none" {
			h = uint8(hashNames[v.Hash])
		}
		f.Add(keyIndex[v.Key], h, uint8(modeRawSig), unhex(f, v.Digest), unhex(f, v.Sig))
	}
	d := sha256.Sum256([]byte("seed"))
	for k := range keys {
		for m := range uint8(numModes) {
			f.Add(uint8(k), uint8(crypto.SHA256), m, d[:], []byte{1, 7, 0x42, 0, 200, 3, 2, 10, 0})
			f.Add(uint8(k), uint8(crypto.SHA512), m, d[:], []byte{})
		}
	}
	f.Add(uint8(2), uint8(20), uint8(modeRawSig), d[:], d[:])
	f.Add(uint8(2), uint8(0), uint8(modeMutatedSig), d[:], []byte{})

	f.Fuzz(func(t *testing.T, keySel, hashSel, mode uint8, digest, data []byte) {
		hash := crypto.Hash(hashSel % 22) // 20 and 21 are not hashes
		if hash != 0 && hash <= crypto.BLAKE2b_512 && mode&0x80 == 0 {
			digest = fitLength(digest, hash.Size())
		}
		if len(data) > 4096 || len(digest) > 4096 {
			return
		}
		mode = mode % numModes

		var (
			pub  *rsa.PublicKey
			fast *PublicKey
			sig  []byte
		)
		if mode == modeRandomKey {
			// The modulus comes from data, the exponent from keySel, the
			// signature from digest; the digest is fixed.
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(data), E: fuzzExponents[int(keySel)%len(fuzzExponents)]}
			if hashSel&1 == 1 && len(data) > 0 {
				pub.N.Neg(pub.N)
			}
			sig = digest
			dd := sha256.Sum256(data)
			hash, digest = crypto.SHA256, dd[:]
			var err error
			fast, err = NewPublicKey(pub)
			if err != nil {
				if !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("NewPublicKey: got %v; want ErrInvalidKey", err)
				}
				if std := stdVerify(pub, hash, digest, sig); std == nil {
					t.Fatalf("NewPublicKey refused a key (%v) under which crypto/rsa accepts the signature", err)
				}
				return
			}
		} else {
			k := keys[int(keySel)%len(keys)]
			if mode == modeCubeRoot {
				k = keyByName(t, "rsa2048e3")
			}
			pub, fast = &k.priv.PublicKey, k.pub
			size := k.priv.Size()
			switch mode {
			case modeRawSig:
				sig = data
			case modeMutatedSig:
				sig = validSig(k, hash, digest, data)
				sig = mutate(sig, data)
			case modeMutatedEM, modeCubeRoot, modeOneByte:
				em := encodeEM(size, fuzzPrefix(hash), digest)
				if mode == modeOneByte {
					if len(data) >= 3 {
						em[int(binary.BigEndian.Uint16(data))%size] = data[2]
					}
				} else {
					em = fitLength(mutate(em, data), size)
				}
				x := new(big.Int).SetBytes(em)
				switch {
				case mode == modeCubeRoot:
					sig = cbrtCeil(x).FillBytes(make([]byte, size))
				case x.Cmp(k.priv.N) < 0:
					sig = rawSign(k.priv, em)
				default:
					sig = em
				}
			case modeSpecial:
				sig = special(k.priv.N, size, data)
			}
		}

		got := fast.VerifyPKCS1v15(hash, digest, sig)
		std := stdVerify(pub, hash, digest, sig)
		if (got == nil) != (std == nil) {
			t.Fatalf("verdicts differ: rsaverify %v, crypto/rsa %v (key %d bits e=%d, hash %v, %d-byte digest, %d-byte signature)",
				got, std, pub.N.BitLen(), pub.E, hash, len(digest), len(sig))
		}
		if got == nil {
			return
		}
		if std == errPanicked && !errors.Is(got, ErrUnsupportedHash) {
			t.Fatalf("crypto/rsa panicked on hash %d; got %v, want ErrUnsupportedHash", hash, got)
		}
		if !errors.Is(got, ErrVerification) && !errors.Is(got, ErrDigestLength) && !errors.Is(got, ErrUnsupportedHash) {
			t.Fatalf("got %v; want an error of the closed set", got)
		}
	})
}

// fitLength cuts or left-pads b (with zeros) to n bytes.
func fitLength(b []byte, n int) []byte {
	if len(b) >= n {
		return b[len(b)-n:]
	}
	return append(make([]byte, n-len(b)), b...)
}

// fuzzPrefix is the DigestInfo prefix for hash, or SHA-256's for hashes
// without one, so that modeMutatedEM always starts from a well-formed shape.
func fuzzPrefix(hash crypto.Hash) []byte {
	if p, ok := digestInfoPrefix(hash); ok {
		return p
	}
	return prefixSHA256
}

// validSig signs digest under hash with crypto/rsa, or returns data when
// crypto/rsa cannot sign it (unknown hash, wrong digest length).
func validSig(k *testKey, hash crypto.Hash, digest, data []byte) (sig []byte) {
	defer func() {
		if recover() != nil {
			sig = data
		}
	}()
	sig, err := rsa.SignPKCS1v15(nil, k.priv, hash, digest)
	if err != nil {
		return data
	}
	return sig
}

// mutate applies edits read from ops, four bytes each (operation, 16-bit
// position, value): XOR a byte, cut, insert or delete. It returns a new
// slice.
func mutate(b, ops []byte) []byte {
	b = append([]byte(nil), b...)
	for i := 0; i+4 <= len(ops) && i < 4*16; i += 4 {
		op, pos, val := ops[i]%5, int(binary.BigEndian.Uint16(ops[i+1:])), ops[i+3]
		switch op {
		case 0, 1: // the most common: flip bits in place
			if len(b) > 0 {
				b[pos%len(b)] ^= val | 1
			}
		case 2:
			if pos < len(b) {
				b = b[:pos]
			}
		case 3:
			p := pos % (len(b) + 1)
			b = append(b[:p], append([]byte{val}, b[p:]...)...)
		case 4:
			if len(b) > 0 {
				p := pos % len(b)
				b = append(b[:p], b[p+1:]...)
			}
		}
	}
	return b
}

// special returns a boundary value of s (0, 1, 2, n−2, n−1, n, n+1,
// 2^(8k)−1) plus a small signed delta read from data, as k bytes if it
// fits and as its minimal encoding otherwise.
func special(n *big.Int, size int, data []byte) []byte {
	var sel byte
	var delta int64
	if len(data) > 0 {
		sel = data[0]
	}
	if len(data) > 1 {
		delta = int64(int8(data[1]))
	}
	one := big.NewInt(1)
	var x *big.Int
	switch sel % 8 {
	case 0:
		x = big.NewInt(0)
	case 1:
		x = big.NewInt(1)
	case 2:
		x = big.NewInt(2)
	case 3:
		x = new(big.Int).Sub(n, big.NewInt(2))
	case 4:
		x = new(big.Int).Sub(n, one)
	case 5:
		x = new(big.Int).Set(n)
	case 6:
		x = new(big.Int).Add(n, one)
	default:
		x = new(big.Int).Lsh(one, uint(8*size))
		x.Sub(x, one)
	}
	x.Add(x, big.NewInt(delta))
	x.Abs(x)
	if x.BitLen() > 8*size {
		return x.Bytes()
	}
	return x.FillBytes(make([]byte, size))
}
