package revocation_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// BenchmarkCheckRevoked is the cost the list adds to every Verify (cache
// hits included): empty, and with 100,000 entries of each kind.
func BenchmarkCheckRevoked(b *testing.B) {
	ctx := context.Background()
	c := &verifier.Claims{Subject: "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", OriginJTI: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", IssuedAt: time.Now()}
	for _, n := range []int{0, 100000} {
		l, err := revocation.New(revocation.Config{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			l.Revoke(ctx, revocation.Entry{OriginJTI: "origin-" + strconv.Itoa(i)})
			l.Revoke(ctx, revocation.Entry{Subject: "user-" + strconv.Itoa(i), IssuedBefore: time.Now()})
		}
		b.Run("entries="+strconv.Itoa(2*n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := l.CheckRevoked(ctx, "", c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("entries="+strconv.Itoa(2*n)+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.CheckRevoked(ctx, "", c); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		l.Close()
	}
}
