package server

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestFormatByName: only a .TNI name (any case) is a TNI file; x.txt (TNI
// for the reference, whose test is the third-from-last letter) is binary.
func TestFormatByName(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	for _, name := range []string{"x.txt", "y.tni", "z.Tni", "w.INI", "v"} {
		for _, cmd := range []string{"F" + name, "Aa", "Kk", "W01"} {
			c.expect(cmd, "+")
		}
		data, err := os.ReadFile(filepath.Join(vol, name))
		if err != nil {
			t.Fatal(err)
		}
		binary := bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF})
		if wantTNI := strings.EqualFold(filepath.Ext(name), ".tni"); binary == wantTNI {
			t.Errorf("%s written as binary=%v: %q", name, binary, data)
		}
	}
}

// TestPartlyUnderstoodTNI: F of a TNI file the reader rejects (the
// reference would ignore or misplace part of it) fails, and nothing is
// written to it afterwards.
func TestPartlyUnderstoodTNI(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	bad := map[string]string{
		"outside.tni": "stray text\r\n[a]\r\nk=1\r\n[/a]\r\n",
		"noeq.tni":    "[a]\r\nk 1\r\n[/a]\r\n",
		"open.tni":    "[a]\r\nk=1\r\n",
		"dup.tni":     "[a]\r\nk=1\r\nk=2\r\n[/a]\r\n",
	}
	for name, text := range bad {
		os.WriteFile(filepath.Join(vol, name), []byte(text), 0o666)
	}
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	for name, text := range bad {
		c.expect("F"+name, "-*")
		for _, cmd := range []string{"Aa", "Kk", "W00", "V", "D"} {
			c.expect(cmd, map[bool]string{true: "+", false: "-*"}[cmd[0] == 'A' || cmd[0] == 'K'])
		}
		if data, _ := os.ReadFile(filepath.Join(vol, name)); string(data) != text {
			t.Errorf("%s was rewritten: %q", name, data)
		}
	}
}

// TestDeleteLastKeyRemovesApplication: an application left with no keys
// disappears, in both formats (§4 Deleting); D of the application removes
// it with its keys.
func TestDeleteLastKeyRemovesApplication(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	for _, name := range []string{"d.INI", "d.TNI"} {
		for _, cmd := range []string{"F" + name, "Aone", "Kk", "W01", "Atwo", "Kk1", "W01", "Kk2", "W02", "Aone", "Kk", "D"} {
			c.expect(cmd, "+")
		}
		c.expect("A", "+")
		c.expect("V", "+"+hexOf([]byte("two\x00\x00")))
		c.expect("Atwo", "+")
		c.expect("K", "+")
		c.expect("D", "+")
		c.expect("A", "+")
		c.expect("V", "+00")
		if f := readINI(t, filepath.Join(vol, name)); len(f.Apps) != 0 {
			t.Errorf("%s still holds %d applications", name, len(f.Apps))
		}
	}
}

// TestBinaryNameLimit: binary INI names are at most 65535 bytes with their
// NUL (§9): a W with a longer application or key name fails and changes
// nothing.
func TestBinaryNameLimit(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxLine = 1 << 20 })
	vol := ts.dirs['C']
	writeINI(t, filepath.Join(vol, "n.INI"), sampleFile())
	before, _ := os.ReadFile(filepath.Join(vol, "n.INI"))
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`Fn.INI`, "+")
	long := strings.Repeat("n", 65535)
	for _, names := range [][2]string{{long, "k"}, {"a", long}} {
		c.expect("A"+names[0], "+")
		c.expect("K"+names[1], "+")
		c.expect("W01", "-*")
	}
	if after, _ := os.ReadFile(filepath.Join(vol, "n.INI")); !bytes.Equal(before, after) {
		t.Error("n.INI changed")
	}
	c.expect("A"+long[:65534], "+")
	c.expect("Kk", "+")
	c.expect("W01", "+")
	c.expect("V", "+01")
}

// TestOddNamesRoundTrip: whatever bytes a client uses in names and values,
// a W either fails with '-' leaving the file as it was, or stores exactly
// what a fresh session reads back; names with NUL always fail (§3).
func TestOddNamesRoundTrip(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	names := []string{"x]y", "[x]", "x\ry", "a=b", " lead", "trail ", "\"q\"", "'0", "/x", "x+", "\x1a", "é\xff", "a;b", "\tt", "\x08b"}
	for _, file := range []string{"odd.TNI", "odd.INI"} {
		a := dial(t, ts.addr).login()
		a.expect(`CC:`, "+")
		a.expect("F"+file, "+")
		for i, n := range names {
			value := hexOf([]byte(n + "\r\n\x00" + n))
			for _, pair := range [][2]string{{n, "k"}, {"app", n}} {
				a.expect("A"+pair[0], "+")
				a.expect("K"+pair[1], "+")
				before, _ := os.ReadFile(filepath.Join(vol, file))
				got := a.do("W" + value)
				if got != "+" {
					if after, _ := os.ReadFile(filepath.Join(vol, file)); !bytes.Equal(before, after) {
						t.Errorf("%s %q: failed W changed the file", file, pair)
					}
					continue
				}
				b := dial(t, ts.addr).login()
				b.expect(`CC:`, "+")
				b.expect("F"+file, "+")
				b.expect("A"+pair[0], "+")
				b.expect("K"+pair[1], "+")
				if v := b.do("V"); v != "+"+value {
					t.Errorf("%s name %d %q: read back %.80q", file, i, pair, v)
				}
				b.expect("Q", "+")
			}
		}
		a.expect("Aa\x00b", "+")
		a.expect("Kk", "+")
		a.expect("W01", "-*")
		if f, _, err := ini.ReadFile(filepath.Join(vol, file)); err != nil {
			t.Errorf("%s no longer parses: %v", file, err)
		} else if f.HasApplication([]byte("a")) {
			t.Errorf("%s: a name with NUL was cut at the NUL", file)
		}
	}
}

// TestRenameCaseOnly: R to the same name in another case renames (as on
// HPFS and JFS); R to the same name in the same case fails as "exists".
func TestRenameCaseOnly(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	os.WriteFile(filepath.Join(vol, "file1"), []byte("x"), 0o666)
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`Afile1`, "+")
	c.expect(`Rfile1`, "-*")
	c.expect(`RFile1`, "+")
	c.expect(`L`, "+")
	for _, want := range []string{"../", "File1", ""} {
		if got := c.line(); got != want {
			t.Fatalf("listing line %q, want %q", got, want)
		}
	}
}

// TestDriveWithoutVolume: every path-taking command on a drive letter with
// no volume behind it fails (L lists nothing).
func TestDriveWithoutVolume(t *testing.T) {
	ts := startServer(t, nil)
	os.WriteFile(filepath.Join(ts.dirs['C'], "x"), []byte("x"), 0o666)
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CE:`, `CE:\`, `FE:\x.INI`, `ME:\d`, `XE:\x`, `CC:`} {
		c.expect(cmd, map[bool]string{true: "+", false: "-*"}[cmd == `CC:`])
	}
	c.expect(`Ax`, "+")
	c.expect(`RE:\y`, "-*")
	if _, err := os.Stat(filepath.Join(ts.dirs['C'], "x")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{`E:`, `E:\`, `E:\*`, `E:x`} {
		c.expect("L"+p, "+")
		if got := c.line(); got != "" {
			t.Fatalf("L%s lists %q", p, got)
		}
	}
}

// TestInvalidNewNames: F (then W), M and R refuse to create entries whose
// names OS/2 could not hold (wildcards, reserved characters, device names),
// while existing host files with such names stay usable.
func TestInvalidNewNames(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	os.WriteFile(filepath.Join(vol, "file1"), []byte("x"), 0o666)
	os.WriteFile(filepath.Join(vol, "odd?name.INI"), nil, 0o666) // made on the host
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	for _, name := range []string{`*.INI`, `a?b.INI`, `x|y.INI`, `CON`, `con.ini`, `COM1.INI`, `LPT9`, `CLOCK$`, "a\x01b"} {
		c.expect("F"+name, "-Invalid file name")
		c.expect("M"+name, "-Invalid directory name")
		c.expect("Afile1", "+")
		c.expect("R"+name, "-Invalid file name")
	}
	c.expect(`Fodd?name.INI`, "+") // exists: usable
	c.expect(`Fcom10.INI`, "+")    // not a device name
	c.expect(`Fconsole.INI`, "+")
	c.expect(`Mconsole`, "+")
	entries, _ := os.ReadDir(vol)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"console", "file1", "odd?name.INI"}; !slices.Equal(names, want) {
		t.Fatalf("volume holds %q, want %q", names, want)
	}
}

// TestTempFilesNotListed: the temporary file of a save interrupted by a
// crash (".NAME.<hex>.tmp") is not listed by L.
func TestTempFilesNotListed(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	os.WriteFile(filepath.Join(vol, "A.INI"), nil, 0o666)
	os.WriteFile(filepath.Join(vol, ".A.INI.0123456789abcdef.tmp"), []byte("half"), 0o666)
	os.WriteFile(filepath.Join(vol, ".hidden"), nil, 0o666)
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`L`, "+")
	for _, want := range []string{"../", ".hidden", "A.INI", ""} {
		if got := c.line(); got != want {
			t.Fatalf("listing line %q, want %q", got, want)
		}
	}
}
