#include "textflag.h"

// Constants of tniEncodeTriplesSSSE3 and tniDecodeTriplesSSSE3
// (triples_amd64.go). encH<b>, encL<b> pick for output block b (bytes
// 16b..16b+15 of the 48 written per 16 input bytes) the high and low digit
// of the byte whose " XY" triple covers each position (0x80: none, PSHUFB
// writes 0); encSp<b> has the spaces. decH<b>, decL<b>, decS<b> pick from
// input block b the high digit, low digit and space of each of the 16
// "XY " triples (0x80: in another block). x<NN> is byte NN sixteen times.

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

DATA decH0<>+0(SB)/8, $0x80800f0c09060300
DATA decH0<>+8(SB)/8, $0x8080808080808080
GLOBL decH0<>(SB), RODATA|NOPTR, $16

DATA decL0<>+0(SB)/8, $0x8080800d0a070401
DATA decL0<>+8(SB)/8, $0x8080808080808080
GLOBL decL0<>(SB), RODATA|NOPTR, $16

DATA decS0<>+0(SB)/8, $0x8080800e0b080502
DATA decS0<>+8(SB)/8, $0x8080808080808080
GLOBL decS0<>(SB), RODATA|NOPTR, $16

DATA decH1<>+0(SB)/8, $0x0502808080808080
DATA decH1<>+8(SB)/8, $0x80808080800e0b08
GLOBL decH1<>(SB), RODATA|NOPTR, $16

DATA decL1<>+0(SB)/8, $0x0603008080808080
DATA decL1<>+8(SB)/8, $0x80808080800f0c09
GLOBL decL1<>(SB), RODATA|NOPTR, $16

DATA decS1<>+0(SB)/8, $0x0704018080808080
DATA decS1<>+8(SB)/8, $0x8080808080800d0a
GLOBL decS1<>(SB), RODATA|NOPTR, $16

DATA decH2<>+0(SB)/8, $0x8080808080808080
DATA decH2<>+8(SB)/8, $0x0d0a070401808080
GLOBL decH2<>(SB), RODATA|NOPTR, $16

DATA decL2<>+0(SB)/8, $0x8080808080808080
DATA decL2<>+8(SB)/8, $0x0e0b080502808080
GLOBL decL2<>(SB), RODATA|NOPTR, $16

DATA decS2<>+0(SB)/8, $0x8080808080808080
DATA decS2<>+8(SB)/8, $0x0f0c090603008080
GLOBL decS2<>(SB), RODATA|NOPTR, $16

DATA x20<>+0(SB)/8, $0x2020202020202020
DATA x20<>+8(SB)/8, $0x2020202020202020
GLOBL x20<>(SB), RODATA|NOPTR, $16

DATA x30<>+0(SB)/8, $0x3030303030303030
DATA x30<>+8(SB)/8, $0x3030303030303030
GLOBL x30<>(SB), RODATA|NOPTR, $16

DATA x09<>+0(SB)/8, $0x0909090909090909
DATA x09<>+8(SB)/8, $0x0909090909090909
GLOBL x09<>(SB), RODATA|NOPTR, $16

DATA x61<>+0(SB)/8, $0x6161616161616161
DATA x61<>+8(SB)/8, $0x6161616161616161
GLOBL x61<>(SB), RODATA|NOPTR, $16

DATA x05<>+0(SB)/8, $0x0505050505050505
DATA x05<>+8(SB)/8, $0x0505050505050505
GLOBL x05<>(SB), RODATA|NOPTR, $16

DATA x0a<>+0(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA x0a<>+8(SB)/8, $0x0a0a0a0a0a0a0a0a
GLOBL x0a<>(SB), RODATA|NOPTR, $16

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

// HEXVALS(in) sets X0 to the values of the 16 hex digits in register in
// (not changed) and jumps to ddone when one is not a hex digit: d-'0' for a
// digit 0-9, (d|0x20)-'a'+10 for a letter A-F or a-f (unsigned tests:
// PMINUB then PCMPEQB). X1, X2, X5 and X6 are scratch; X14 holds 0x20s.
#define HEXVALS(in) \
	MOVOU   x30<>(SB), X6 \
	MOVO    in, X0        \
	PSUBB   X6, X0        \
	MOVOU   x09<>(SB), X6 \
	MOVO    X0, X1        \
	PMINUB  X6, X1        \
	PCMPEQB X0, X1        \
	MOVO    in, X2        \
	POR     X14, X2       \
	MOVOU   x61<>(SB), X6 \
	PSUBB   X6, X2        \
	MOVOU   x05<>(SB), X6 \
	MOVO    X2, X5        \
	PMINUB  X6, X5        \
	PCMPEQB X2, X5        \
	MOVOU   x0a<>(SB), X6 \
	PADDB   X6, X2        \
	PAND    X1, X0        \
	PAND    X5, X2        \
	POR     X2, X0        \
	POR     X5, X1        \
	PMOVMSKB X1, BX       \
	CMPL    BX, $0xFFFF   \
	JNE     ddone

// func tniDecodeTriplesSSSE3(dst, src *byte, groups int) int
//
// Decodes up to groups groups of 16 "XY " triples (two hex digits of
// either case, then a space; 48 bytes at src) into 16 bytes each at dst,
// and returns the number of groups decoded: it stops before the first
// group with a byte out of place, writing nothing for it. Per group: the
// spaces, high and low digits gathered from the three input blocks with
// PSHUFB, the spaces compared, each digit d taken as d-'0' when that is
// at most 9 or as (d|0x20)-'a'+10 when (d|0x20)-'a' is at most 5 (PMINUB
// and PCMPEQB: unsigned), else the group is refused.
TEXT ·tniDecodeTriplesSSSE3(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  groups+16(FP), CX
	XORQ  AX, AX
	MOVOU decH0<>(SB), X8
	MOVOU decH1<>(SB), X9
	MOVOU decH2<>(SB), X10
	MOVOU decL0<>(SB), X11
	MOVOU decL1<>(SB), X12
	MOVOU decL2<>(SB), X13
	MOVOU x20<>(SB), X14

dloop:
	CMPQ   AX, CX
	JAE    ddone
	MOVOU  (SI), X0
	MOVOU  16(SI), X1
	MOVOU  32(SI), X2

	// the spaces
	MOVOU  decS0<>(SB), X3
	MOVO   X0, X4
	PSHUFB X3, X4
	MOVOU  decS1<>(SB), X3
	MOVO   X1, X5
	PSHUFB X3, X5
	POR    X5, X4
	MOVOU  decS2<>(SB), X3
	MOVO   X2, X5
	PSHUFB X3, X5
	POR    X5, X4
	PCMPEQB X14, X4
	PMOVMSKB X4, BX
	CMPL   BX, $0xFFFF
	JNE    ddone

	// the high digits in X3, the low ones in X4
	MOVO   X0, X3
	PSHUFB X8, X3
	MOVO   X1, X4
	PSHUFB X9, X4
	POR    X4, X3
	MOVO   X2, X4
	PSHUFB X10, X4
	POR    X4, X3
	MOVO   X0, X4
	PSHUFB X11, X4
	MOVO   X1, X5
	PSHUFB X12, X5
	POR    X5, X4
	MOVO   X2, X5
	PSHUFB X13, X5
	POR    X5, X4

	HEXVALS(X3)
	MOVO   X0, X3          // the values of the high digits
	HEXVALS(X4)            // X0: the values of the low digits

	PSLLW  $4, X3          // values < 16: no bit crosses into the next byte
	POR    X0, X3
	MOVOU  X3, (DI)
	ADDQ   $48, SI
	ADDQ   $16, DI
	INCQ   AX
	JMP    dloop

ddone:
	MOVQ AX, ret+24(FP)
	RET
