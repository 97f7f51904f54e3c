package iniconv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

func TestReplaceExt(t *testing.T) {
	tests := []struct{ in, ext, want string }{
		{"PROG.INI", ".TNI", "PROG.TNI"},
		{"prog.ini", ".TNI", "prog.tni"},
		{"Prog.Ini", ".TNI", "Prog.TNI"},
		{"dir.x/prog.ini", ".FMT", "dir.x/prog.fmt"},
		{"a.b.INI", ".TNI", "a.b.TNI"},
		{"data.123", ".TNI", "data.TNI"}, // no letters: not "all lower case"
		{"noext", ".TNI", "noext.TNI"},
	}
	for _, tt := range tests {
		if got := replaceExt(tt.in, tt.ext); got != tt.want {
			t.Errorf("replaceExt(%q, %q) = %q, want %q", tt.in, tt.ext, got, tt.want)
		}
	}
}

func TestFindFold(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"Prog.Ini", "prog.iNI", "EXACT.INI"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		in   string
		want string // "" = not found
	}{
		{"EXACT.INI", "EXACT.INI"},
		{"exact.ini", "EXACT.INI"},
		{"PROG.INI", "Prog.Ini"}, // first in name order
		{"prog.iNI", "prog.iNI"}, // an exact match wins
		{"none.INI", ""},
	}
	for _, tt := range tests {
		got, ok, err := findFold(filepath.Join(dir, tt.in))
		if err != nil {
			t.Fatalf("findFold(%q): %v", tt.in, err)
		}
		want := ""
		if tt.want != "" {
			want = filepath.Join(dir, tt.want)
		}
		if (ok && got != want) || (!ok && want != "") {
			t.Errorf("findFold(%q) = %q, %v; want %q", tt.in, got, ok, want)
		}
	}
	if _, ok, err := findFold(filepath.Join(dir, "nodir", "x.INI")); ok || err != nil {
		t.Errorf("findFold in a missing directory = %v, %v; want not found, no error", ok, err)
	}
}

// TestDumpiniInProcess runs a conversion without a child process (the test
// scripts cover the rest) so that coverage and the race detector see it.
func TestDumpiniInProcess(t *testing.T) {
	t.Chdir(t.TempDir())
	if status := Dumpini(nil, new(strings.Builder), new(strings.Builder)); status != ExitFailure {
		t.Errorf("empty directory: status %d, want %d", status, ExitFailure)
	}
	data, err := sampleINI()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("S.INI", data, 0o666); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if status := Dumpini(nil, &stdout, &stderr); status != ExitOK || stderr.Len() != 0 {
		t.Fatalf("dumpini: status %d, stderr %q", status, stderr.String())
	}
	if status := Loadini([]string{"-o", "T.INI", "S"}, &stdout, &stderr); status != ExitOK || stderr.Len() != 0 {
		t.Fatalf("loadini: status %d, stderr %q", status, stderr.String())
	}
	back, err := os.ReadFile("T.INI")
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(t, data, back) {
		t.Error("INI -> TNI -> INI changed the sample")
	}
}

func sampleINI() ([]byte, error) { return ini.Sample().MarshalBinary() }

func sameContent(t *testing.T, a, b []byte) bool {
	t.Helper()
	fa, err := ini.ParseBinary(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := ini.ParseBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	return fa.SameContent(fb)
}

// realDir holds the real-world INI files (skipped when absent). They are
// read from there and copied only into t.TempDir().
const realDir = "../../../../shared/testdata/real"

// TestRealFiles converts every real binary INI file to TNI and back with the
// commands. Files whose names TNI cannot carry must fail listing them, then
// convert with --skip-unrepresentable (status 3) leaving out exactly the
// names listed; everything else must come back byte for byte.
func TestRealFiles(t *testing.T) {
	if _, err := os.Stat(realDir); err != nil {
		t.Skipf("%s absent: %v", realDir, err)
	}
	var files []string
	contents := map[string][]byte{}
	err := filepath.WalkDir(realDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
			files = append(files, path)
			contents[path] = data
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no binary INI files found")
	}
	t.Chdir(t.TempDir())
	skipped := 0
	for _, path := range files {
		data := contents[path]
		orig, parseErr := ini.ParseBinary(data)
		for _, name := range []string{"IN.INI", "IN.TNI", "IN.TNI.BAK", "OUT.INI"} {
			os.Remove(name)
		}
		if err := os.WriteFile("IN.INI", data, 0o666); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr strings.Builder
		status := Dumpini([]string{"IN"}, &stdout, &stderr)
		if parseErr != nil {
			// a corrupt file: the reader's error, naming the file
			if status != ExitFailure || !strings.Contains(stderr.String(), "dumpini: IN.INI: offset ") {
				t.Errorf("%s (unreadable: %v): status %d, stderr %q", path, parseErr, status, stderr.String())
			}
			continue
		}
		if status == ExitFailure && strings.Contains(stderr.String(), "cannot be written as TNI") {
			skipped++
			if _, err := os.Stat("IN.TNI"); err == nil {
				t.Errorf("%s: IN.TNI written although dumpini failed", path)
			}
			stderr.Reset()
			status = Dumpini([]string{"--skip-unrepresentable", "IN"}, &stdout, &stderr)
			if status != ExitSkipped {
				t.Errorf("%s: --skip-unrepresentable: status %d, stderr %q", path, status, stderr.String())
				continue
			}
		} else if status != ExitOK {
			t.Errorf("%s: dumpini status %d, stderr %q", path, status, stderr.String())
			continue
		}
		msgs := stderr.String()
		stderr.Reset()
		if status := Loadini([]string{"-o", "OUT.INI", "IN.TNI"}, &stdout, &stderr); status != ExitOK {
			t.Errorf("%s: loadini status %d, stderr %q", path, status, stderr.String())
			continue
		}
		out, err := os.ReadFile("OUT.INI")
		if err != nil {
			t.Fatal(err)
		}
		back, err := ini.ParseBinary(out)
		if err != nil {
			t.Fatalf("%s: reading loadini's output: %v", path, err)
		}
		// every entry that came back is the original's; every one that did
		// not was listed as left out
		for _, a := range back.Apps {
			for _, e := range a.Entries {
				if v, ok := orig.Lookup(a.Name, e.Key); !ok || !bytes.Equal(v, e.Value) {
					t.Errorf("%s: [%q] %q came back changed", path, a.Name, e.Key)
				}
			}
		}
		for _, a := range orig.Apps {
			if len(a.Entries) == 0 && !back.HasApplication(a.Name) && !strings.Contains(msgs, fmt.Sprintf("%q", a.Name)) {
				t.Errorf("%s: empty application %q lost without a message", path, a.Name)
			}
			for _, e := range a.Entries {
				if _, ok := back.Lookup(a.Name, e.Key); ok {
					continue
				}
				// names quoted as the messages quote them (long ones cut)
				appMsg := "left out " + strings.TrimSuffix(ini.NameIssue{App: a.Name}.String(), " ")
				keyMsg := "left out " + strings.TrimSuffix(ini.NameIssue{App: a.Name, Key: e.Key}.String(), " ")
				if !strings.Contains(msgs, appMsg) && !strings.Contains(msgs, keyMsg) {
					t.Errorf("%s: [%q] %q lost without a message", path, a.Name, e.Key)
				}
			}
		}
	}
	t.Logf("%d real files, %d with names TNI cannot carry", len(files), skipped)
}
