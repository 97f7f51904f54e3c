package ini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tniSeeds returns the seed corpus of FuzzParseTNI: the spec vectors
// wrapped in their sections, the §8 file vectors, and the TNI form of every
// real INI file (the shared files are skipped when absent).
func tniSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(""),
		[]byte("[A]\r\n   k=1\r\n[/A]\r\n"),
		[]byte("[A]\n  k='a' + \"b'\" +\n  c 0\n  [b]\n x\n [/b]\n  n=(2)1 2 +\n 3\n  h=(X) 0a FF\n[/A]\n\x1a"),
		[]byte("[$SYS]\r\n   Password=\r\n   ServerPort=3560\r\n[/$SYS]\r\n[B]\r\n[/B]\r\n"),
		[]byte("[A]\r\n   k=(16)340282366920938463463374607431768211455\r\n[/A]\r\n"),
		mustTNI(tb, Sample()),
	}
	if data, err := os.ReadFile(filepath.Join(specDir, "tni-vectors.json")); err == nil {
		var vs []tniVector
		if err := json.Unmarshal(data, &vs); err != nil {
			tb.Fatal(err)
		}
		for _, v := range vs {
			seeds = append(seeds, []byte(wrap(v.App, v.TNIExact)))
		}
	}
	if _, err := os.Stat(tniRealDir); err != nil {
		// without ../shared only the seeds above: tniRealBinaries would
		// skip the whole fuzz target, not just these seeds
		return seeds
	}
	for _, data := range tniRealBinaries(tb) {
		f, err := ParseBinary(data)
		if err != nil {
			continue
		}
		out, _, err := f.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true})
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, out)
	}
	return seeds
}

func mustTNI(tb testing.TB, f *File) []byte {
	out, err := f.MarshalTNI(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// FuzzParseTNI: ParseTNI never panics or hangs, gives what its general
// paths alone give (the same File or the same error), refusals are
// *FormatError values with a line, and what it accepts survives MarshalTNI
// + ParseTNI unchanged (names TNI cannot carry skipped).
func FuzzParseTNI(f *testing.F) {
	for _, s := range tniSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseTNI(data)
		slow, slowErr := parseTNI(data, true)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || (file == nil) != (slow == nil) || (file != nil && !file.Equal(slow)) {
			t.Fatalf("fast paths give %v, %v; general paths %v, %v", err, file != nil, slowErr, slow != nil)
		}
		if err != nil {
			fe, ok := err.(*FormatError)
			if !ok || fe.Line < 1 || fe.Offset != -1 || file != nil {
				t.Fatalf("bad refusal %#v, file %v", err, file)
			}
			return
		}
		out, rep, err := file.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true})
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseTNI(out)
		if err != nil {
			t.Fatalf("our output is refused: %v\n%q", err, out)
		}
		for _, a := range file.Apps {
			if skippedApp(rep.Skipped, a.Name) {
				continue
			}
			if !back.HasApplication(a.Name) {
				t.Fatalf("application %q lost", a.Name)
			}
			for _, e := range a.Entries {
				got, ok := back.Lookup(a.Name, e.Key)
				if !ok && skippedKey(rep.Skipped, a.Name, e.Key) {
					continue
				}
				if !ok || !bytes.Equal(got, e.Value) {
					t.Fatalf("%q/%q = %x, read back %x (%v)\n%q", a.Name, e.Key, e.Value, got, ok, out)
				}
			}
		}
		if len(back.Apps)+countAppsSkipped(rep.Skipped) != len(file.Apps) {
			t.Fatalf("%d applications, %d read back", len(file.Apps), len(back.Apps))
		}
	})
}

// FuzzUnmarshalTNI: UnmarshalTNI into a File whose memory holds another
// file (a generated one of 16 KiB, then the input itself) gives exactly what
// ParseTNI gives (the same File, or the same error with f left empty), its
// names and values capped at their length (appending to one cannot
// overwrite another), and the File it leaves reads the other file right
// again.
func FuzzUnmarshalTNI(f *testing.F) {
	for _, s := range tniSeeds(f) {
		f.Add(s)
	}
	prev := mustTNI(f, genTNIFile(16<<10))
	want, err := ParseTNI(prev)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, perr := ParseTNI(data)
		var file File
		for _, step := range []string{"the generated file", "the input", "the input again", "the generated file again"} {
			in, wantFile, wantErr := prev, want, error(nil)
			if !strings.HasPrefix(step, "the generated") {
				in, wantFile, wantErr = data, parsed, perr
			}
			err := file.UnmarshalTNI(in)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("%s: UnmarshalTNI gives %v, ParseTNI %v", step, err, wantErr)
			}
			if err != nil {
				if len(file.Apps) != 0 {
					t.Fatalf("%s: %d applications left after %v", step, len(file.Apps), err)
				}
				continue
			}
			if !file.Equal(wantFile) {
				t.Fatalf("%s: UnmarshalTNI and ParseTNI differ", step)
			}
			for _, a := range file.Apps {
				for _, e := range a.Entries {
					if cap(e.Key) != len(e.Key) || cap(e.Value) != len(e.Value) {
						t.Fatalf("%s: %q/%q: capacity %d, %d for lengths %d, %d", step, a.Name, e.Key, cap(e.Key), cap(e.Value), len(e.Key), len(e.Value))
					}
				}
				if cap(a.Name) != len(a.Name) || cap(a.Entries) != len(a.Entries) {
					t.Fatalf("%s: application %q: name or entries not capped at their length", step, a.Name)
				}
			}
		}
	})
}

// FuzzTNIRoundTrip: for any names, values and FMT codes (fields of the
// input split at 0xFF bytes, taken as application, key, value, code
// quadruples; a code that does not parse means none), MarshalTNI with
// SkipUnrepresentable writes something ParseTNI reads back to the same
// bytes, skipping exactly the names the writer reports. With TrustFormat
// the output still reads back, with the same applications.
func FuzzTNIRoundTrip(f *testing.F) {
	f.Add([]byte("A\xffk\xffhello world\xff"))
	f.Add([]byte("A\xffk\xff" + strings.Repeat("x", 60) + "[B]\xff'\xffA\xffs\xffa\x00b\x00\x00\xff\""))
	f.Add([]byte("A\xffk\xffit's \"x\"\x00\xff'0\xff/x\xff[k\xff\x01\x02\x03\x04\x05\xff(2)"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields := bytes.Split(data, []byte{0xFF})
		file := New()
		ff := &FormatFile{}
		for i := 0; i+3 < len(fields); i += 4 {
			file.put(fields[i], fields[i+1], fields[i+2])
			if c, err := parseFormatCode(fields[i+3]); err == nil {
				ff.Set(fields[i], fields[i+1], c)
			}
		}
		trusted, _, err := file.MarshalTNIWith(TNIOptions{Format: ff, SkipUnrepresentable: true, TrustFormat: true})
		if err != nil {
			t.Fatal(err)
		}
		out, rep, err := file.MarshalTNIWith(TNIOptions{Format: ff, SkipUnrepresentable: true})
		if err != nil {
			t.Fatal(err)
		}
		if tb, err := ParseTNI(trusted); err != nil || len(tb.Apps) != len(file.Apps)-countAppsSkipped(rep.Skipped) {
			t.Fatalf("TrustFormat output: %v\n%q", err, trusted)
		}
		back, err := ParseTNI(out)
		if err != nil {
			t.Fatalf("our output is refused: %v\n%q", err, out)
		}
		n := 0
		for _, a := range file.Apps {
			if skippedApp(rep.Skipped, a.Name) {
				continue
			}
			n++
			for _, e := range a.Entries {
				got, ok := back.Lookup(a.Name, e.Key)
				c, _ := ff.Code(a.Name, e.Key)
				left := skippedKey(rep.Skipped, a.Name, e.Key) || c.Kind == CodeOmit
				if ok == left || ok && !bytes.Equal(got, e.Value) {
					t.Fatalf("%q/%q = %x, read back %x (%v)\n%q", a.Name, e.Key, e.Value, got, ok, out)
				}
			}
		}
		if n != len(back.Apps) {
			t.Fatalf("%d applications written, %d read back", n, len(back.Apps))
		}
	})
}

func countAppsSkipped(list []NameIssue) int {
	n := 0
	for _, it := range list {
		if it.Key == nil {
			n++
		}
	}
	return n
}

// FuzzParseFormatFile: ParseFormatFile never panics or hangs; refusals
// carry a line; every code it accepts prints and parses back the same.
func FuzzParseFormatFile(f *testing.F) {
	f.Add([]byte("[$SYS]\r\n   Password='\r\n[/$SYS]\r\n"))
	f.Add([]byte("[A]\n k='0\n l=\"\n n=(2)\n w=()\n x=(X)\n o=*\n[/A]\n"))
	if paths, _ := filepath.Glob(filepath.Join(tniRealDir, "iniserve", "*.FMT")); len(paths) > 0 {
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ff, err := ParseFormatFile(data)
		if err != nil {
			if fe, ok := err.(*FormatError); !ok || fe.Line < 1 || ff != nil {
				t.Fatalf("bad refusal %#v", err)
			}
			return
		}
		for _, m := range ff.apps {
			for _, c := range m {
				back, err := parseFormatCode([]byte(c.String()))
				if err != nil || back != c {
					t.Fatalf("code %v prints as %q, parses back as %v, %v", c, c.String(), back, err)
				}
			}
		}
	})
}

// TestTNISeedsWithoutShared: the TNI fuzz seeds are built, and the test
// goes on, whether or not ../shared is present: a missing ../shared skips
// the real-file seeds only, never FuzzParseTNI itself.
func TestTNISeedsWithoutShared(t *testing.T) {
	var seeds [][]byte
	returned := false
	t.Run("seeds", func(t *testing.T) {
		seeds = tniSeeds(t)
		returned = true // not reached when tniSeeds skips
	})
	if !returned {
		t.Fatal("tniSeeds skipped the test: FuzzParseTNI would not run")
	}
	if len(seeds) < 6 {
		t.Fatalf("%d seeds, want at least the 6 built-in ones", len(seeds))
	}
	for _, s := range seeds[1:6] {
		if _, err := ParseTNI(s); err != nil {
			t.Errorf("built-in seed %q does not parse: %v", s, err)
		}
	}
}
