//go:build amd64 && !purego

package rsaverify

import "golang.org/x/sys/cpu"

// fastMont reports whether the fast path's own Montgomery arithmetic runs
// at assembly speed here; without it, the fast path uses bigmod.
var fastMont = cpu.X86.HasADX && cpu.X86.HasBMI2

// montAsm reports whether mulAddRow is the assembly.
const montAsm = true

// mulAddRowADX is mulAddRow in assembly (mont_amd64.s): MULX with two
// carry chains, ADCX and ADOX. It needs ADX and BMI2, and n ≥ 1.
//
//go:noescape
func mulAddRowADX(z, x *uint, n int, y uint) (carry uint)

// reduceADX and crossADX are the loops of reduceRows and crossProducts in
// assembly (mont_amd64.s).
//
//go:noescape
func reduceADX(t, n *uint, l int, m0inv uint) (carry uint)

//go:noescape
func crossADX(t, a *uint, l int)

// reduceRows is the word-by-word loop of montKey.reduce: it adds the
// multiples of n that clear t[0:l] and returns the carry out of t[2l−1].
// len(t) = 2·len(n).
func reduceRows(t, n []uint, m0inv uint) uint {
	_ = t[2*len(n)-1]
	return reduceADX(&t[0], &n[0], len(n), m0inv)
}

// crossProducts adds each a[i]·a[j], i < j, at limb i+j of t, which must
// be zero from limb 1 on. len(t) = 2·len(a).
func crossProducts(t, a []uint) {
	if len(a) < 2 {
		return
	}
	_ = t[2*len(a)-1]
	crossADX(&t[0], &a[0], len(a))
}

// mulAddRow adds x·y to z (len(x) ≥ len(z) ≥ 1, the first len(z) limbs of
// x) and returns the carry limb. It runs the assembly, so it may be called
// only where fastMont is true: newPublicKey builds a montKey only there.
func mulAddRow(z, x []uint, y uint) uint {
	_ = x[len(z)-1]
	return mulAddRowADX(&z[0], &x[0], len(z), y)
}
