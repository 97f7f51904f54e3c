package server

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// realDir holds the real OS/2 INI files (never copied into the
// repository).
var realDir = filepath.Join("..", "..", "shared", "testdata", "real")

// realFiles returns the paths (relative to realDir) of the real INI files,
// skipping the test when ../shared is absent.
func realFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(realDir); err != nil {
		t.Skipf("real files not available: %v", err)
	}
	var out []string
	filepath.WalkDir(realDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".ini") {
			rel, _ := filepath.Rel(realDir, p)
			out = append(out, rel)
		}
		return nil
	})
	if len(out) == 0 {
		t.Skip("no real INI files found")
	}
	return out
}

// addressable reports whether a name can be sent in an A or K command
// (CR LF ends the line; an empty name means "list").
func addressable(name []byte) bool {
	return len(name) > 0 && !bytes.ContainsAny(name, "\n") && !bytes.HasSuffix(name, []byte("\r"))
}

// os2Path turns a relative host path into an OS/2 path on drive C:.
func os2Path(rel string) string { return `C:\` + strings.ReplaceAll(rel, "/", `\`) }

// TestRealClientSequences replays the command sequences of the inied1
// client and the Setup programs (spec §12) against copies of the real
// files: P, C, F, list applications and keys, S before V for every value,
// then writes (change a value, add a key, delete a key, delete an
// application), R, M, X, E and Q. Afterwards every file still parses and
// every entry not written is byte-identical.
func TestRealClientSequences(t *testing.T) {
	files := realFiles(t)
	ts := startServer(t, func(s *Server) {
		s.Events = map[string]Event{`\SEM32\SETUP\UPDATED`: {Func: func(context.Context, string) error { return nil }}}
	})
	vol := ts.dirs['C']
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(realDir, rel))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(vol, rel)
		os.MkdirAll(filepath.Dir(dst), 0o777)
		if err := os.WriteFile(dst, data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	c := dial(t, ts.addr).login()
	parsed := 0
	for _, rel := range files {
		orig, _, perr := ini.ReadFile(filepath.Join(realDir, rel))
		dir, name := filepath.Split(rel)
		c.expect("C"+os2Path(dir), "+")
		if perr != nil {
			c.expect("F"+name, "-*") // a file we cannot read is refused
			continue
		}
		parsed++
		c.expect("F"+strings.ToUpper(name), "+")
		c.expect("A", "+")
		apps, _ := orig.Applications()
		c.expect("V", "+"+hexOf(ini.NameList(apps)))
		var first, last *ini.Application
		var firstKey, secondKey []byte
		for _, a := range orig.Apps {
			if !addressable(a.Name) {
				continue
			}
			c.expect("A"+string(a.Name), "+")
			c.expect("K", "+")
			keys, _ := orig.Keys(a.Name)
			c.expect("S", fmt.Sprintf("+%X", len(ini.NameList(keys))))
			c.expect("V", "+"+hexOf(ini.NameList(keys)))
			for _, e := range a.Entries {
				if !addressable(e.Key) {
					continue
				}
				c.expect("K"+string(e.Key), "+")
				c.expect("S", fmt.Sprintf("+%X", len(e.Value)))
				c.expect("V", "+"+hexOf(e.Value))
				if first == nil {
					first, firstKey = a, e.Key
				} else if a == first && secondKey == nil {
					secondKey = e.Key
				}
			}
			if a != first {
				last = a
			}
		}
		if first == nil {
			continue
		}
		// writes, as a Setup program saving its dialog does
		c.expect("A"+string(first.Name), "+")
		c.expect("K"+string(firstKey), "+")
		c.expect("W0102030400", "+")
		c.expect("KINILUA_NEW", "+")
		c.expect("W"+hexOf([]byte("new value\x00")), "+")
		if secondKey != nil {
			c.expect("K"+string(secondKey), "+")
			c.expect("D", "+")
		}
		if last != nil {
			c.expect("A"+string(last.Name), "+")
			c.expect("K", "+")
			c.expect("D", "+")
		}
		c.expect(`E\SEM32\SETUP\UPDATED`, "+")

		got, _, err := ini.ReadFile(filepath.Join(vol, rel))
		if err != nil {
			t.Fatalf("%s no longer parses after writes: %v", rel, err)
		}
		want := orig.Clone()
		want.Put(first.Name, firstKey, []byte{1, 2, 3, 4, 0})
		want.Put(first.Name, []byte("INILUA_NEW"), []byte("new value\x00"))
		if secondKey != nil {
			want.Delete(first.Name, secondKey)
		}
		if last != nil {
			want.DeleteApplication(last.Name)
		}
		if !got.Equal(want) {
			t.Errorf("%s: contents after the writes differ from the expected edit of the original", rel)
		}
	}
	if parsed == 0 {
		t.Fatal("no real file could be read")
	}
	// directory operations of the Setup programs
	c.expect(`CC:\`, "+")
	c.expect(`MSetupTest`, "+")
	c.expect(`A`+files[0], "+")
	c.expect(`RSetupTest`, "+")
	c.expect(`X`+`SetupTest\`+filepath.Base(files[0]), "+")
	c.expect(`XSetupTest`, "+")
	c.expect("Q", "+")
	t.Logf("%d real files, %d readable", len(files), parsed)
}
