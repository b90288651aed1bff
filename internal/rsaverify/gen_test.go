package rsaverify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/vectors.json (and testdata/keys.json if it is missing)")

// keySpecs are the keys of testdata/keys.json: every common size, odd and
// off-limb sizes that take bigmod's generic (non-assembly) path, and
// exponents other than 65537.
var keySpecs = []struct {
	name string
	bits int
	e    int
}{
	{"rsa1024", 1024, 65537},
	{"rsa1536", 1536, 65537},
	{"rsa2048", 2048, 65537},
	{"rsa2048b", 2048, 65537},
	{"rsa2047", 2047, 65537},
	{"rsa2049", 2049, 65537},
	{"rsa3072", 3072, 65537},
	{"rsa4096", 4096, 65537},
	{"rsa2048e3", 2048, 3},
	{"rsa1024e17", 1024, 17},
	{"rsa1031e257", 1031, 257},
	{"rsa1024emax", 1024, 1<<31 - 1},
}

// TestGenerateTestdata writes testdata with -update. Without it, it checks
// that the keys and vectors load.
func TestGenerateTestdata(t *testing.T) {
	keysPath := filepath.Join("testdata", "keys.json")
	if !*update {
		loadKeys(t)
		loadVectors(t)
		return
	}
	if _, err := os.Stat(keysPath); errors.Is(err, os.ErrNotExist) {
		var keys []*testKey
		for _, s := range keySpecs {
			priv := genKey(t, s.bits, s.e)
			x := func(b *big.Int) string { return hex.EncodeToString(b.Bytes()) }
			keys = append(keys, &testKey{Name: s.name, N: x(priv.N), E: priv.E, D: x(priv.D), P: x(priv.Primes[0]), Q: x(priv.Primes[1])})
		}
		writeJSON(t, keysPath, keys)
	}
	writeJSON(t, filepath.Join("testdata", "vectors.json"), buildVectors(t))
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// genKey makes a two-prime key of exactly bits bits with public exponent e.
func genKey(t *testing.T, bits, e int) *rsa.PrivateKey {
	t.Helper()
	E := big.NewInt(int64(e))
	one := big.NewInt(1)
	for {
		p, err := rand.Prime(rand.Reader, (bits+1)/2)
		if err != nil {
			t.Fatal(err)
		}
		q, err := rand.Prime(rand.Reader, bits/2)
		if err != nil {
			t.Fatal(err)
		}
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != bits {
			continue
		}
		p1, q1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(p1, q1)
		d := new(big.Int).ModInverse(E, phi)
		if d == nil {
			continue
		}
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: e}, D: d, Primes: []*big.Int{p, q}}
		priv.Precompute()
		if err := priv.Validate(); err != nil {
			t.Fatal(err)
		}
		// Check the key against crypto/rsa's own signing.
		digest := make([]byte, 32)
		if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest); err != nil {
			t.Fatalf("%d-bit key with e=%d: crypto/rsa cannot sign: %v", bits, e, err)
		}
		return priv
	}
}
