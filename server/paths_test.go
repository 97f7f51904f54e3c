package server

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMaskMatch(t *testing.T) {
	for _, tt := range []struct {
		mask, name string
		ok         bool
	}{
		{"*.INI", "weasel.ini", true}, {"*.INI", "weasel.tni", false}, {"w?asel.*", "WEASEL.INI", true},
		{"*", "x", true}, {"*.*", "noext", true}, {"a*b*c", "aXbYbc", true}, {"a*b*c", "aXbYbd", false},
		{"?", "", false}, {"*x", "x", true},
	} {
		if got := maskMatch(tt.mask, tt.name); got != tt.ok {
			t.Errorf("maskMatch(%q, %q) = %v", tt.mask, tt.name, got)
		}
	}
}

// TestPathEscapes tries to leave a volume with every command that takes a
// path: nothing outside may be read, listed, created, moved or deleted.
func TestPathEscapes(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	outside := filepath.Dir(vol) // the parent of the volume
	secret := filepath.Join(outside, "secret.INI")
	writeINI(t, secret, sampleFile())
	before, _ := os.ReadFile(secret)
	os.Mkdir(filepath.Join(vol, "sub"), 0o777)
	if err := os.Symlink(outside, filepath.Join(vol, "sub", "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(vol, "link.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(vol, "etc")); err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(vol)
	c := dial(t, ts.addr).login()
	c.expect(`CC:\sub`, "+")
	escapes := []string{`..\..\..\..`, `..\..\..\` + base, `\..\..`, `/../..`, `out`, `out\` + base, `C:\..\..\etc`, `..\..\..\etc\passwd`}
	for _, p := range escapes {
		c.expect("C"+p, "-*")
	}
	for _, p := range append(escapes, `..\..\secret.INI`, `\link.INI`, `out\secret.INI`, `/etc/passwd`, `\etc\passwd`, `C:\..\..\secret.INI`) {
		c.expect("F"+p, "-*")
		c.expect("M"+p+`\newdir`, "-*")
		c.expect("X"+p, "-*")
		c.expect("A"+p, "+")
		c.expect("Rstolen", "-*")
		c.expect("Astolen", "+")
		c.expect("R"+p, "-*")
	}
	// /etc/passwd is a path on the current drive: creating it stays inside
	c.expect(`C\`, "+")
	c.expect(`M/etc2`, "+")
	if _, err := os.Stat(filepath.Join(vol, "etc2")); err != nil {
		t.Errorf("M/etc2 did not create etc2 in the volume: %v", err)
	}
	// listings never show what is outside, nor links leading out
	for _, p := range []string{`..\..\..\`, `\`, `out\`, `sub\`, `..\..\*`} {
		c.send("L" + p)
		if c.line() != "+" {
			t.Fatal("L did not start with +")
		}
		for l := c.line(); l != ""; l = c.line() {
			if l == "link.INI" || l == "etc/" || l == "out/" || l == "secret.INI" || l == base+"/" {
				t.Errorf("L%s lists %q", p, l)
			}
		}
	}
	after, _ := os.ReadFile(secret)
	if string(after) != string(before) {
		t.Error("the file outside the volume changed")
	}
	if _, err := os.Stat(filepath.Join(outside, "newdir")); err == nil {
		t.Error("a directory was created outside the volume")
	}
}

// TestCaseInsensitive checks component lookup ignores case and creation
// keeps the client's case.
func TestCaseInsensitive(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	writeINI(t, filepath.Join(vol, "Servers", "Weasel", "WEASEL.INI"), sampleFile())
	c := dial(t, ts.addr).login()
	c.expect(`Cc:\servers\WEASEL`, "+")
	c.expect(`Fweasel.ini`, "+")
	c.expect(`A$SYS`, "+")
	c.expect(`KServerPort`, "+")
	c.expect(`W01000000`, "+")
	c.expect(`FNew.Ini`, "+")
	c.expect(`AApp`, "+")
	c.expect(`KKey`, "+")
	c.expect(`W00`, "+")
	c.expect(`MNewDir`, "+")
	ents, _ := os.ReadDir(filepath.Join(vol, "Servers", "Weasel"))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"New.Ini", "NewDir", "WEASEL.INI"}) {
		t.Errorf("directory holds %q", names)
	}
	if v, _ := readINI(t, filepath.Join(vol, "Servers", "Weasel", "WEASEL.INI")).Lookup([]byte("$SYS"), []byte("ServerPort")); string(v) != "\x01\x00\x00\x00" {
		t.Errorf("WEASEL.INI ServerPort = %X", v)
	}
}
