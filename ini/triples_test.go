package ini

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPutHexTriples compares putHexTriples (SSSE3 from 16 bytes, when the
// CPU has it) with " %02X" per byte on every length up to 100.
func TestPutHexTriples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 101 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		var want bytes.Buffer
		for _, c := range src {
			fmt.Fprintf(&want, " %02X", c)
		}
		dst := bytes.Repeat([]byte{'#'}, 3*n+2+8)
		putHexTriples(dst, src)
		if got := dst[:3*n]; !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%d bytes: %q, want %q", n, got, want.Bytes())
		}
		if n >= 16 && tniHasSSSE3 && !bytes.Equal(dst[3*n:], bytes.Repeat([]byte{'#'}, 10)) {
			t.Fatalf("%d bytes: wrote past 3n: %q", n, dst[3*n:])
		}
	}
}

// TestDecodeTriplesWide compares tniDecodeTriples with and without the
// SSSE3 groups on runs of "XY " triples of every length up to 70, each
// also with one byte spoilt at every position (a non-hex digit, a missing
// space), in both cases of digits and with a short output buffer.
func TestDecodeTriplesWide(t *testing.T) {
	if !tniHasSSSE3 {
		t.Skip("the CPU has no SSSE3: only the scalar decoder runs")
	}
	// the groups alone: 16 triples, then the overlapping group for 10 more
	text := []byte(strings.Repeat("0a ", 26) + "+")
	o := make([]byte, 26)
	if n, j := tniDecodeTriplesWide(o, text, 0, 0); n != 26 || j != 78 || !bytes.Equal(o, bytes.Repeat([]byte{0x0A}, 26)) {
		t.Fatalf("tniDecodeTriplesWide = %d, %d, %x; want 26, 78, 26 x 0A", n, j, o)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const digits = "0123456789ABCDEFabcdef"
	check := func(text []byte, room int) {
		t.Helper()
		o1, o2 := make([]byte, room+4), make([]byte, room+4)
		n1, j1 := tniDecodeTriples(o1[:room], text, 0, 0)
		tniHasSSSE3 = false
		n2, j2 := tniDecodeTriples(o2[:room], text, 0, 0)
		tniHasSSSE3 = true
		if n1 != n2 || j1 != j2 || !bytes.Equal(o1, o2) {
			t.Fatalf("%q (room %d): SSSE3 %d %d %x, scalar %d %d %x", text, room, n1, j1, o1, n2, j2, o2)
		}
	}
	for k := range 71 {
		var text []byte
		for range k {
			text = append(text, digits[rng.IntN(len(digits))], digits[rng.IntN(len(digits))], ' ')
		}
		text = append(text, '+')
		for _, room := range []int{k, k / 2, 16, 15} {
			check(text, room)
		}
		for i := range text {
			for _, bad := range []byte{'G', ' ', '/', ':', '@', '`', 'g', 0x80, '0'} {
				spoilt := bytes.Clone(text)
				spoilt[i] = bad
				check(spoilt, k)
			}
		}
	}
}
