#include "textflag.h"

DATA hexdigits<>+0(SB)/8, $"01234567"
DATA hexdigits<>+8(SB)/8, $"89ABCDEF"
GLOBL hexdigits<>(SB), RODATA|NOPTR, $16

DATA nibblemask<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibblemask<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibblemask<>(SB), RODATA|NOPTR, $16

// func encodeHexSSSE3(dst, src *byte, n int)
//
// Writes the 2n uppercase hex digits of the n bytes at src to dst; n is a
// multiple of 16. Per 16 bytes: split into high and low nibbles, look both
// up in the digit table with PSHUFB, interleave high and low digits.
TEXT ·encodeHexSSSE3(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  n+16(FP), CX
	MOVOU hexdigits<>(SB), X6
	MOVOU nibblemask<>(SB), X7

loop:
	CMPQ      CX, $16
	JB        done
	MOVOU     (SI), X0
	MOVO      X0, X1
	PSRLW     $4, X1
	PAND      X7, X0
	PAND      X7, X1
	MOVO      X6, X2
	PSHUFB    X1, X2
	MOVO      X6, X3
	PSHUFB    X0, X3
	MOVO      X2, X4
	PUNPCKLBW X3, X4
	PUNPCKHBW X3, X2
	MOVOU     X4, (DI)
	MOVOU     X2, 16(DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	SUBQ      $16, CX
	JMP       loop

done:
	RET

// func encodeHexAVX2(dst, src *byte, n int)
//
// As encodeHexSSSE3 with n a multiple of 32, 32 bytes at a time. VPSHUFB
// and the unpacks work within 128-bit lanes: the unpacks give the digits
// of bytes 0-7 and 16-23 (low) and 8-15 and 24-31 (high), which
// VPERM2I128 puts back in order.
TEXT ·encodeHexAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTI128 hexdigits<>(SB), Y6
	VBROADCASTI128 nibblemask<>(SB), Y7

loop:
	CMPQ       CX, $32
	JB         done
	VMOVDQU    (SI), Y0
	VPSRLW     $4, Y0, Y1
	VPAND      Y7, Y0, Y0
	VPAND      Y7, Y1, Y1
	VPSHUFB    Y1, Y6, Y2
	VPSHUFB    Y0, Y6, Y3
	VPUNPCKLBW Y3, Y2, Y4
	VPUNPCKHBW Y3, Y2, Y5
	VPERM2I128 $0x20, Y5, Y4, Y0
	VPERM2I128 $0x31, Y5, Y4, Y1
	VMOVDQU    Y0, (DI)
	VMOVDQU    Y1, 32(DI)
	ADDQ       $32, SI
	ADDQ       $64, DI
	SUBQ       $32, CX
	JMP        loop

done:
	VZEROUPPER
	RET
