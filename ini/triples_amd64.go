package ini

import "golang.org/x/sys/cpu"

// tniEncodeTriplesSSSE3 writes " XY" (uppercase digits) for each of the
// n bytes at src to the 3n bytes at dst; n >= 16 (triples_amd64.s).
//
//go:noescape
func tniEncodeTriplesSSSE3(dst, src *byte, n int)

// tniDecodeTriplesSSSE3 decodes up to groups groups of 16 "XY " triples
// (48 bytes at src, digits of either case) into 16 bytes each at dst and
// returns the number of groups decoded, stopping before the first that
// is not 16 such triples (triples_amd64.s).
//
//go:noescape
func tniDecodeTriplesSSSE3(dst, src *byte, groups int) int

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

// tniDecodeTriplesWide decodes 16 "XY " triples at a time from t[j:] into
// o[n:] with SSSE3, while whole groups of 16 fit in both, and returns the
// new n and j (unchanged without SSSE3). When it stops short of a group
// with fewer than 16 triples' room left in t, it decodes once more the
// group that ends at the last triple that fits, overlapping triples
// already decoded (at least as many decoded by this call), so that a line
// of 26 takes two groups; the caller's scalar loop does the rest.
func tniDecodeTriplesWide(o, t []byte, n, j int) (int, int) {
	if !tniHasSSSE3 {
		return n, j
	}
	n0 := n
	if g := min((len(t)-j)/48, (len(o)-n)/16); g > 0 {
		_ = o[n+16*g-1]
		_ = t[j+48*g-1]
		d := tniDecodeTriplesSSSE3(&o[n], &t[j], g)
		n, j = n+16*d, j+48*d
		if d < g {
			return n, j
		}
	}
	rem := (len(t) - j) / 3 // triples that may still fit
	if rem == 0 || rem >= 16 || n-n0 < 16-rem || n+rem > len(o) {
		return n, j
	}
	back := 16 - rem
	if tniDecodeTriplesSSSE3(&o[n-back], &t[j-3*back], 1) == 1 {
		n, j = n+rem, j+3*rem
	}
	return n, j
}
