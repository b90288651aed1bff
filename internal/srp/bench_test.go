package srp

import (
	"crypto/rand"
	"math/big"
	"slices"
	"testing"
	"time"
)

// BenchmarkClientSignIn measures the client-side CPU cost of one SRP sign-in:
// a fresh a and A, then the key and the signature for B and the salt.
func BenchmarkClientSignIn(b *testing.B) {
	const pool, user, password = "AbC123", "7d0e6b4e-2b1c-4f0e-9a51-0c7a4a1c9f11", "correct horse battery staple"
	salt, _ := ParseHex("-7a3f9c2e11d04b5f8e6a2c1d9b0f3e47")
	srv, err := NewServer(rand.Reader, Verifier(pool, user, password, salt))
	if err != nil {
		b.Fatal(err)
	}
	B := srv.B()
	block := make([]byte, 1024)
	ts := Timestamp(time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c, err := NewClient(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		key, err := c.PasswordKey(pool, user, password, B, salt)
		if err != nil {
			b.Fatal(err)
		}
		if Signature(key, pool, user, block, ts) == "" {
			b.Fatal("empty signature")
		}
	}
}

// BenchmarkServerHandshake measures the server side of one handshake, as the
// emulator does it: B, then the key for A and the signature check.
func BenchmarkServerHandshake(b *testing.B) {
	const pool, user, password = "AbC123", "user", "pw"
	salt := big.NewInt(123456789)
	v := Verifier(pool, user, password, salt)
	c, err := NewClient(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	A := c.A()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := NewServer(rand.Reader, v)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.PasswordKey(A); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPad(b *testing.B) {
	v := N()
	neg := big.NewInt(-123456789)
	b.ReportAllocs()
	for b.Loop() {
		_ = Pad(v)
		_ = Pad(neg)
	}
}

func BenchmarkExpFull(b *testing.B) {
	a, _ := readPrivate(rand.Reader, clientPrivateBytes)
	b.ReportAllocs()
	for b.Loop() {
		new(big.Int).Exp(params.g, a, params.N)
	}
}

// BenchmarkClientSignInVsExp alternates BenchmarkClientSignIn's work with
// BenchmarkExpFull's exponentiation, op by op, and reports the sign-in's
// median time over two exponentiations' ("signin/2exp"): the client's
// cost in the unit SRP is measured in, which load on a shared machine does
// not change.
func BenchmarkClientSignInVsExp(b *testing.B) {
	const pool, user, password = "AbC123", "7d0e6b4e-2b1c-4f0e-9a51-0c7a4a1c9f11", "correct horse battery staple"
	salt, _ := ParseHex("-7a3f9c2e11d04b5f8e6a2c1d9b0f3e47")
	srv, err := NewServer(rand.Reader, Verifier(pool, user, password, salt))
	if err != nil {
		b.Fatal(err)
	}
	B := srv.B()
	block := make([]byte, 1024)
	ts := Timestamp(time.Date(2026, 3, 5, 14, 7, 9, 0, time.UTC))
	a, _ := readPrivate(rand.Reader, clientPrivateBytes)
	var signins, exps []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		c, err := NewClient(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		key, err := c.PasswordKey(pool, user, password, B, salt)
		if err != nil {
			b.Fatal(err)
		}
		if Signature(key, pool, user, block, ts) == "" {
			b.Fatal("empty signature")
		}
		t1 := time.Now()
		new(big.Int).Exp(params.g, a, params.N)
		t2 := time.Now()
		signins, exps = append(signins, t1.Sub(t0)), append(exps, t2.Sub(t1))
	}
	slices.Sort(signins)
	slices.Sort(exps)
	s, x := signins[len(signins)/2], exps[len(exps)/2]
	b.ReportMetric(float64(s.Nanoseconds()), "signin-ns")
	b.ReportMetric(float64(x.Nanoseconds()), "exp-ns")
	b.ReportMetric(float64(s)/float64(2*x), "signin/2exp")
}
