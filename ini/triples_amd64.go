package ini

import "golang.org/x/sys/cpu"

// tniEncodeTriplesSSSE3 writes " XY" (uppercase digits) for each of the
// n bytes at src to the 3n bytes at dst; n >= 16 (triples_amd64.s).
//
//go:noescape
func tniEncodeTriplesSSSE3(dst, src *byte, n int)

// tniHasSSSE3 is whether the CPU runs the SSSE3 triples code (PSHUFB).
var tniHasSSSE3 = cpu.X86.HasSSSE3

// tniEncodeTriplesWide writes " XY" for every byte of src to dst (room
// for 3*len(src) bytes) with SSSE3 and reports whether it did: false for
// fewer than 16 bytes or without SSSE3, dst untouched.
func tniEncodeTriplesWide(dst, src []byte) bool {
	if len(src) < 16 || !tniHasSSSE3 {
		return false
	}
	_ = dst[3*len(src)-1] // the assembly writes 3*len(src) bytes
	tniEncodeTriplesSSSE3(&dst[0], &src[0], len(src))
	return true
}
