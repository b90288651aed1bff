package verifier

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// The RS256, RS384 and RS512 signatures go through internal/rsaverify, not
// crypto/rsa (see jws.go). That package checks its own verdicts against
// crypto/rsa (FuzzDifferential); the tests here check that the verifier's
// wiring gives crypto/rsa's verdict too: whatever the signature, Verify
// accepts the token exactly when rsa.VerifyPKCS1v15 accepts the signature
// over its signing input, and rejects it with ErrBadSignature otherwise.

// rsaCase is a valid token of one RS algorithm, cut into the parts that
// the checks recombine.
type rsaCase struct {
	alg    string
	key    *testKey
	hash   crypto.Hash
	input  string // header.payload
	digest []byte
	sig    []byte // the valid signature
	em     []byte // its encoded message, s^e mod n
}

// rsaVerdictSetup returns a verifier (without a token cache, so every call
// verifies) that trusts one key per RS algorithm, and a valid token of each.
func rsaVerdictSetup(tb testing.TB) (*Verifier, []*rsaCase) {
	tb.Helper()
	keys(tb)
	rs384 := &testKey{kid: "rs384", alg: "RS384", rsa: keyB.rsa}
	rs512 := &testKey{kid: "rs512", alg: "RS512", rsa: keyC.rsa}
	cfg := staticConfig(TokenUseAccess, keyA, rs384, rs512)
	cfg.CacheSize = -1
	v := mustNew(tb, cfg)
	var cases []*rsaCase
	for _, k := range []*testKey{keyA, rs384, rs512} {
		tok := mint(tb, k, accessClaims())
		dot := strings.LastIndexByte(tok, '.')
		c := &rsaCase{alg: k.alg, key: k, input: tok[:dot]}
		switch k.alg {
		case "RS256":
			d := sha256.Sum256([]byte(c.input))
			c.hash, c.digest = crypto.SHA256, d[:]
		case "RS384":
			d := sha512.Sum384([]byte(c.input))
			c.hash, c.digest = crypto.SHA384, d[:]
		default:
			d := sha512.Sum512([]byte(c.input))
			c.hash, c.digest = crypto.SHA512, d[:]
		}
		sig, err := b64.DecodeString(tok[dot+1:])
		if err != nil {
			tb.Fatal(err)
		}
		c.sig = sig
		pub := &k.rsa.PublicKey
		c.em = new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, pub.Size()))
		cases = append(cases, c)
	}
	return v, cases
}

// Ways to derive a candidate signature from fuzz data.
const (
	sigRaw      = iota // the data itself, any length
	sigXOR             // the valid signature XOR the data
	sigAdd             // the valid signature plus the data, as integers (may reach n and beyond)
	sigNMinus          // n minus the data (n-1, n-2, ...; and n itself for empty data)
	sigSignedEM        // the raw private operation on the valid EM XOR the data: past the exponentiation, the encoding decides
	sigModes
)

// candidate derives a signature from data in the given mode.
func (c *rsaCase) candidate(mode uint8, data []byte) []byte {
	pub := &c.key.rsa.PublicKey
	k := pub.Size()
	switch mode % sigModes {
	case sigRaw:
		return data
	case sigXOR:
		out := append([]byte(nil), c.sig...)
		for i, b := range data {
			if i < len(out) {
				out[i] ^= b
			}
		}
		if len(data) > k { // longer data also changes the length
			out = append(out, data[k:]...)
		}
		return out
	case sigAdd:
		s := new(big.Int).Add(new(big.Int).SetBytes(c.sig), new(big.Int).SetBytes(data))
		return fixedBytes(s, k)
	case sigNMinus:
		s := new(big.Int).Sub(pub.N, new(big.Int).SetBytes(data))
		return fixedBytes(s, k)
	default:
		em := append([]byte(nil), c.em...)
		for i, b := range data {
			em[(i+len(em)-len(data)%len(em))%len(em)] ^= b
		}
		m := new(big.Int).SetBytes(em)
		if m.Cmp(pub.N) >= 0 {
			m.Mod(m, pub.N)
		}
		return fixedBytes(rawPrivate(c.key.rsa, m), k)
	}
}

// rawPrivate returns m^d mod n, computed by the Chinese remainder theorem
// (four times faster than m^d mod n, which most of
// TestRSAVerdictsMatchCryptoRSA's time went to).
func rawPrivate(k *rsa.PrivateKey, m *big.Int) *big.Int {
	if len(k.Primes) != 2 || k.Precomputed.Qinv == nil {
		return new(big.Int).Exp(m, k.D, k.N)
	}
	p, q := k.Primes[0], k.Primes[1]
	m1 := new(big.Int).Exp(m, k.Precomputed.Dp, p)
	m2 := new(big.Int).Exp(m, k.Precomputed.Dq, q)
	h := m1.Sub(m1, m2)
	h.Mul(h, k.Precomputed.Qinv)
	h.Mod(h, p)
	return h.Mul(h, q).Add(h, m2)
}

// fixedBytes writes a non-negative s big-endian in k bytes, or in as many
// as it needs when it is larger; a negative s gives its absolute value.
func fixedBytes(s *big.Int, k int) []byte {
	b := new(big.Int).Abs(s).Bytes()
	if len(b) >= k {
		return b
	}
	return append(make([]byte, k-len(b)), b...)
}

// checkRSAVerdict verifies c's signing input with sig through v and
// through crypto/rsa and fails if the verdicts differ.
func checkRSAVerdict(t *testing.T, v *Verifier, c *rsaCase, sig []byte) {
	t.Helper()
	want := rsa.VerifyPKCS1v15(&c.key.rsa.PublicKey, c.hash, c.digest, sig) == nil
	_, err := v.Verify(context.Background(), c.input+"."+b64u(sig))
	switch {
	case want && err != nil:
		t.Fatalf("%s: crypto/rsa accepts a %d-byte signature; Verify says %v", c.alg, len(sig), err)
	case !want && err == nil:
		t.Fatalf("%s: crypto/rsa rejects a %d-byte signature; Verify accepts it", c.alg, len(sig))
	case !want && len(sig) > 0 && len(sig) <= maxSigSize && !errors.Is(err, ErrBadSignature):
		t.Fatalf("%s: a bad %d-byte signature: got %v; want ErrBadSignature", c.alg, len(sig), err)
	}
}

// FuzzRSAVerdicts checks the verifier's RS256, RS384 and RS512 verdicts
// against crypto/rsa on signatures derived from the fuzz data: raw bytes of
// any length, mutations of a valid signature, values at and beyond the
// modulus, and signatures of mutated encoded messages (signed with the
// raw private operation, so that they pass the exponentiation and only the
// encoding check decides).
func FuzzRSAVerdicts(f *testing.F) {
	v, cases := rsaVerdictSetup(f)
	for alg := range uint8(len(cases)) {
		for mode := range uint8(sigModes) {
			f.Add(alg, mode, []byte{})
			f.Add(alg, mode, []byte{1})
			f.Add(alg, mode, []byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
		}
		f.Add(alg, uint8(sigRaw), make([]byte, 256))                              // zero
		f.Add(alg, uint8(sigRaw), append(make([]byte, 255), 1))                   // one
		f.Add(alg, uint8(sigRaw), cases[alg].key.rsa.N.Bytes())                   // n
		f.Add(alg, uint8(sigRaw), append([]byte{0}, cases[alg].sig...))           // a leading zero byte
		f.Add(alg, uint8(sigRaw), cases[alg].sig[1:])                             // one byte short
		f.Add(alg, uint8(sigSignedEM), []byte{0x01, 0x00})                        // a changed digest byte... at the end
		f.Add(alg, uint8(sigSignedEM), append([]byte{0xff}, make([]byte, 40)...)) // inside DigestInfo
	}
	f.Fuzz(func(t *testing.T, alg, mode uint8, data []byte) {
		if len(data) > 2*maxSigSize {
			return
		}
		c := cases[int(alg)%len(cases)]
		checkRSAVerdict(t, v, c, c.candidate(mode, data))
	})
}

// TestRSAVerdictsMatchCryptoRSA runs the checks of FuzzRSAVerdicts on the
// valid signatures and on a few hundred random derivations, on every run
// of the tests.
func TestRSAVerdictsMatchCryptoRSA(t *testing.T) {
	t.Parallel() // CPU-bound and self-contained: runs beside the others at the end of the binary
	v, cases := rsaVerdictSetup(t)
	r := rand.New(rand.NewPCG(18, 2026))
	for _, c := range cases {
		checkRSAVerdict(t, v, c, c.sig)
		for i := range 120 {
			mode := uint8(i % sigModes)
			n := r.IntN(8)
			if r.IntN(4) == 0 {
				n = r.IntN(600)
			}
			data := make([]byte, n)
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			checkRSAVerdict(t, v, c, c.candidate(mode, data))
		}
	}
}
