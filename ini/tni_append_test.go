package ini

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestTNIPrefix checks tniPrefix against the byte-by-byte definition for
// keys of every length up to 10, and that it orders keys as bytes.Compare
// does where the prefixes differ.
func TestTNIPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	naive := func(k []byte) uint64 {
		var x uint64
		for i := 0; i < 8 && i < len(k); i++ {
			x |= uint64(k[i]) << (56 - 8*i)
		}
		return x
	}
	for n := 0; n <= 10; n++ {
		for range 200 {
			a, b := make([]byte, n), make([]byte, rng.IntN(11))
			for i := range a {
				a[i] = byte(rng.IntN(256))
			}
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			if got, want := tniPrefix(a), naive(a); got != want {
				t.Fatalf("tniPrefix(% x) = %016x, want %016x", a, got, want)
			}
			if pa, pb := tniPrefix(a), tniPrefix(b); pa < pb && bytes.Compare(a, b) >= 0 {
				t.Fatalf("tniPrefix orders % x before % x, bytes.Compare does not", a, b)
			}
		}
	}
}

// TestAppendTNI checks that AppendTNI appends exactly MarshalTNI's text
// after what dst holds, whether dst has room or the output must grow past
// the first estimate (one 64 KiB hex value, unsorted keys), and that on
// error it returns dst unchanged.
func TestAppendTNI(t *testing.T) {
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	files := map[string]*File{"generated": genTNIFile(256 << 10), "one big value": New()}
	files["one big value"].put([]byte("App"), []byte("z"), []byte("last"))
	files["one big value"].put([]byte("App"), []byte("a"), big)
	for name, f := range files {
		want, err := f.MarshalTNI(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range [][]byte{nil, []byte("prefix\r\n"), make([]byte, 3, len(want)+10)} {
			head := bytes.Clone(dst)
			got, _, err := f.AppendTNI(dst, TNIOptions{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got[:len(head)], head) || !bytes.Equal(got[len(head):], want) {
				t.Fatalf("%s: AppendTNI(%d bytes) is not dst followed by MarshalTNI's %d bytes", name, len(head), len(want))
			}
		}
	}
	bad := New()
	bad.put([]byte("App"), []byte("k=v"), []byte("x"))
	dst := []byte("keep")
	got, _, err := bad.AppendTNI(dst, TNIOptions{})
	var ue *UnrepresentableError
	if !errors.As(err, &ue) || string(got) != "keep" {
		t.Fatalf("AppendTNI of a key with '=': %q, %v; want dst unchanged and *UnrepresentableError", got, err)
	}
}
