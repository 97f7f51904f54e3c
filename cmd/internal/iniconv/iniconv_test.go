package iniconv

import (
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
