package ini

import (
	"fmt"
	"runtime"
	"testing"
)

// TestUnmarshalTNIReuse reads files of different sizes and shapes, an
// unsorted one with a repeated section, and a refused one, in turn into one
// File: each time it must hold what ParseTNI gives (or be empty with
// ParseTNI's error), whatever the memory it reused held before.
func TestUnmarshalTNIReuse(t *testing.T) {
	var inputs [][]byte
	for _, size := range []int{64 << 10, 1 << 20, 4 << 10} {
		inputs = append(inputs, mustTNI(t, genTNIFile(size)))
	}
	for shape := range tniShapes {
		inputs = append(inputs, mustTNI(t, genTNIShape(200<<10, shape)))
	}
	inputs = append(inputs,
		[]byte("[B]\n k=1\n[/B]\n[A]\n k='x'\n[/A]\n[B]\n j=(X)01 02 +\n 03\n[/B]\n[]\n"),
		[]byte("[B]\n k=1\n[/B]\n[A]\n k='x'\n[/A]\n[B]\n j=(X)01 02 +\n 03\n[/B]\n"),
		[]byte(""),
		mustTNI(t, genTNIFile(1<<20)),
	)
	var f File
	for i, in := range inputs {
		want, wantErr := ParseTNI(in)
		err := f.UnmarshalTNI(in)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("input %d: UnmarshalTNI: %v, ParseTNI: %v", i, err, wantErr)
		}
		if err != nil {
			if len(f.Apps) != 0 {
				t.Fatalf("input %d: %d applications left after an error", i, len(f.Apps))
			}
			continue
		}
		if !f.Equal(want) {
			t.Fatalf("input %d: UnmarshalTNI and ParseTNI differ", i)
		}
		if len(want.Apps) > 0 && f.tni == nil {
			t.Fatalf("input %d: no memory kept for the next read", i)
		}
	}
}

// TestUnmarshalTNIAllocates checks the reuse itself: reading a 1 MiB file
// again into the same File allocates under 1% of what ParseTNI allocates
// for it (the bookkeeping of its blocks only).
func TestUnmarshalTNIAllocates(t *testing.T) {
	data := mustTNI(t, genTNIFile(1<<20))
	allocated := func(read func() error) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 3 {
			if err := read(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / 3
	}
	fresh := allocated(func() error { _, err := ParseTNI(data); return err })
	var f File
	if err := f.UnmarshalTNI(data); err != nil {
		t.Fatal(err)
	}
	reused := allocated(func() error { return f.UnmarshalTNI(data) })
	if reused*100 > fresh {
		t.Fatalf("UnmarshalTNI into a File that read the file before allocates %d bytes, ParseTNI %d", reused, fresh)
	}
}

// TestUnmarshalTNIOtherFile: a File filled by ParseTNI or Put gives no
// memory to UnmarshalTNI (nothing it holds is overwritten), and a value
// taken from it stays intact.
func TestUnmarshalTNIOtherFile(t *testing.T) {
	f, err := ParseTNI([]byte("[A]\n k='abc'\n[/A]\n"))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Lookup([]byte("A"), []byte("k"))
	if err := f.UnmarshalTNI([]byte("[A]\n k='xyz'\n[/A]\n")); err != nil {
		t.Fatal(err)
	}
	if string(v) != "abc" {
		t.Fatalf("a value of the ParseTNI file became %q", v)
	}
	if got, _ := f.Lookup([]byte("A"), []byte("k")); string(got) != "xyz" {
		t.Fatalf("after UnmarshalTNI: %q", got)
	}
}
