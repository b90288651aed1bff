package rsaverify

import (
	"math/big"
	"math/bits"
	mrand "math/rand"
	"math/rand/v2"
	"testing"
)

// needMont skips where the assembly cannot run (an amd64 CPU without ADX
// or BMI2); the fast path is off there too.
func needMont(t *testing.T) {
	t.Helper()
	if montAsm && !fastMont {
		t.Skip("this CPU lacks ADX or BMI2: the assembly cannot run here, and the fast path is off")
	}
}

func limbsOf(x *big.Int, l int) []uint {
	out := make([]uint, l)
	for i, w := range x.Bits() {
		out[i] = uint(w)
	}
	return out
}

func bigOf(l []uint) *big.Int {
	w := make([]big.Word, len(l))
	for i := range l {
		w[i] = big.Word(l[i])
	}
	return new(big.Int).SetBits(w)
}

// randLimbs returns l limbs: random, all ones, or sparse.
func randLimbs(r *rand.Rand, l int) []uint {
	x := make([]uint, l)
	switch r.IntN(3) {
	case 0:
		for i := range x {
			x[i] = uint(r.Uint64())
		}
	case 1:
		for i := range x {
			x[i] = ^uint(0)
		}
	default:
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = uint(r.Uint64()) | 1<<(bits.UintSize-1)
			}
		}
	}
	return x
}

// TestMulAddRow: the assembly adds x·y into z as math/big and the Go loop
// do, for every length from 1 to 40 (blocks of eight and every tail), with
// random, all-ones and sparse limbs.
func TestMulAddRow(t *testing.T) {
	needMont(t)
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for range 200 {
			z0 := randLimbs(r, n)
			x := randLimbs(r, n+r.IntN(3)) // only x[:n] counts
			y := uint(r.Uint64())
			if r.IntN(4) == 0 {
				y = ^uint(0)
			}
			z := append([]uint(nil), z0...)
			carry := mulAddRow(z, x, y)

			want := new(big.Int).Mul(bigOf(x[:n]), new(big.Int).SetUint64(uint64(y)))
			want.Add(want, bigOf(z0))
			got := new(big.Int).Lsh(new(big.Int).SetUint64(uint64(carry)), uint(bits.UintSize*n))
			got.Add(got, bigOf(z))
			if got.Cmp(want) != 0 {
				t.Fatalf("n=%d: z+x·y: got %x; want %x", n, got, want)
			}
			g := append([]uint(nil), z0...)
			if gc := mulAddRowGeneric(g, x, y); gc != carry || !equalLimbs(g, z) {
				t.Fatalf("n=%d: the Go loop gives %x carry %x; the assembly %x carry %x", n, g, gc, z, carry)
			}
		}
	}
}

func equalLimbs(a, b []uint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testModuli returns odd moduli of many shapes: every limb count from 1 to
// 9, RSA sizes, odd sizes, the largest modulus of its length (so that
// Montgomery reduction carries out of the top limb), one just above a
// power of two, and random ones.
func testModuli(r *rand.Rand) []*big.Int {
	var ms []*big.Int
	one := big.NewInt(1)
	for _, b := range []int{64, 65, 128, 191, 256, 320, 448, 512, 576, 1024, 1025, 1087, 1536, 2047, 2048, 2049, 3072, 4096, 4160} {
		top := new(big.Int).Lsh(one, uint(b))
		n := new(big.Int).Rand(r2big(r), top)
		n.SetBit(n, b-1, 1).SetBit(n, 0, 1)
		ms = append(ms, n)
		ms = append(ms, new(big.Int).Sub(top, one))                                 // all ones
		ms = append(ms, new(big.Int).Add(new(big.Int).Rsh(top, 1), one))            // 2^(b-1)+1
		ms = append(ms, new(big.Int).Sub(top, big.NewInt(int64(2*r.IntN(1000)+1)))) // just below 2^b
	}
	return ms
}

// r2big adapts r to math/big's Rand, which wants a math/rand *Rand.
func r2big(r *rand.Rand) *mrand.Rand { return mrand.New(mrand.NewSource(int64(r.Uint64()))) }

// TestMontArithmetic: mul, sqr and exp agree with math/big on every
// modulus of testModuli, for random operands and 0, 1, 2, n−2 and n−1, and
// for the exponents crypto/rsa accepts (3, 17, 65537, 2³¹−1 and random odd
// ones).
func TestMontArithmetic(t *testing.T) {
	needMont(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range testModuli(r) {
		l := len(n.Bits())
		R := new(big.Int).Lsh(big.NewInt(1), uint(bits.UintSize*l))
		rInv := new(big.Int).ModInverse(R, n)
		exps := []uint{3, 17, 65537, 1<<31 - 1, uint(r.Uint32()>>1) | 1}
		m := newMontKey(n, 65537)
		if got := m.n[0] * -m.m0inv; got != 1 {
			t.Fatalf("n=%x: n[0]·n⁻¹ = %d; want 1", n, got)
		}
		edge := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), new(big.Int).Sub(n, big.NewInt(2)), new(big.Int).Sub(n, big.NewInt(1))}
		operand := func(i int) *big.Int {
			if i < len(edge) {
				return edge[i]
			}
			return new(big.Int).Rand(r2big(r), n)
		}
		tmp := make([]uint, 2*l)
		for i := range 12 {
			a, b := operand(i), operand((i*3+1)%12)
			z := make([]uint, l)
			m.mul(z, limbsOf(a, l), limbsOf(b, l), tmp)
			want := new(big.Int).Mul(a, b)
			want.Mul(want, rInv).Mod(want, n)
			if bigOf(z).Cmp(want) != 0 {
				t.Fatalf("n=%x (%d bits): mul(%x, %x) = %x; want %x", n, n.BitLen(), a, b, bigOf(z), want)
			}
			m.sqr(z, limbsOf(a, l), tmp)
			want.Mul(a, a).Mul(want, rInv).Mod(want, n)
			if bigOf(z).Cmp(want) != 0 {
				t.Fatalf("n=%x (%d bits): sqr(%x) = %x; want %x", n, n.BitLen(), a, bigOf(z), want)
			}
		}
		for _, e := range exps {
			me := newMontKey(n, e)
			for i := range 7 {
				s := operand(i)
				z := make([]uint, l)
				me.exp(z, limbsOf(s, l))
				want := new(big.Int).Exp(s, new(big.Int).SetUint64(uint64(e)), n)
				if bigOf(z).Cmp(want) != 0 {
					t.Fatalf("n=%x (%d bits), e=%d: exp(%x) = %x; want %x", n, n.BitLen(), e, s, bigOf(z), want)
				}
			}
		}
	}
}

// TestRowLoops: the assembly loops of a reduction and of a square's cross
// products give what their Go loops give, limb for limb, for moduli of 1
// to 24 limbs and the RSA sizes, with random, all-ones and sparse limbs.
func TestRowLoops(t *testing.T) {
	needMont(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, l := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 23, 24, 32, 48, 64} {
		for range 50 {
			n := randLimbs(r, l)
			n[0] |= 1
			m0inv := uint(r.Uint64())
			t0 := randLimbs(r, 2*l)
			got, want := append([]uint(nil), t0...), append([]uint(nil), t0...)
			gc, wc := reduceRows(got, n, m0inv), reduceRowsGeneric(want, n, m0inv)
			if gc != wc || !equalLimbs(got, want) {
				t.Fatalf("l=%d: reduceRows gives %x carry %d; the Go loop %x carry %d", l, got, gc, want, wc)
			}
			a := randLimbs(r, l)
			got, want = make([]uint, 2*l), make([]uint, 2*l)
			got[0], want[0] = t0[0], t0[0]
			crossProducts(got, a)
			crossProductsGeneric(want, a)
			if !equalLimbs(got, want) {
				t.Fatalf("l=%d: crossProducts gives %x; the Go loop %x", l, got, want)
			}
		}
	}
}
