package luaapi

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestSaveChangedOnDisk: two handles on one local file, under different
// spellings; the second save raises an error naming the path instead of
// discarding what the first saved, until force = true.
func TestSaveChangedOnDisk(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "SUB"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]*ini.File{"SUB/X.INI": mkfile(t, "A", "k", "0")})
	if err := os.Symlink(filepath.Join("SUB", "X.INI"), filepath.Join(dir, "LINK.INI")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "SUB", "X.INI")
	for _, second := range []string{"/SUB/X.INI", "/./SUB/X.INI", "/SUB/../SUB/X.INI", "/LINK.INI"} {
		t.Run(second, func(t *testing.T) {
			writeFiles(t, dir, map[string]*ini.File{"SUB/X.INI": mkfile(t, "A", "k", "0")})
			var out bytes.Buffer
			rt, err := New(context.Background(), Options{Stdout: &out})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			rt.SetGlobal("DIR", dir)
			rt.SetGlobal("SECOND", second)
			err = runCode(context.Background(), rt, `
				local a = ini.open(DIR .. "/SUB/X.INI")
				local b = ini.open(DIR .. SECOND)
				a.A.first = "1"
				a:save()
				a.A.again = "1"
				a:save()                        -- its own save is no conflict
				b.A.second = "2"
				local ok, err = pcall(b.save, b)
				print(ok, err)
				b:save{force = true}
			`, "=t")
			if err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if !strings.HasPrefix(got, "false\t") || !strings.Contains(got, "changed on disk") ||
				!strings.Contains(got, filepath.Base(second)) {
				t.Errorf("second save printed %q, want an error naming %s", got, second)
			}
			f := readINI(t, path)
			if v, _ := f.Lookup([]byte("A"), []byte("second")); string(v) != "2" {
				t.Errorf("force = true did not write: %v", f)
			}
			if _, ok := f.Lookup([]byte("A"), []byte("first")); ok {
				t.Errorf("force = true kept the other handle's key: %v", f)
			}
		})
	}
}

// TestSaveChangedOnDiskCases: a file created, removed or rewritten with the
// same size by someone else since ini.open; rewritten with the same bytes
// passes; the Go error wraps ErrChangedOnDisk.
func TestSaveChangedOnDiskCases(t *testing.T) {
	for _, c := range []struct {
		name, setup, meanwhile string
		conflict               bool
	}{
		{"created", ``, `local o = ini.new(); o.Z.z = "z"; o:save(P)`, true},
		{"removed", `ini.new():save(P)`, `os.remove(P)`, true},
		{"same size", `local o = ini.new(); o.A.k = "1"; o:save(P)`, `local o = ini.new(); o.A.k = "2"; o:save(P)`, true},
		{"same bytes", `local o = ini.new(); o.A.k = "1"; o:save(P)`, `local o = ini.new(); o.A.k = "1"; o:save(P)`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "X.INI")
			rt, err := New(context.Background(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			rt.SetGlobal("P", p)
			err = runCode(context.Background(), rt, c.setup+`
				local f = ini.open(P, {create = true})
				`+c.meanwhile+`
				f.A.mine = "m"
				f:save()`, "=t")
			if got := errors.Is(err, ErrChangedOnDisk); got != c.conflict {
				t.Fatalf("error %v; conflict %v, want %v", err, got, c.conflict)
			}
			if c.conflict && !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name %s", err, p)
			}
		})
	}
}

func readINI(t testing.TB, path string) *ini.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ini.Parse(path, data, ini.DetectFormat(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSaveKeepsNameAndFormat: after f:save() and a save to the file's own
// path in the other format, f:name() is the name as given and f:format()
// the format last written, so a plain f:save() keeps writing that format.
func TestSaveKeepsNameAndFormat(t *testing.T) {
	out, err := run(t, `
		local path = DIR .. "/./X.INI"
		local f = ini.new(); f.A.K = "1"; f:save(path)
		print(f:name() == path, f:format(), tostring(f):match("%(.*%)"))
		f:save() print(f:name() == path, f:format())
		f:save{format = "tni"} print(f:name() == path, f:format())
		f.A.K = "2"; f:save()
		local g = ini.open(path)
		print(g:format(), g.A.K, tostring(g):match("%(.*%)"))`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "true\tini\t(ini, 1 application)\n" +
		"true\tini\n" +
		"true\ttni\n" +
		"tni\t2\t(tni, 1 application)\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}
