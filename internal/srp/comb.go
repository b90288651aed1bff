package srp

import (
	"math/big"
	"sync"
)

// comb computes base^e mod N for a fixed base with the Lim-Lee comb method
// and two precomputed tables. An exponent of up to h*d bits costs d/2
// squarings and at most d multiplications, against about 1.25 operations per
// exponent bit for a plain windowed exponentiation. The tables are built
// once and only read afterwards, so a comb is safe for concurrent use.
type comb struct {
	h, d int
	// t[0][j] is the product of base^(2^(r*d)) over the bits r set in j;
	// t[1][j] is t[0][j]^(2^(d/2)).
	t [2][]*big.Int
}

func newComb(base *big.Int, h, d int) *comb {
	c := &comb{h: h, d: d}
	q := new(big.Int)
	mulMod := func(z, x, y *big.Int) *big.Int {
		z.Mul(x, y)
		q.QuoRem(z, params.N, z)
		return z
	}
	powers := make([]*big.Int, h) // base^(2^(r*d))
	p := new(big.Int).Mod(base, params.N)
	for r := range h {
		powers[r] = new(big.Int).Set(p)
		for range d {
			mulMod(p, p, p)
		}
	}
	for half := range 2 {
		t := make([]*big.Int, 1<<h)
		t[0] = big.NewInt(1)
		for j := 1; j < 1<<h; j++ {
			low := j & -j
			r := 0
			for 1<<r != low {
				r++
			}
			t[j] = mulMod(new(big.Int), t[j&(j-1)], powers[r])
		}
		c.t[half] = t
		for r := range h { // next table: powers^(2^(d/2))
			for range d / 2 {
				mulMod(powers[r], powers[r], powers[r])
			}
		}
	}
	return c
}

// exp returns base^e mod N. e must be non-negative; exponents longer than
// h*d bits fall back to [big.Int.Exp].
func (c *comb) exp(e *big.Int) *big.Int {
	if e.Sign() < 0 || e.BitLen() > c.h*c.d {
		return new(big.Int).Exp(c.t[0][1], e, params.N)
	}
	half := c.d / 2
	z := big.NewInt(1)
	q := new(big.Int)
	tmp := new(big.Int)
	for col := half - 1; col >= 0; col-- {
		tmp.Mul(z, z)
		q.QuoRem(tmp, params.N, z)
		for k := range 2 {
			idx := 0
			for r := range c.h {
				idx |= int(e.Bit(r*c.d+col+k*half)) << r
			}
			if idx != 0 {
				tmp.Mul(z, c.t[k][idx])
				q.QuoRem(tmp, params.N, z)
			}
		}
	}
	return z
}

// Fixed-base tables for g: one for the 1024-bit private values a and b, one
// for the 256-bit x. They are built on first use (about 10 ms) and then only
// read.
var (
	combPrivate = sync.OnceValue(func() *comb { return newComb(params.g, 8, 128) })
	combHash    = sync.OnceValue(func() *comb { return newComb(params.g, 8, 32) })
)

// expG returns g^e mod N using the fixed-base tables when e fits.
func expG(e *big.Int) *big.Int {
	switch n := e.BitLen(); {
	case e.Sign() < 0:
		return new(big.Int).Exp(params.g, e, params.N)
	case n <= 256:
		return combHash().exp(e)
	case n <= 1024:
		return combPrivate().exp(e)
	default:
		return new(big.Int).Exp(params.g, e, params.N)
	}
}
