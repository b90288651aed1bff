package srp

import (
	"crypto/rand"
	"math/big"
	"testing"
)

func TestCombMatchesExp(t *testing.T) {
	one := big.NewInt(1)
	var exps []*big.Int
	for _, bits := range []int{0, 1, 2, 63, 64, 255, 256, 257, 511, 1000, 1023, 1024, 1025, 2048} {
		exps = append(exps, new(big.Int).Lsh(one, uint(bits)))                        // single bit
		exps = append(exps, new(big.Int).Sub(new(big.Int).Lsh(one, uint(bits)), one)) // all ones
		r, _ := rand.Int(rand.Reader, new(big.Int).Lsh(one, uint(bits)+1))
		exps = append(exps, r)
	}
	for i := 0; i < 20; i++ {
		r, _ := rand.Int(rand.Reader, new(big.Int).Lsh(one, 1024))
		exps = append(exps, r)
	}
	exps = append(exps, big.NewInt(-5))
	for _, e := range exps {
		want := new(big.Int).Exp(params.g, e, params.N)
		if got := expG(e); got.Cmp(want) != 0 {
			t.Fatalf("expG(%x): got %x; want %x", e, got, want)
		}
	}
}

func BenchmarkExpG1024(b *testing.B) {
	a, _ := readPrivate(rand.Reader, clientPrivateBytes)
	expG(a)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		expG(a)
	}
}
