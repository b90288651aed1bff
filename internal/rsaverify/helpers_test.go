package rsaverify

import (
	"crypto"
	_ "crypto/md5" // registers the hashes the vectors use
	"crypto/rsa"
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// testKey is one private key from testdata/keys.json.
type testKey struct {
	Name string `json:"name"`
	N    string `json:"n"` // hex
	E    int    `json:"e"`
	D    string `json:"d"`
	P    string `json:"p"`
	Q    string `json:"q"`

	priv *rsa.PrivateKey
	pub  *PublicKey
}

// hashes maps the names used in testdata to crypto.Hash values.
var hashNames = map[string]crypto.Hash{
	"MD5": crypto.MD5, "SHA-1": crypto.SHA1,
	"SHA-224": crypto.SHA224, "SHA-256": crypto.SHA256, "SHA-384": crypto.SHA384, "SHA-512": crypto.SHA512,
	"SHA-512/224": crypto.SHA512_224, "SHA-512/256": crypto.SHA512_256,
	"SHA3-224": crypto.SHA3_224, "SHA3-256": crypto.SHA3_256, "SHA3-384": crypto.SHA3_384, "SHA3-512": crypto.SHA3_512,
}

var (
	keysOnce sync.Once
	keysList []*testKey
	keysErr  error
)

// loadKeys returns the keys of testdata/keys.json, parsed and checked once.
func loadKeys(tb testing.TB) []*testKey {
	tb.Helper()
	keysOnce.Do(func() { keysList, keysErr = readKeys(filepath.Join("testdata", "keys.json")) })
	if keysErr != nil {
		tb.Fatal(keysErr)
	}
	return keysList
}

func keyByName(tb testing.TB, name string) *testKey {
	tb.Helper()
	for _, k := range loadKeys(tb) {
		if k.Name == name {
			return k
		}
	}
	tb.Fatalf("no key %q in testdata/keys.json", name)
	return nil
}

func readKeys(path string) ([]*testKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []*testKey
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := k.init(); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func (k *testKey) init() error {
	h := func(s string) *big.Int { b, _ := hex.DecodeString(s); return new(big.Int).SetBytes(b) }
	priv := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: h(k.N), E: k.E},
		D:         h(k.D),
		Primes:    []*big.Int{h(k.P), h(k.Q)},
	}
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return err
	}
	pub, err := NewPublicKey(&priv.PublicKey)
	if err != nil {
		return err
	}
	k.priv, k.pub = priv, pub
	return nil
}

// rawSign returns em^d mod n as a k-byte string, for any em < n: the RSA
// private operation without any encoding, so that tests can sign malformed
// encoded messages. It uses the CRT values of the key.
func rawSign(priv *rsa.PrivateKey, em []byte) []byte {
	c := new(big.Int).SetBytes(em)
	p, q := priv.Primes[0], priv.Primes[1]
	m1 := new(big.Int).Exp(new(big.Int).Mod(c, p), priv.Precomputed.Dp, p)
	m2 := new(big.Int).Exp(new(big.Int).Mod(c, q), priv.Precomputed.Dq, q)
	h := new(big.Int).Sub(m1, m2)
	h.Mul(h, priv.Precomputed.Qinv).Mod(h, p)
	s := h.Mul(h, q).Add(h, m2)
	return s.FillBytes(make([]byte, priv.Size()))
}

// encodeEM is EMSA-PKCS1-v1_5-ENCODE written independently of the package:
// 00 01 FF…FF 00 || DigestInfo prefix || digest, k bytes long.
func encodeEM(k int, prefix, digest []byte) []byte {
	t := append(append([]byte{}, prefix...), digest...)
	em := make([]byte, 0, k)
	em = append(em, 0x00, 0x01)
	for len(em) < k-len(t)-1 {
		em = append(em, 0xff)
	}
	em = append(em, 0x00)
	return append(em, t...)
}

// stdVerify runs rsa.VerifyPKCS1v15, turning its panic on an unknown hash
// into a non-nil error.
func stdVerify(pub *rsa.PublicKey, hash crypto.Hash, hashed, sig []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanicked
		}
	}()
	return rsa.VerifyPKCS1v15(pub, hash, hashed, sig)
}

type panicError struct{}

func (panicError) Error() string { return "crypto/rsa panicked" }

var errPanicked error = panicError{}
