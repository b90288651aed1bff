//go:build !amd64 || purego

package rsaverify

// fastMont reports whether the fast path's own Montgomery arithmetic runs
// at assembly speed here. It does only on amd64 with ADX and BMI2;
// elsewhere the fast path uses bigmod.
const fastMont = false

// montAsm reports whether mulAddRow is the assembly.
const montAsm = false

// mulAddRow adds x·y to z (len(x) ≥ len(z) ≥ 1, the first len(z) limbs of
// x) and returns the carry limb.
func mulAddRow(z, x []uint, y uint) uint { return mulAddRowGeneric(z, x, y) }

func reduceRows(t, n []uint, m0inv uint) uint { return reduceRowsGeneric(t, n, m0inv) }

func crossProducts(t, a []uint) { crossProductsGeneric(t, a) }
