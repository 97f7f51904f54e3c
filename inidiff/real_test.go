package inidiff

import (
	"bytes"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/inilua/inilua/ini"
)

// realDir holds the real OS/2 INI files (absent on machines without
// ../shared: the test skips then). Nothing from there is copied into the
// repository.
const realDir = "../../shared/testdata/real"

// nastyNames are the application and key names added by mutate: quotes,
// backslashes, control bytes, a control byte before a digit, DEL, code-page
// bytes and invalid UTF-8, a bracket and an equals sign.
var nastyNames = []string{
	`q"uote`, `back\slash\`, "ctl\x01\x1b[2J", "nl\r\n9", "\x7f\x80\xff\xfe", "caf\xe9]=x", "\x011",
}

// mutate returns a copy of f with keys changed, removed and added,
// applications renamed, removed and added, chosen by rng. Names the Lua API
// cannot address (empty names, as real files may hold) are left alone.
func mutate(f *ini.File, rng *rand.Rand) *ini.File {
	g := f.Clone()
	apps := [][]byte{}
	for _, a := range f.Apps {
		if len(a.Name) > 0 {
			apps = append(apps, a.Name)
		}
	}
	for i, name := range apps {
		a := g.Application(name)
		addressable := true
		for _, e := range a.Entries {
			addressable = addressable && len(e.Key) > 0
		}
		switch r := rng.IntN(6); {
		case r == 0 && addressable && len(a.Entries) > 0:
			// rename: same keys and values under a new name
			newName := append(bytes.Clone(name), nastyNames[i%len(nastyNames)]...)
			for _, e := range a.Entries {
				g.Put(newName, e.Key, e.Value)
			}
			g.DeleteApplication(name)
			continue
		case r == 1 && addressable && len(apps) > 1:
			g.DeleteApplication(name)
			continue
		}
		var keys [][]byte
		for _, e := range a.Entries {
			if len(e.Key) > 0 {
				keys = append(keys, e.Key)
			}
		}
		for _, k := range keys {
			v, _ := g.Lookup(name, k)
			switch rng.IntN(5) {
			case 0:
				g.Put(name, k, append(bytes.Clone(v), byte(rng.IntN(256))))
			case 1:
				if len(v) > 0 {
					w := bytes.Clone(v)
					w[rng.IntN(len(w))] ^= byte(1 + rng.IntN(255))
					g.Put(name, k, w)
				}
			case 2:
				g.Delete(name, k)
			}
		}
		if rng.IntN(3) == 0 {
			g.Put(name, []byte("added "+nastyNames[rng.IntN(len(nastyNames))]), []byte("v\x00"))
		}
	}
	app := []byte("new " + nastyNames[rng.IntN(len(nastyNames))])
	for i, v := range [][]byte{{0x2c, 1, 0, 0}, []byte("a\x00bc\x00\x00"), []byte("text\x00"), {}, {0, 1, 2, 3, 4, 5}, {7}, {1, 0}} {
		g.Put(app, []byte(nastyNames[i%len(nastyNames)]+string(rune('A'+i))), v)
	}
	return g
}

// TestRealFilesMigration is the property test of WriteLua: for every real
// binary INI file paired with a mutated copy, the generated script applied
// to the original gives exactly the mutated entries, and a second run
// reports no change and leaves the file's bytes as they were.
func TestRealFilesMigration(t *testing.T) {
	if _, err := os.Stat(realDir); err != nil {
		t.Skip("../shared/testdata/real is absent")
	}
	count := 0
	err := filepath.WalkDir(realDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
			return err
		}
		count++
		rel, _ := filepath.Rel(realDir, path)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) { checkMigration(t, data) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 100 {
		t.Errorf("only %d real binary INI files found", count)
	}
}

var changesLine = regexp.MustCompile(`: (\d+) changes\n$`)

func checkMigration(t *testing.T, data []byte) {
	orig, err := ini.ParseBinary(data)
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	h.Write(data)
	rng := rand.New(rand.NewPCG(h.Sum64(), 11))
	want := mutate(orig, rng)
	d := Compare(orig, want)
	if d.Empty() {
		t.Fatal("the mutation changed nothing")
	}
	path := filepath.Join(t.TempDir(), "FILE.INI")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script := generate(t, orig, want, path)
	out, err := runScript(t, script, "file="+path)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if m := changesLine.FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("first run printed %q", out)
	}
	got := readBack(t, path)
	if rest := Compare(got, want); !rest.Empty() {
		var b bytes.Buffer
		WriteText(&b, rest, "result", "wanted")
		t.Fatalf("result differs from the mutated copy:\n%s", b.String())
	}
	before, _ := os.ReadFile(path)
	out, err = runScript(t, script, "file="+path)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if m := changesLine.FindStringSubmatch(out); m == nil || m[1] != "0" {
		t.Errorf("second run printed %q, want 0 changes", out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("second run changed the file")
	}
}
