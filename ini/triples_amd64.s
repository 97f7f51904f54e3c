#include "textflag.h"

// Constants of tniEncodeTriplesSSSE3 (triples_amd64.go). encH<b>, encL<b> pick for output block b (bytes
// 16b..16b+15 of the 48 written per 16 input bytes) the high and low digit
// of the byte whose " XY" triple covers each position (0x80: none, PSHUFB
// writes 0); encSp<b> has the spaces. x0f is byte 0F sixteen times.

DATA hexdigitsT<>+0(SB)/8, $"01234567"
DATA hexdigitsT<>+8(SB)/8, $"89ABCDEF"
GLOBL hexdigitsT<>(SB), RODATA|NOPTR, $16

DATA encH0<>+0(SB)/8, $0x0280800180800080
DATA encH0<>+8(SB)/8, $0x8080048080038080
GLOBL encH0<>(SB), RODATA|NOPTR, $16

DATA encL0<>+0(SB)/8, $0x8080018080008080
DATA encL0<>+8(SB)/8, $0x8004808003808002
GLOBL encL0<>(SB), RODATA|NOPTR, $16

DATA encSp0<>+0(SB)/8, $0x0020000020000020
DATA encSp0<>+8(SB)/8, $0x2000002000002000
GLOBL encSp0<>(SB), RODATA|NOPTR, $16

DATA encH1<>+0(SB)/8, $0x8007808006808005
DATA encH1<>+8(SB)/8, $0x0a80800980800880
GLOBL encH1<>(SB), RODATA|NOPTR, $16

DATA encL1<>+0(SB)/8, $0x0780800680800580
DATA encL1<>+8(SB)/8, $0x8080098080088080
GLOBL encL1<>(SB), RODATA|NOPTR, $16

DATA encSp1<>+0(SB)/8, $0x0000200000200000
DATA encSp1<>+8(SB)/8, $0x0020000020000020
GLOBL encSp1<>(SB), RODATA|NOPTR, $16

DATA encH2<>+0(SB)/8, $0x80800c80800b8080
DATA encH2<>+8(SB)/8, $0x800f80800e80800d
GLOBL encH2<>(SB), RODATA|NOPTR, $16

DATA encL2<>+0(SB)/8, $0x800c80800b80800a
DATA encL2<>+8(SB)/8, $0x0f80800e80800d80
GLOBL encL2<>(SB), RODATA|NOPTR, $16

DATA encSp2<>+0(SB)/8, $0x2000002000002000
DATA encSp2<>+8(SB)/8, $0x0000200000200000
GLOBL encSp2<>(SB), RODATA|NOPTR, $16

DATA x0f<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA x0f<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL x0f<>(SB), RODATA|NOPTR, $16

// func tniEncodeTriplesSSSE3(dst, src *byte, n int)
//
// Writes " XY" (a space, then the two uppercase hex digits) for each of
// the n bytes at src to dst, 3n bytes; n >= 16. Per 16 bytes: the high and
// low nibbles looked up in the digit table with PSHUFB, then each of the
// three 16-byte output blocks gathered from the high and the low digits
// with PSHUFB and ORed with its spaces. When n is not a multiple of 16,
// the last 16 bytes are encoded again, overlapping the block before (the
// same bytes are written twice).
TEXT ·tniEncodeTriplesSSSE3(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  n+16(FP), CX
	MOVOU hexdigitsT<>(SB), X6
	MOVOU x0f<>(SB), X7
	MOVOU encH0<>(SB), X8
	MOVOU encL0<>(SB), X9
	MOVOU encSp0<>(SB), X10
	MOVOU encH1<>(SB), X11
	MOVOU encL1<>(SB), X12
	MOVOU encSp1<>(SB), X13
	MOVOU encH2<>(SB), X14

eloop:
	CMPQ   CX, $16
	JB     etail
	MOVOU  (SI), X0
	MOVO   X0, X1
	PSRLW  $4, X1
	PAND   X7, X0
	PAND   X7, X1
	MOVO   X6, X2
	PSHUFB X1, X2 // high digits
	MOVO   X6, X3
	PSHUFB X0, X3 // low digits

	MOVO   X2, X4
	PSHUFB X8, X4
	MOVO   X3, X5
	PSHUFB X9, X5
	POR    X5, X4
	POR    X10, X4
	MOVOU  X4, (DI)

	MOVO   X2, X4
	PSHUFB X11, X4
	MOVO   X3, X5
	PSHUFB X12, X5
	POR    X5, X4
	POR    X13, X4
	MOVOU  X4, 16(DI)

	PSHUFB X14, X2
	MOVOU  encL2<>(SB), X5
	PSHUFB X5, X3
	POR    X3, X2
	MOVOU  encSp2<>(SB), X5
	POR    X5, X2
	MOVOU  X2, 32(DI)

	ADDQ $16, SI
	ADDQ $48, DI
	SUBQ $16, CX
	JMP  eloop

etail:
	TESTQ CX, CX
	JZ    edone
	MOVQ  $16, AX
	SUBQ  CX, AX          // back up 16-CX bytes
	SUBQ  AX, SI
	LEAQ  (AX)(AX*2), BX
	SUBQ  BX, DI
	MOVQ  $16, CX
	JMP   eloop

edone:
	RET
