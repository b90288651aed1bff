package rsaverify

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

// vector is one known-answer case of testdata/vectors.json.
type vector struct {
	Name    string `json:"name"`
	Key     string `json:"key"`
	Hash    string `json:"hash"` // a hashNames key, or "none" for crypto.Hash(0)
	Digest  string `json:"digest"`
	Sig     string `json:"sig"`
	Valid   bool   `json:"valid"`
	WantErr string `json:"want_err,omitempty"` // "verification" (default for invalid) or "digest_length"
	Comment string `json:"comment,omitempty"`
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		tb.Fatal(err)
	}
	return vs
}

func (v vector) hash(tb testing.TB) crypto.Hash {
	if v.Hash == "none" {
		return 0
	}
	h, ok := hashNames[v.Hash]
	if !ok {
		tb.Fatalf("vector %q: unknown hash %q", v.Name, v.Hash)
	}
	return h
}

func unhex(tb testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestVectors checks every known-answer vector against both this package
// and crypto/rsa.
func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 50 {
		t.Fatalf("got %d vectors; want at least 50", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			k := keyByName(t, v.Key)
			h := v.hash(t)
			digest, sig := unhex(t, v.Digest), unhex(t, v.Sig)
			got := k.pub.VerifyPKCS1v15(h, digest, sig)
			std := stdVerify(&k.priv.PublicKey, h, digest, sig)
			if (got == nil) != v.Valid {
				t.Errorf("rsaverify: got %v; want valid=%v (%s)", got, v.Valid, v.Comment)
			}
			if (std == nil) != v.Valid {
				t.Errorf("crypto/rsa: got %v; want valid=%v (%s)", std, v.Valid, v.Comment)
			}
			if v.Valid {
				return
			}
			want := ErrVerification
			if v.WantErr == "digest_length" {
				want = ErrDigestLength
			}
			if !errors.Is(got, want) {
				t.Errorf("got %v; want an error matching %v", got, want)
			}
		})
	}
}

// buildVectors constructs testdata/vectors.json from the keys. Valid
// signatures come from rsa.SignPKCS1v15; invalid ones are malformed encoded
// messages put through the raw private-key operation, so that they reach
// the encoding check, in the spirit of Wycheproof's PKCS#1 v1.5 cases.
func buildVectors(t *testing.T) []vector {
	var vs []vector
	add := func(name string, k *testKey, hash string, digest, sig []byte, valid bool, comment string) {
		vs = append(vs, vector{Name: name, Key: k.Name, Hash: hash, Digest: hex.EncodeToString(digest), Sig: hex.EncodeToString(sig), Valid: valid, Comment: comment})
	}
	msg := func(s string) []byte { d := sha256.Sum256([]byte(s)); return d[:] }
	sign := func(k *testKey, h crypto.Hash, digest []byte) []byte {
		sig, err := rsa.SignPKCS1v15(nil, k.priv, h, digest)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	digestFor := func(h crypto.Hash, s string) []byte {
		hh := h.New()
		hh.Write([]byte(s))
		return hh.Sum(nil)
	}

	// Valid signatures under every key and hash.
	for _, k := range loadKeys(t) {
		d := msg("valid " + k.Name)
		sig := sign(k, crypto.SHA256, d)
		if !bytes.Equal(sig, rawSign(k.priv, encodeEM(k.priv.Size(), prefixSHA256, d))) {
			t.Fatalf("%s: rawSign and crypto/rsa disagree", k.Name)
		}
		add("valid/"+k.Name+"/SHA-256", k, "SHA-256", d, sig, true, "")
		// Boundary values of the signature integer.
		n := k.priv.N
		kk := k.priv.Size()
		fill := func(x *big.Int) []byte { return x.FillBytes(make([]byte, kk)) }
		add("s=0/"+k.Name, k, "SHA-256", d, make([]byte, kk), false, "s = 0")
		add("s=1/"+k.Name, k, "SHA-256", d, fill(big.NewInt(1)), false, "s = 1")
		add("s=n-1/"+k.Name, k, "SHA-256", d, fill(new(big.Int).Sub(n, big.NewInt(1))), false, "s = n-1 (s^e = -1 for odd e)")
		add("s=n/"+k.Name, k, "SHA-256", d, fill(n), false, "s = n is not below the modulus")
		if x := new(big.Int).Add(n, new(big.Int).SetBytes(sig)); x.BitLen() <= 8*kk {
			add("s+n/"+k.Name, k, "SHA-256", d, fill(x), false, "a valid s plus n: the same value mod n, but not below n")
		}
		add("all-ff/"+k.Name, k, "SHA-256", d, bytes.Repeat([]byte{0xff}, kk), false, "s = 2^(8k)-1")
		flipped := append([]byte(nil), sig...)
		flipped[len(flipped)-1] ^= 1
		add("sig-bitflip/"+k.Name, k, "SHA-256", d, flipped, false, "last bit of a valid signature flipped")
		wrong := append([]byte(nil), d...)
		wrong[0] ^= 0x80
		add("wrong-digest/"+k.Name, k, "SHA-256", wrong, sig, false, "a valid signature of another digest")
	}

	k := keyByName(t, "rsa2048")
	kk := k.priv.Size()
	for _, name := range []string{"SHA-224", "SHA-384", "SHA-512", "SHA-512/224", "SHA-512/256", "SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512", "MD5", "SHA-1"} {
		h := hashNames[name]
		d := digestFor(h, "valid "+name)
		add("valid/rsa2048/"+name, k, name, d, sign(k, h, d), true, "")
	}
	for _, name := range []string{"SHA-384", "SHA-512"} {
		for _, kn := range []string{"rsa3072", "rsa4096", "rsa2049"} {
			kx := keyByName(t, kn)
			h := hashNames[name]
			d := digestFor(h, "valid "+name)
			add("valid/"+kn+"/"+name, kx, name, d, sign(kx, h, d), true, "")
		}
	}
	raw := []byte("raw data signed without a DigestInfo")
	add("valid/rsa2048/no-hash", k, "none", raw, sign(k, 0, raw), true, "crypto.Hash(0): the data is signed directly (crypto/rsa path)")

	// Signatures with a leading zero byte: valid at k bytes, invalid shorter.
	for i := 0; ; i++ {
		d := msg(fmt.Sprint("leading zero ", i))
		sig := sign(k, crypto.SHA256, d)
		if sig[0] != 0 {
			continue
		}
		add("valid/leading-zero-byte", k, "SHA-256", d, sig, true, "the signature integer is below 2^(8(k-1))")
		add("short/leading-zero-stripped", k, "SHA-256", d, sig[1:], false, "the same signature without its leading zero byte: k-1 bytes")
		break
	}

	d := msg("malformed")
	sig := sign(k, crypto.SHA256, d)
	add("length/empty", k, "SHA-256", d, nil, false, "empty signature")
	add("length/k-1", k, "SHA-256", d, sig[1:], false, "first byte dropped")
	add("length/k+1-leading-zero", k, "SHA-256", d, append([]byte{0}, sig...), false, "a valid signature with an extra leading zero byte")
	add("length/k+1-trailing-zero", k, "SHA-256", d, append(append([]byte(nil), sig...), 0), false, "a valid signature with an extra trailing byte")
	add("length/2k", k, "SHA-256", d, append(append([]byte(nil), sig...), sig...), false, "a valid signature twice")
	add("other-key", k, "SHA-256", d, sign(keyByName(t, "rsa2048b"), crypto.SHA256, d), false, "signed by another 2048-bit key")
	add("hash-confusion/SHA-512/256", k, "SHA-512/256", d, sig, false, "a SHA-256 signature checked as SHA-512/256 (same digest size)")
	add("hash-confusion/SHA3-256", k, "SHA3-256", d, sig, false, "a SHA-256 signature checked as SHA3-256 (same digest size)")
	add("digest-length/long", k, "SHA-256", append(append([]byte(nil), d...), 0), sig, false, "a 33-byte digest for SHA-256")
	vs[len(vs)-1].WantErr = "digest_length"
	add("digest-length/message", k, "SHA-256", []byte("the message itself"), sig, false, "the message instead of its digest")
	vs[len(vs)-1].WantErr = "digest_length"

	// Malformed encoded messages, each signed with the raw private
	// operation. Every one would be accepted by some lax parser.
	oid := []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	b := func(x ...byte) []byte { return x }
	ff := func(n int) []byte { return bytes.Repeat([]byte{0xff}, n) }
	// em builds 00 01 FF… 00 T with PS filling the key, from a full T.
	em := func(t []byte) []byte {
		return cat(b(0x00, 0x01), ff(kk-len(t)-3), b(0x00), t)
	}
	goodT := cat(prefixSHA256, d)
	cases := []struct {
		name, comment string
		em            []byte
	}{
		{"control/valid-raw", "control: the correct encoding through rawSign (valid)", em(goodT)},
		{"digestinfo/wrong-oid", "OID of SHA-384 with a 32-byte digest", em(cat(b(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x20), d))},
		{"digestinfo/missing-null", "AlgorithmIdentifier without the NULL parameters", em(cat(b(0x30, 0x2f, 0x30, 0x0b), oid, b(0x04, 0x20), d))},
		{"digestinfo/null-with-content", "NULL parameters of length 1", em(cat(b(0x30, 0x32, 0x30, 0x0e), oid, b(0x05, 0x01, 0x00, 0x04, 0x20), d))},
		{"digestinfo/ber-long-outer-length", "outer SEQUENCE length in long form 81 31", em(cat(b(0x30, 0x81, 0x31, 0x30, 0x0d), oid, b(0x05, 0x00, 0x04, 0x20), d))},
		{"digestinfo/ber-long-inner-length", "AlgorithmIdentifier length in long form 81 0d", em(cat(b(0x30, 0x32, 0x30, 0x81, 0x0d), oid, b(0x05, 0x00, 0x04, 0x20), d))},
		{"digestinfo/ber-long-oid-length", "OID length in long form 81 09", em(cat(b(0x30, 0x32, 0x30, 0x0e, 0x06, 0x81, 0x09), oid[2:], b(0x05, 0x00, 0x04, 0x20), d))},
		{"digestinfo/ber-long-octet-length", "OCTET STRING length in long form 81 20", em(cat(b(0x30, 0x32, 0x30, 0x0d), oid, b(0x05, 0x00, 0x04, 0x81, 0x20), d))},
		{"digestinfo/ber-length-82", "OCTET STRING length in two-byte long form 82 00 20", em(cat(b(0x30, 0x33, 0x30, 0x0d), oid, b(0x05, 0x00, 0x04, 0x82, 0x00, 0x20), d))},
		{"digestinfo/indefinite-length", "outer SEQUENCE of indefinite length with end-of-contents", em(cat(b(0x30, 0x80, 0x30, 0x0d), oid, b(0x05, 0x00, 0x04, 0x20), d, b(0x00, 0x00)))},
		{"digestinfo/outer-length-too-long", "outer SEQUENCE length 0x32 for 0x31 bytes", em(cat(b(0x30, 0x32), prefixSHA256[2:], d))},
		{"digestinfo/octet-length-0x21", "OCTET STRING length 0x21 with a 33-byte digest", em(cat(b(0x30, 0x32, 0x30, 0x0d), oid, b(0x05, 0x00, 0x04, 0x21), d, b(0x00)))},
		{"digestinfo/absent", "the bare digest without a DigestInfo", em(d)},
		{"digestinfo/octet-tag-03", "BIT STRING tag instead of OCTET STRING", em(cat(prefixSHA256[:17], b(0x03, 0x20), d))},
		{"digest/truncated", "31 bytes of digest, PS one byte longer", em(cat(prefixSHA256, d[:31]))},
		{"digest/trailing-garbage", "the correct T followed by one extra byte, PS one byte shorter", em(cat(goodT, b(0x00)))},
		{"digest/trailing-garbage-8", "the correct T followed by eight bytes of garbage", em(cat(goodT, b(1, 2, 3, 4, 5, 6, 7, 8)))},
		{"padding/no-leading-zero", "01 FF…FF 00 T 00: the encoding shifted left one byte", cat(b(0x01), ff(kk-len(goodT)-3), b(0x00), goodT, b(0x00))},
		{"padding/block-type-0", "00 00 FF…FF 00 T", cat(b(0x00, 0x00), ff(kk-len(goodT)-3), b(0x00), goodT)},
		{"padding/block-type-2", "00 02 FF…FF 00 T (the encryption block type)", cat(b(0x00, 0x02), ff(kk-len(goodT)-3), b(0x00), goodT)},
		{"padding/ps-zeros", "00 01 00…00 00 T: a padding string of zeros", cat(b(0x00, 0x01), make([]byte, kk-len(goodT)-3), b(0x00), goodT)},
		{"padding/ps-fe", "one padding byte is FE", func() []byte { x := em(goodT); x[10] = 0xfe; return x }()},
		{"padding/ps-early-zero", "a zero byte inside PS, with garbage after it (Bleichenbacher 2006)", func() []byte { x := em(goodT); x[10] = 0x00; return x }()},
		{"padding/no-separator", "the 00 separator replaced by FF", func() []byte { x := em(goodT); x[kk-len(goodT)-1] = 0xff; return x }()},
		{"padding/ps-7-bytes", "a 7-byte PS, left-padded with zeros to k bytes", cat(make([]byte, kk-len(goodT)-10), b(0x00, 0x01), ff(7), b(0x00), goodT)},
		{"padding/ps-1-byte-garbage-after", "00 01 FF 00 T garbage: a short PS with the slack after T", cat(b(0x00, 0x01, 0xff, 0x00), goodT, bytes.Repeat([]byte{0xab}, kk-len(goodT)-4))},
		{"padding/garbage-in-ps", "00 01 FF×8 garbage 00 T", cat(b(0x00, 0x01), ff(8), bytes.Repeat([]byte{0x42}, kk-len(goodT)-11), b(0x00), goodT)},
		{"padding/double-separator", "00 01 FF…FF 00 00 T with PS one byte shorter", cat(b(0x00, 0x01), ff(kk-len(goodT)-4), b(0x00, 0x00), goodT)},
	}
	for _, c := range cases {
		if len(c.em) != kk {
			t.Fatalf("%s: encoded message of %d bytes; want %d", c.name, len(c.em), kk)
		}
		add(c.name, k, "SHA-256", d, rawSign(k.priv, c.em), c.name == "control/valid-raw", c.comment)
	}

	// Bleichenbacher 2006 against e = 3: s = ⌈∛(00 01 FF 00 T garbage)⌉
	// cubes, without reduction, to a value that starts with a short but
	// well-formed prefix. Lax parsers that skip the garbage accept it.
	k3 := keyByName(t, "rsa2048e3")
	k3k := k3.priv.Size()
	d3 := msg("forged")
	target := cat(b(0x00, 0x01, 0xff, 0x00), prefixSHA256, d3, make([]byte, k3k-4-len(goodT)))
	s := cbrtCeil(new(big.Int).SetBytes(target))
	forged := new(big.Int).Exp(s, big.NewInt(3), nil).FillBytes(make([]byte, k3k))
	if !bytes.Equal(forged[:4+len(goodT)], target[:4+len(goodT)]) {
		t.Fatal("the e=3 forgery does not reproduce the prefix")
	}
	add("e3/bleichenbacher06-forgery", k3, "SHA-256", d3, s.FillBytes(make([]byte, k3k)), false, "s^3 < n starts with 00 01 FF 00 DigestInfo digest; the rest is garbage")
	d3v := msg("genuine")
	add("e3/valid", k3, "SHA-256", d3v, sign(k3, crypto.SHA256, d3v), true, "")
	return vs
}

// cbrtCeil returns ⌈∛x⌉ for x ≥ 0, by Newton's method.
func cbrtCeil(x *big.Int) *big.Int {
	if x.Sign() == 0 {
		return new(big.Int)
	}
	r := new(big.Int).Lsh(big.NewInt(1), uint(x.BitLen()/3+1)) // r ≥ ∛x
	three := big.NewInt(3)
	for {
		// r' = (2r + x/r²) / 3
		t := new(big.Int).Quo(x, new(big.Int).Mul(r, r))
		t.Add(t, new(big.Int).Lsh(r, 1)).Quo(t, three)
		if t.Cmp(r) >= 0 {
			break
		}
		r = t
	}
	// r = ⌊∛x⌋ now; round up unless exact.
	if new(big.Int).Exp(r, three, nil).Cmp(x) < 0 {
		r.Add(r, big.NewInt(1))
	}
	return r
}
