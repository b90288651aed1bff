//go:build amd64 && !purego

#include "textflag.h"

// func mulAddRowADX(z, x *uint, n int, y uint) (carry uint)
//
// z[0:n] += x[0:n]·y; returns the carry limb. Needs ADX and BMI2, n ≥ 1.
//
// Two carry chains run side by side: ADCX (CF) adds the high half of the
// previous product, ADOX (OF) adds z[i]. Blocks of eight limbs keep both
// chains alive across iterations, so the loop is counted with LEAQ and
// JCXZQ, which leave the flags alone. The pending high limb R8 absorbs
// both carries at the end: the carry limb of z + x·y fits in one limb, so
// it cannot overflow.
TEXT ·mulAddRowADX(SB), NOSPLIT, $0-40
	MOVQ z+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ y+24(FP), DX
	XORQ R8, R8       // the pending high limb
	XORQ R11, R11     // zero, to fold the carries
	MOVQ CX, BX
	ANDQ $7, BX       // limbs after the blocks of eight
	SHRQ $3, CX       // blocks of eight
	TESTQ CX, CX
	JZ    tail
	XORQ R10, R10     // clears CF and OF for the chains

block:
	MULXQ (SI), AX, R9
	ADCXQ R8, AX
	ADOXQ (DI), AX
	MOVQ  AX, (DI)
	MULXQ 8(SI), AX, R8
	ADCXQ R9, AX
	ADOXQ 8(DI), AX
	MOVQ  AX, 8(DI)
	MULXQ 16(SI), AX, R9
	ADCXQ R8, AX
	ADOXQ 16(DI), AX
	MOVQ  AX, 16(DI)
	MULXQ 24(SI), AX, R8
	ADCXQ R9, AX
	ADOXQ 24(DI), AX
	MOVQ  AX, 24(DI)
	MULXQ 32(SI), AX, R9
	ADCXQ R8, AX
	ADOXQ 32(DI), AX
	MOVQ  AX, 32(DI)
	MULXQ 40(SI), AX, R8
	ADCXQ R9, AX
	ADOXQ 40(DI), AX
	MOVQ  AX, 40(DI)
	MULXQ 48(SI), AX, R9
	ADCXQ R8, AX
	ADOXQ 48(DI), AX
	MOVQ  AX, 48(DI)
	MULXQ 56(SI), AX, R8
	ADCXQ R9, AX
	ADOXQ 56(DI), AX
	MOVQ  AX, 56(DI)
	LEAQ  64(SI), SI
	LEAQ  64(DI), DI
	LEAQ  -1(CX), CX
	JCXZQ fold
	JMP   block

fold:
	ADCXQ R11, R8
	ADOXQ R11, R8

tail:
	TESTQ BX, BX
	JZ    done

single:
	MULXQ (SI), AX, R9
	ADDQ  R8, AX
	ADCQ  $0, R9
	ADDQ  (DI), AX
	ADCQ  $0, R9
	MOVQ  AX, (DI)
	MOVQ  R9, R8
	LEAQ  8(SI), SI
	LEAQ  8(DI), DI
	DECQ  BX
	JNZ   single

done:
	MOVQ R8, carry+32(FP)
	RET
