package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"math/big"
	"testing"
)

// BenchmarkECDSAFloor is the cost of the signature check alone.
func BenchmarkECDSAFloor(b *testing.B) {
	key := loadKey(b, "alb-key.pem")
	tok := goodToken(b, nil)
	h, p, _ := parts(tok)
	d := sha256.Sum256([]byte(h + "." + p))
	r, s, err := ecdsa.Sign(nil, key, d[:])
	if err != nil {
		b.Fatal(err)
	}
	r, s = new(big.Int).Set(r), new(big.Int).Set(s)
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256([]byte(h + "." + p))
		if !ecdsa.Verify(&key.PublicKey, d[:], r, s) {
			b.Fatal("no")
		}
	}
}

// BenchmarkVerify is a full Verify of an ALB token with the key cached.
func BenchmarkVerify(b *testing.B) {
	ks := newKeyServer(b, &loadKey(b, "alb-key.pem").PublicKey)
	v := testVerifier(b, ks.URL, nil)
	tok := goodToken(b, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
