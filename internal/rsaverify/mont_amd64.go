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

// mulAddRow adds x·y to z (len(x) ≥ len(z) ≥ 1, the first len(z) limbs of
// x) and returns the carry limb. It runs the assembly, so it may be called
// only where fastMont is true: newPublicKey builds a montKey only there.
func mulAddRow(z, x []uint, y uint) uint {
	_ = x[len(z)-1]
	return mulAddRowADX(&z[0], &x[0], len(z), y)
}
