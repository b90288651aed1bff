//go:build amd64 && !purego

#include "textflag.h"

// The Montgomery arithmetic of mont.go, in three functions that share one
// row operation, z[0:n] += x[0:n]·y. They need ADX and BMI2.
//
// A row runs two carry chains side by side: ADCX (CF) adds the high half
// of the previous product, ADOX (OF) adds z[i]. Blocks of eight limbs keep
// both chains alive across iterations, so the loop is counted with LEAQ
// and JCXZQ, which leave the flags alone. The pending high limb R8 then
// absorbs both carries: the carry limb of z + x·y fits in one limb, so it
// cannot overflow. The last n mod 8 limbs go one at a time.
//
// Registers of a row: DI = z, SI = x, CX = n, DX = y; it returns the carry
// limb in R8, leaves DI at z+8n, and uses AX, BX, R9 and R11.

// func mulAddRowADX(z, x *uint, n int, y uint) (carry uint)
//
// z[0:n] += x[0:n]·y; returns the carry limb. n ≥ 1.
TEXT ·mulAddRowADX(SB), NOSPLIT, $0-40
	MOVQ z+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ y+24(FP), DX
	XORQ R8, R8
	MOVQ CX, BX
	ANDQ $7, BX
	SHRQ $3, CX
	TESTQ CX, CX
	JZ   tailA
	XORQ R11, R11 // R11 = 0; clears CF and OF

blockA:
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
	JCXZQ foldA
	JMP   blockA

foldA:
	ADCXQ R11, R8
	ADOXQ R11, R8

tailA:
	TESTQ BX, BX
	JZ    doneA

singleA:
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
	JNZ   singleA

doneA:
	MOVQ R8, carry+32(FP)
	RET

// func reduceADX(t, n *uint, l int, m0inv uint) (carry uint)
//
// Montgomery reduction of the 2l limbs of t, word by word: for i from 0 to
// l−1, y = t[i]·m0inv, t[i:i+l] += n·y, and the row's carry limb goes into
// t[i+l] with the running carry bit. Returns that bit; the result is
// t[l:2l] plus carry·2^(64l). l ≥ 1.
TEXT ·reduceADX(SB), NOSPLIT, $8-40
	MOVQ t+0(FP), R12  // t+8i
	MOVQ l+16(FP), R13
	MOVQ R13, R10      // rows left
	MOVQ $0, run-8(SP) // the running carry bit

rowR:
	MOVQ  m0inv+24(FP), DX
	IMULQ (R12), DX    // y = t[i]·m0inv mod 2^64
	MOVQ  R12, DI
	MOVQ  n+8(FP), SI
	MOVQ  R13, CX
	XORQ R8, R8
	MOVQ CX, BX
	ANDQ $7, BX
	SHRQ $3, CX
	TESTQ CX, CX
	JZ   tailR
	XORQ R11, R11 // R11 = 0; clears CF and OF

blockR:
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
	JCXZQ foldR
	JMP   blockR

foldR:
	ADCXQ R11, R8
	ADOXQ R11, R8

tailR:
	TESTQ BX, BX
	JZ    doneR

singleR:
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
	JNZ   singleR

doneR:
	// DI = t+8(i+l): t[i+l] += R8 + run, with the carry out as run.
	MOVQ run-8(SP), AX
	BTQ  $0, AX        // CF = run
	ADCQ R8, (DI)
	SETCS AL
	MOVBQZX AL, AX
	MOVQ AX, run-8(SP)
	LEAQ 8(R12), R12
	DECQ R10
	JNZ  rowR
	MOVQ run-8(SP), AX
	MOVQ AX, carry+32(FP)
	RET

// func crossADX(t, a *uint, l int)
//
// The cross products of a square: for i from 0 to l−2,
// t[2i+1:i+l] += a[i+1:l]·a[i], and the row's carry limb is stored at
// t[i+l] (which no earlier row has written). t[2l−1] is left alone. l ≥ 2.
TEXT ·crossADX(SB), NOSPLIT, $0-24
	MOVQ t+0(FP), R12
	LEAQ 8(R12), R12   // t+8(2i+1)
	MOVQ a+8(FP), R10  // a+8i
	MOVQ l+16(FP), R13
	DECQ R13           // the length of row i: l−1−i

rowC:
	MOVQ (R10), DX     // y = a[i]
	LEAQ 8(R10), SI    // x = a+8(i+1)
	MOVQ R12, DI
	MOVQ R13, CX
	XORQ R8, R8
	MOVQ CX, BX
	ANDQ $7, BX
	SHRQ $3, CX
	TESTQ CX, CX
	JZ   tailC
	XORQ R11, R11 // R11 = 0; clears CF and OF

blockC:
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
	JCXZQ foldC
	JMP   blockC

foldC:
	ADCXQ R11, R8
	ADOXQ R11, R8

tailC:
	TESTQ BX, BX
	JZ    doneC

singleC:
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
	JNZ   singleC

doneC:
	MOVQ R8, (DI)      // DI = t+8(i+l)
	LEAQ 16(R12), R12
	LEAQ 8(R10), R10
	DECQ R13
	JNZ  rowC
	RET
