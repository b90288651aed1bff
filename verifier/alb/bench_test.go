package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"math/big"
	"slices"
	"testing"
	"time"
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

// BenchmarkVerifyVsFloor alternates BenchmarkECDSAFloor's check and a full
// Verify of the same token, op by op, and reports the ratio of their
// median times ("verify/floor"), which holds on a shared machine where
// separate benchmarks see different load.
func BenchmarkVerifyVsFloor(b *testing.B) {
	key := loadKey(b, "alb-key.pem")
	ks := newKeyServer(b, &key.PublicKey)
	v := testVerifier(b, ks.URL, nil)
	tok := goodToken(b, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	h, p, _ := parts(tok)
	d := sha256.Sum256([]byte(h + "." + p))
	r, s, err := ecdsa.Sign(nil, key, d[:])
	if err != nil {
		b.Fatal(err)
	}
	var floors, verifies []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		d := sha256.Sum256([]byte(h + "." + p))
		if !ecdsa.Verify(&key.PublicKey, d[:], r, s) {
			b.Fatal("no")
		}
		t1 := time.Now()
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		floors, verifies = append(floors, t1.Sub(t0)), append(verifies, t2.Sub(t1))
	}
	slices.Sort(floors)
	slices.Sort(verifies)
	f, x := floors[len(floors)/2], verifies[len(verifies)/2]
	b.ReportMetric(float64(f.Nanoseconds()), "floor-ns")
	b.ReportMetric(float64(x.Nanoseconds()), "verify-ns")
	b.ReportMetric(float64(x)/float64(f), "verify/floor")
}
