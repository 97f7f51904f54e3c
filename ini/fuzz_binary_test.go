package ini

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseBinary feeds arbitrary bytes to ParseBinary. It must never panic
// or hang; a rejection must be a *FormatError (in strict mode too); what it
// accepts must be written by MarshalBinary in canonical form that reads back
// (in strict mode, unless it holds an empty name) as an equal model and
// rewrites identically. Seeds: the real files (when ../shared is present)
// and hand-built files.
//
//	go test -run=^$ -fuzz=FuzzParseBinary -fuzztime=60s ./ini
func FuzzParseBinary(f *testing.F) {
	files, _ := realBinaries(f)
	for _, rf := range files {
		f.Add(rf.Data)
	}
	f.Add([]byte{})
	f.Add(binWorkedExample())
	f.Add(binTwoApps(f))
	f.Add(binWorkedExample()[:20])
	scattered := func() []byte {
		var l binLayout
		l.header(301)
		l.at(21, []byte("Second\x00First\x00key\x00val")...)
		l.app(301, 200, 0, 7, 21)
		l.app(200, 0, 150, 6, 28)
		l.key(150, 97, 4, 34, 3, 38)
		l.key(97, 0, 3, 35, 0, 0)
		return l.fix()
	}
	f.Add(scattered())

	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		g, err := ParseBinary(data)
		if !bytes.Equal(data, orig) {
			t.Fatal("ParseBinary modified its input")
		}
		var fe *FormatError
		if err != nil {
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
			if _, serr := ParseBinaryOptions(data, BinaryOptions{Strict: true}); serr == nil {
				t.Fatalf("strict mode accepted what lenient mode rejected (%v)", err)
			}
			return
		}
		// the record bound: no record overlaps another
		keys := 0
		emptyName := false
		longName := false
		for _, a := range g.Apps {
			keys += len(a.Entries)
			emptyName = emptyName || len(a.Name) == 0
			longName = longName || len(a.Name) > MaxNameLen
			for _, e := range a.Entries {
				emptyName = emptyName || len(e.Key) == 0
				longName = longName || len(e.Key) > MaxNameLen
			}
		}
		if len(g.Apps)*binAppSize+keys*binKeySize > len(data) {
			t.Fatalf("%d applications and %d keys from %d bytes", len(g.Apps), keys, len(data))
		}
		if s, serr := ParseBinaryOptions(data, BinaryOptions{Strict: true}); serr == nil && !s.Equal(g) {
			t.Fatal("strict and lenient models differ")
		}

		out, err := g.MarshalBinary()
		if err != nil {
			// only a name field of 65535 bytes without NUL can give a
			// name the writer refuses
			if !longName || !errors.Is(err, ErrTooLong) {
				t.Fatalf("MarshalBinary: %v", err)
			}
			return
		}
		h, err := ParseBinaryOptions(out, BinaryOptions{Strict: !emptyName})
		if err != nil {
			t.Fatalf("reading the rewrite: %v", err)
		}
		if !h.Equal(g) {
			t.Fatal("rewrite reads back as a different model")
		}
		out2, err := h.MarshalBinary()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("second rewrite differs (%v)", err)
		}
	})
}
