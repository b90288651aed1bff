package rsaverify

import (
	"math/big"
	"math/bits"
)

// montKey is a modulus prepared for the variable-time Montgomery
// arithmetic of the fast path (see "How fast" in the package doc). All of
// it is public: a verification handles only public values.
type montKey struct {
	n     []uint // the modulus, little-endian limbs
	m0inv uint   // −n⁻¹ mod 2^W
	// toPlain is R^e mod n, R = 2^(W·len(n)). The chain in exp treats s
	// itself as the Montgomery form of s·R⁻¹ and so ends with s^e·R^(1−e);
	// one Montgomery multiplication by R^e turns that into s^e. This
	// replaces both of the usual conversions (into the domain before the
	// chain, out of it after) with one multiplication.
	toPlain []uint
	e       uint
}

// maxStackLimbs is the largest modulus, in limbs, whose exponentiation
// runs in stack buffers: 4096 bits.
const maxStackLimbs = 4096 / bits.UintSize

// newMontKey prepares n (odd, at least two limbs) and the exponent e.
func newMontKey(n *big.Int, e uint) *montKey {
	words := n.Bits()
	m := &montKey{n: make([]uint, len(words)), e: e}
	for i, w := range words {
		m.n[i] = uint(w)
	}
	// Newton's iteration for n⁻¹ mod 2^W: each step doubles the number of
	// correct low bits, from 3 (n·n ≡ 1 mod 8 for odd n).
	inv := m.n[0]
	for range 5 {
		inv *= 2 - m.n[0]*inv
	}
	m.m0inv = -inv
	// toPlain = R^e mod n, by the same chain as exp, in the Montgomery
	// domain proper: R² mod n is the Montgomery form of R, and a last
	// multiplication by 1 leaves the domain. (big.Int.Exp takes twice as
	// long: for a one-word exponent it reduces by division.)
	l := len(words)
	rr := new(big.Int).Lsh(big.NewInt(1), uint(2*bits.UintSize*l))
	rr.Mod(rr, n)
	base := make([]uint, l)
	for i, w := range rr.Bits() {
		base[i] = uint(w)
	}
	t := make([]uint, 2*l)
	z := make([]uint, l)
	copy(z, base)
	for i := bits.Len(e) - 2; i >= 0; i-- {
		m.sqr(z, z, t)
		if e>>i&1 == 1 {
			m.mul(z, z, base, t)
		}
	}
	one := make([]uint, l)
	one[0] = 1
	m.mul(z, z, one, t)
	m.toPlain = z
	return m
}

// exp sets z = s^e mod n, fully reduced. s must be below n; z and s have
// len(m.n) limbs; z may be s (exp works on a copy of s).
func (m *montKey) exp(z, s []uint) {
	l := len(m.n)
	var stack [2 * maxStackLimbs]uint
	var t []uint
	if l <= maxStackLimbs {
		t = stack[:2*l]
	} else {
		t = make([]uint, 2*l)
	}
	var xs [maxStackLimbs]uint
	var x []uint
	if l <= maxStackLimbs {
		x = xs[:l]
	} else {
		x = make([]uint, l)
	}
	copy(x, s)
	copy(z, x)
	for i := bits.Len(m.e) - 2; i >= 0; i-- {
		m.sqr(z, z, t)
		if m.e>>i&1 == 1 {
			m.mul(z, z, x, t)
		}
	}
	m.mul(z, z, m.toPlain, t)
}

// mul sets z = a·b·R⁻¹ mod n. a and b must be below n; z may alias
// either. t is scratch space of 2·len(n) limbs.
func (m *montKey) mul(z, a, b, t []uint) {
	l := len(m.n)
	clear(t)
	for i := range l {
		t[i+l] = mulAddRow(t[i:i+l], a, b[i])
	}
	m.reduce(z, t)
}

// sqr sets z = a²·R⁻¹ mod n, computing each cross product a[i]·a[j] once
// instead of twice: about three quarters of the work of mul. a must be
// below n; z may alias a. t is scratch space of 2·len(n) limbs.
func (m *montKey) sqr(z, a, t []uint) {
	l := len(m.n)
	clear(t)
	crossProducts(t, a[:l])
	// Double them and add the squares a[i]² at limb 2i.
	var top, c uint
	for i := range l {
		hi, lo := bits.Mul(a[i], a[i])
		t0, t1 := t[2*i], t[2*i+1]
		d0 := t0<<1 | top
		d1 := t1<<1 | t0>>(bits.UintSize-1)
		top = t1 >> (bits.UintSize - 1)
		t[2*i], c = bits.Add(d0, lo, c)
		t[2*i+1], c = bits.Add(d1, hi, c)
	}
	// top and c are 0 here: a² < 2^(2·W·l).
	m.reduce(z, t)
}

// reduce sets z = t·R⁻¹ mod n (Montgomery reduction, word by word), for
// t < n·R, and destroys t.
func (m *montKey) reduce(z, t []uint) {
	l := len(m.n)
	carry := reduceRows(t, m.n, m.m0inv)
	// (t + q·n)/R < 2n: one subtraction at most, also when it carried.
	r := t[l:]
	if carry != 0 || !lessLimbs(r, m.n) {
		var b uint
		for i := range r {
			r[i], b = bits.Sub(r[i], m.n[i], b)
		}
	}
	copy(z, r)
}

// lessLimbs reports whether a < b, both of the same length.
func lessLimbs(a, b []uint) bool {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// reduceRowsGeneric is reduceRows in Go: for each i, y = t[i]·m0inv makes
// t + y·n·2^(W·i) ≡ 0 mod 2^(W·(i+1)).
func reduceRowsGeneric(t, n []uint, m0inv uint) (carry uint) {
	l := len(n)
	for i := range l {
		y := t[i] * m0inv
		c := mulAddRow(t[i:i+l], n, y)
		t[i+l], carry = bits.Add(t[i+l], c, carry)
	}
	return carry
}

// crossProductsGeneric is crossProducts in Go.
func crossProductsGeneric(t, a []uint) {
	l := len(a)
	for i := range l - 1 {
		t[i+l] = mulAddRow(t[2*i+1:i+l], a[i+1:], a[i])
	}
}

// mulAddRowGeneric is mulAddRow in Go, for machines without the assembly.
// It is not inlined so that mulAddRow, which calls it, can be.
//
//go:noinline
func mulAddRowGeneric(z, x []uint, y uint) (carry uint) {
	x = x[:len(z)]
	for i := range z {
		hi, lo := bits.Mul(x[i], y)
		var c uint
		lo, c = bits.Add(lo, z[i], 0)
		hi += c
		lo, c = bits.Add(lo, carry, 0)
		hi += c
		z[i] = lo
		carry = hi
	}
	return carry
}
