package ini

import (
	"bytes"
	"fmt"
	"math/rand/v2"
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
