package ini

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realDir is where the real-world files live, relative to the package
// directory (/work/main/ini -> /work/shared/testdata/real). Nothing from
// there is copied into the repository.
const realDir = "../../shared/testdata/real"

// realBinaryCount is the number of binary INI files under realDir
// (SOURCES.md: 103 binary INI files, 2 FMT files).
const realBinaryCount = 103

// realNonCanonical lists the real files that are not in the canonical
// layout of spec §2.6 (unused bytes, non-zero reserved header fields); all
// others must be rewritten byte for byte.
var realNonCanonical = map[string]bool{
	"asteroids/IPMD.INI":                  true,
	"real-world-programming/FOOTBALL.INI": true,
}

// realFile is one binary INI file from realDir.
type realFile struct {
	Name string // path relative to realDir, with forward slashes
	Data []byte
}

// realBinaries returns every binary INI file under realDir, detected by the
// FF FF FF FF signature whatever its name, in path order. ok is false when
// the directory is absent (tests then skip; fuzz targets use hand-built
// seeds). Other read errors fail tb.
func realBinaries(tb testing.TB) (files []realFile, ok bool) {
	tb.Helper()
	if _, err := os.Stat(realDir); err != nil {
		return nil, false
	}
	err := filepath.WalkDir(realDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(data, binSignature) {
			rel, _ := filepath.Rel(realDir, path)
			files = append(files, realFile{Name: filepath.ToSlash(rel), Data: data})
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files, true
}

// largestRealBinary returns the largest binary INI file under realDir; ok is
// false when the directory is absent.
func largestRealBinary(tb testing.TB) (realFile, bool) {
	files, ok := realBinaries(tb)
	if !ok || len(files) == 0 {
		return realFile{}, false
	}
	best := files[0]
	for _, f := range files[1:] {
		if len(f.Data) > len(best.Data) {
			best = f
		}
	}
	return best, true
}

// TestRealFilesBinary reads every real binary INI file, rewrites it and
// checks the canonical ones come back byte for byte and the others with the
// same content; strict mode must fail exactly where lenient mode warned.
func TestRealFilesBinary(t *testing.T) {
	files, ok := realBinaries(t)
	if !ok {
		t.Skip(realDir + " absent")
	}
	if len(files) != realBinaryCount {
		t.Errorf("found %d binary INI files, want %d", len(files), realBinaryCount)
	}
	rewritten, nonCanonical := 0, 0
	for _, rf := range files {
		var warns []string
		f, err := ParseBinaryOptions(rf.Data, BinaryOptions{Warn: func(e *FormatError) { warns = append(warns, e.Error()) }})
		if err != nil {
			t.Errorf("%s: %v", rf.Name, err)
			continue
		}
		if len(f.Apps) == 0 {
			t.Errorf("%s: no applications", rf.Name)
		}
		out, err := f.MarshalBinary()
		if err != nil {
			t.Errorf("%s: MarshalBinary: %v", rf.Name, err)
			continue
		}
		if bytes.Equal(out, rf.Data) {
			rewritten++
			if realNonCanonical[rf.Name] {
				t.Errorf("%s: listed as non-canonical but rewritten byte for byte", rf.Name)
			}
		} else {
			nonCanonical++
			if !realNonCanonical[rf.Name] {
				t.Errorf("%s: rewrite differs from the original (first difference at 0x%X)", rf.Name, firstDiff(out, rf.Data))
			}
			if len(out) >= len(rf.Data) {
				t.Errorf("%s: non-canonical rewrite is not smaller (%d >= %d bytes)", rf.Name, len(out), len(rf.Data))
			}
		}
		g, err := ParseBinary(out)
		if err != nil || !g.Equal(f) {
			t.Errorf("%s: rewrite reads back differently (%v)", rf.Name, err)
		}
		_, serr := ParseBinaryOptions(rf.Data, BinaryOptions{Strict: true})
		if (serr != nil) != (len(warns) > 0) {
			t.Errorf("%s: strict error %v but lenient warnings %q", rf.Name, serr, warns)
		}
	}
	if rewritten != realBinaryCount-len(realNonCanonical) || nonCanonical != len(realNonCanonical) {
		t.Errorf("%d files rewritten byte for byte, %d not; want %d and %d", rewritten, nonCanonical, realBinaryCount-len(realNonCanonical), len(realNonCanonical))
	}
}

// TestRealFilesFeatures checks what SOURCES.md says about particular files,
// so the reader is seen to get names and values right, not only to round
// trip.
func TestRealFilesFeatures(t *testing.T) {
	files, ok := realBinaries(t)
	if !ok {
		t.Skip(realDir + " absent")
	}
	byName := map[string]*File{}
	for _, rf := range files {
		f, err := ParseBinary(rf.Data)
		if err != nil {
			t.Fatalf("%s: %v", rf.Name, err)
		}
		byName[rf.Name] = f
	}
	get := func(name string) *File {
		t.Helper()
		f := byName[name]
		if f == nil {
			t.Fatalf("%s missing", name)
		}
		return f
	}
	count := func(f *File) (apps, keys int) {
		for _, a := range f.Apps {
			keys += len(a.Entries)
		}
		return len(f.Apps), keys
	}

	// cdplayer.ini: 43 apps / 495 keys, one application with an empty name
	f := get("cdplayer/cdplayer.ini")
	if a, k := count(f); a != 43 || k != 495 {
		t.Errorf("cdplayer.ini: %d apps / %d keys, want 43 / 495", a, k)
	}
	if !f.HasApplication([]byte{}) {
		t.Error("cdplayer.ini: the application with an empty name is missing")
	}
	// CFGDATA.INI: 197 apps / 309 keys
	if a, k := count(get("audio-data-cd-creator/source/drive_data/CFGDATA.INI")); a != 197 || k != 309 {
		t.Errorf("CFGDATA.INI: %d apps / %d keys, want 197 / 309", a, k)
	}
	// FTREE.INI: app names differing only by case are distinct
	f = get("family-tree/FTREE.INI")
	if !f.HasApplication([]byte("NEventS")) || !f.HasApplication([]byte("NEvents")) {
		t.Error("FTREE.INI: NEventS and NEvents are not both present")
	}
	// INI_DATEI: CP850 application name, kept as bytes
	f = get("keyring2/INI_DATEI")
	if len(f.Apps) != 1 || string(f.Apps[0].Name) != "Code_einf\x81gen" {
		t.Errorf("INI_DATEI: applications %q", appNames(f))
	}
	// kr2.inx: one zero-length value
	f = get("keyring2/kr2.inx")
	zero := 0
	for _, a := range f.Apps {
		for _, e := range a.Entries {
			if len(e.Value) == 0 {
				zero++
			}
		}
	}
	if zero != 1 {
		t.Errorf("kr2.inx: %d zero-length values, want 1", zero)
	}
	// OS_TOOLS.INI of _COMsuite: a key name with CR LF
	f = get("comscope/DIST/_COMsuite/OS_TOOLS.INI")
	crlf := false
	for _, a := range f.Apps {
		for _, e := range a.Entries {
			crlf = crlf || bytes.Contains(e.Key, []byte("\r\n"))
		}
	}
	if !crlf {
		t.Error("_COMsuite/OS_TOOLS.INI: no key name with CR LF")
	}
	// cfgdata.INI (installer): names with a leading space; SOURCES.md lists
	// the first four applications
	f = get("audio-data-cd-creator/source/installer_0_1_6/cfgdata.INI")
	want := []string{"jcdread2", " (driver) ricoh-mp6200", " (driver) plextor-scan", " (driver) plextor"}
	if got := appNames(f); len(got) != 127 || strings.Join(got[:4], "|") != strings.Join(want, "|") {
		t.Errorf("installer cfgdata.INI: %d applications starting %q, want 127 starting %q", len(got), got[:min(4, len(got))], want)
	}
}

func appNames(f *File) []string {
	var s []string
	for _, a := range f.Apps {
		s = append(s, string(a.Name))
	}
	return s
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
