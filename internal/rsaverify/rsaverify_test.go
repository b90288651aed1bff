package rsaverify

import (
	"crypto"
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestNewPublicKeyRejects(t *testing.T) {
	good := keyByName(t, "rsa2048").priv.N
	odd := func(bits int) *big.Int {
		x := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return x.Add(x, big.NewInt(1))
	}
	type rejectCase struct {
		name string
		pub  *rsa.PublicKey
		msg  string
	}
	tests := []rejectCase{
		{"nil key", nil, "nil"},
		{"nil modulus", &rsa.PublicKey{E: 65537}, "missing"},
		{"zero modulus", &rsa.PublicKey{N: new(big.Int), E: 65537}, "not positive"},
		{"negative modulus", &rsa.PublicKey{N: new(big.Int).Neg(good), E: 65537}, "not positive"},
		{"even modulus", &rsa.PublicKey{N: new(big.Int).Add(good, big.NewInt(1)), E: 65537}, "even"},
		{"1023 bits", &rsa.PublicKey{N: odd(1023), E: 65537}, "1023 bits"},
		{"16385 bits", &rsa.PublicKey{N: odd(16385), E: 65537}, "16385 bits"},
		{"e = 1", &rsa.PublicKey{N: good, E: 1}, "too small"},
		{"e = 0", &rsa.PublicKey{N: good, E: 0}, "too small"},
		{"e < 0", &rsa.PublicKey{N: good, E: -65537}, "too small"},
		{"e even", &rsa.PublicKey{N: good, E: 65536}, "even"},
	}
	if strconv.IntSize == 64 { // an int holds an exponent over 2³¹−1 (a constant would not compile on 32-bit platforms)
		e := int64(1)<<31 + 1
		tests = append(tests, rejectCase{"e = 2^31+1", &rsa.PublicKey{N: good, E: int(e)}, "too large"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewPublicKey(tc.pub)
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("got %v, %v; want ErrInvalidKey", k, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q; want it to mention %q", err, tc.msg)
			}
		})
	}
}

func TestNewPublicKeyLimits(t *testing.T) {
	odd := func(bits int) *big.Int {
		x := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return x.Add(x, big.NewInt(1))
	}
	for _, pub := range []*rsa.PublicKey{
		{N: odd(MinBits), E: 3},
		{N: odd(MaxBits), E: 1<<31 - 1},
	} {
		k, err := NewPublicKey(pub)
		if err != nil {
			t.Fatalf("%d bits, e=%d: got %v; want nil", pub.N.BitLen(), pub.E, err)
		}
		if got, want := k.BitLen(), pub.N.BitLen(); got != want {
			t.Errorf("BitLen: got %d; want %d", got, want)
		}
		if got, want := k.Size(), (pub.N.BitLen()+7)/8; got != want {
			t.Errorf("Size: got %d; want %d", got, want)
		}
	}
}

// TestKeyIsCopied checks that changing the rsa.PublicKey after
// NewPublicKey changes neither path.
func TestKeyIsCopied(t *testing.T) {
	src := keyByName(t, "rsa2048")
	pub := &rsa.PublicKey{N: new(big.Int).Set(src.priv.N), E: src.priv.E}
	k, err := NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("copy"))
	sig, err := rsa.SignPKCS1v15(nil, src.priv, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	pub.N.SetInt64(3)
	pub.E = 5
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA1} { // fast path and crypto/rsa path
		hashed := d[:h.Size()]
		sig := sig
		if h != crypto.SHA256 {
			if sig, err = rsa.SignPKCS1v15(nil, src.priv, h, hashed); err != nil {
				t.Fatal(err)
			}
		}
		if err := k.VerifyPKCS1v15(h, hashed, sig); err != nil {
			t.Errorf("%v: got %v; want nil after the caller changed its key", h, err)
		}
	}
}

func TestZeroAndNilKey(t *testing.T) {
	d := sha256.Sum256(nil)
	var nilKey *PublicKey
	for name, k := range map[string]*PublicKey{"nil": nilKey, "zero": {}} {
		if err := k.VerifyPKCS1v15(crypto.SHA256, d[:], make([]byte, 256)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s key: got %v; want ErrInvalidKey", name, err)
		}
		if k.Size() != 0 || k.BitLen() != 0 || k.Equal(k) {
			t.Errorf("%s key: Size %d, BitLen %d, Equal(self) %v; want 0, 0, false", name, k.Size(), k.BitLen(), k.Equal(k))
		}
	}
}

func TestEqual(t *testing.T) {
	a, b := keyByName(t, "rsa2048"), keyByName(t, "rsa2048b")
	a2, err := NewPublicKey(&a.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !a.pub.Equal(a2) {
		t.Error("two PublicKeys of the same key are not Equal")
	}
	if a.pub.Equal(b.pub) {
		t.Error("two different keys are Equal")
	}
}

// TestUnknownHash checks the one place where crypto/rsa panics.
func TestUnknownHash(t *testing.T) {
	k := keyByName(t, "rsa2048")
	for _, h := range []crypto.Hash{crypto.BLAKE2b_512 + 1, 200, 1 << 20} {
		err := k.pub.VerifyPKCS1v15(h, make([]byte, 32), make([]byte, 256))
		if !errors.Is(err, ErrUnsupportedHash) {
			t.Errorf("hash %d: got %v; want ErrUnsupportedHash", h, err)
		}
		if stdVerify(&k.priv.PublicKey, h, make([]byte, 32), make([]byte, 256)) != errPanicked {
			t.Errorf("hash %d: crypto/rsa no longer panics; revisit the doc of VerifyPKCS1v15", h)
		}
	}
}

// TestEveryEncodedByteMatters changes each byte of a valid encoded
// message in turn, signs the result with the raw private operation, and
// checks that both verifiers reject it: no byte of EM goes unchecked.
func TestEveryEncodedByteMatters(t *testing.T) {
	for _, name := range []string{"rsa2048", "rsa2049", "rsa1024e17"} {
		k := keyByName(t, name)
		d := sha512.Sum384([]byte(name))
		valid := encodeEM(k.priv.Size(), prefixSHA384, d[:])
		flips := []byte{0x01}
		if k.priv.N.BitLen() <= 1024 {
			flips = append(flips, 0x80)
		}
		for i := range valid {
			for _, x := range flips {
				em := append([]byte(nil), valid...)
				em[i] ^= x
				var sig []byte
				if new(big.Int).SetBytes(em).Cmp(k.priv.N) < 0 {
					sig = rawSign(k.priv, em)
				} else {
					sig = em
				}
				got := k.pub.VerifyPKCS1v15(crypto.SHA384, d[:], sig)
				std := rsa.VerifyPKCS1v15(&k.priv.PublicKey, crypto.SHA384, d[:], sig)
				if !errors.Is(got, ErrVerification) || std == nil {
					t.Fatalf("%s: byte %d ^ %#x: rsaverify %v, crypto/rsa %v; want both to reject", name, i, x, got, std)
				}
			}
		}
	}
}

// TestConcurrent verifies with one shared key from many goroutines; run it
// with -race.
func TestConcurrent(t *testing.T) {
	k := keyByName(t, "rsa2048")
	type job struct {
		d   [32]byte
		sig []byte
	}
	jobs := make([]job, 8)
	for i := range jobs {
		jobs[i].d = sha256.Sum256([]byte(fmt.Sprint(i)))
		sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, jobs[i].d[:])
		if err != nil {
			t.Fatal(err)
		}
		jobs[i].sig = sig
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for i := range jobs {
		wg.Go(func() {
			for r := range 20 {
				j := jobs[(i+r)%len(jobs)]
				if err := k.pub.VerifyPKCS1v15(crypto.SHA256, j.d[:], j.sig); err != nil {
					errs <- err
					return
				}
				other := jobs[(i+r+1)%len(jobs)]
				if err := k.pub.VerifyPKCS1v15(crypto.SHA256, j.d[:], other.sig); !errors.Is(err, ErrVerification) {
					errs <- fmt.Errorf("a signature of another digest: got %v; want ErrVerification", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestNoAllocs checks that the fast path allocates nothing, on acceptance
// and on rejection. Where its own arithmetic does not run (fastMont false:
// other architectures, the purego tag, CPUs without ADX), bigmod's
// ExpShortVarTime does the exponentiation, and its allocations are
// crypto's, not this package's.
func TestNoAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -cover and -race")
	}
	if !fastMont {
		t.Skip("the fast path's arithmetic does not run here (fastMont is false): bigmod allocates")
	}
	for _, k := range loadKeys(t) {
		d := sha256.Sum256([]byte("allocs"))
		sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), sig...)
		bad[100] ^= 1
		for name, s := range map[string][]byte{"valid": sig, "invalid": bad, "short": sig[1:]} {
			n := testing.AllocsPerRun(20, func() { _ = k.pub.VerifyPKCS1v15(crypto.SHA256, d[:], s) })
			if n != 0 {
				t.Errorf("%s, %s: got %v allocs/op; want 0", k.Name, name, n)
			}
		}
	}
}

// TestFIPSMode runs the package in child processes with GODEBUG=fips140=on
// and fips140=only, where every verification must go through crypto/rsa,
// the validated module, and still give the right verdicts.
func TestFIPSMode(t *testing.T) {
	if mode := os.Getenv("RSAVERIFY_FIPS_CHILD"); mode != "" {
		fipsChild(t, mode)
		return
	}
	if puregoTag {
		t.Skip("Go refuses FIPS 140-3 mode under the purego build tag (crypto/internal/fips140/check panics)")
	}
	if k := keyByName(t, "rsa2048"); k.pub.stdOnly != stdOnly() {
		t.Fatalf("stdOnly: got %v; want %v", k.pub.stdOnly, stdOnly())
	}
	for _, mode := range []string{"on", "only"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFIPSMode$", "-test.v")
		cmd.Env = append(os.Environ(), "RSAVERIFY_FIPS_CHILD="+mode, "GODEBUG=fips140="+mode)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFIPSMode") {
			t.Fatalf("child process with fips140=%s: %v\n%s", mode, err, out)
		}
	}
}

func fipsChild(t *testing.T, mode string) {
	if !fips140.Enabled() {
		t.Fatalf("fips140.Enabled() is false under GODEBUG=fips140=%s", mode)
	}
	k := keyByName(t, "rsa2048")
	if !k.pub.stdOnly {
		t.Fatal("the key does not route through crypto/rsa in FIPS mode")
	}
	d := sha256.Sum256([]byte("fips"))
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := k.pub.VerifyPKCS1v15(crypto.SHA256, d[:], sig); err != nil {
		t.Fatalf("valid signature: got %v; want nil", err)
	}
	sig[0] ^= 1
	if err := k.pub.VerifyPKCS1v15(crypto.SHA256, d[:], sig); !errors.Is(err, ErrVerification) {
		t.Fatalf("bad signature: got %v; want ErrVerification", err)
	}
	if mode != "only" {
		return
	}
	// FIPS 140-only mode refuses SHA-1: a valid SHA-1 signature is then
	// not accepted, and the error says crypto/rsa refused it.
	for _, v := range loadVectors(t) {
		if v.Name != "valid/rsa2048/SHA-1" {
			continue
		}
		err := k.pub.VerifyPKCS1v15(crypto.SHA1, unhex(t, v.Digest), unhex(t, v.Sig))
		if !errors.Is(err, ErrVerification) || !strings.Contains(err.Error(), "crypto/rsa: ") {
			t.Fatalf("SHA-1 in FIPS 140-only mode: got %v; want ErrVerification wrapping crypto/rsa's refusal", err)
		}
		return
	}
	t.Fatal("no vector valid/rsa2048/SHA-1")
}
