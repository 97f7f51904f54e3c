package client

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

func TestCheckMode(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "f.ini", fileOf("a", "k1", "1", "a", "k2", "2", "b", "k", "3"))
	before, err := os.ReadFile(filepath.Join(ts.dir, "f.ini"))
	must(t, err)
	var wl wireLog
	s := ts.dial(t, Options{CheckMode: true, Logger: wl.logger()})
	if !s.CheckMode() {
		t.Fatal("CheckMode() = false")
	}
	f, err := s.Open(bg, "f.ini")
	must(t, err)

	must(t, f.Put(b("a"), b("k1"), b("x")))
	must(t, f.Put(b("c"), b("new"), b("n")))
	must(t, f.Delete(b("a"), b("k2")))
	must(t, f.DeleteApplication(b("b")))

	get := func(app, key, want string) {
		t.Helper()
		v, err := f.Get(b(app), b(key))
		if want == "" {
			if !errors.Is(err, ini.ErrNotFound) {
				t.Errorf("Get(%s, %s) = %q, %v; want not found", app, key, v, err)
			}
			return
		}
		if err != nil || string(v) != want {
			t.Errorf("Get(%s, %s) = %q, %v; want %q", app, key, v, err, want)
		}
	}
	get("a", "k1", "x")
	get("a", "k2", "")
	get("b", "k", "")
	get("c", "new", "n")
	if n, err := f.Size(b("a"), b("k1")); err != nil || n != 1 {
		t.Errorf("Size = %d, %v", n, err)
	}
	if _, err := f.Size(b("b"), b("k")); !errors.Is(err, ini.ErrNotFound) {
		t.Errorf("Size of a deleted key: %v", err)
	}
	keys, err := f.Keys(b("a"))
	if err != nil || !slices.Equal(strs(keys), []string{"k1"}) {
		t.Errorf("Keys(a) = %q, %v", strs(keys), err)
	}
	if _, err := f.Keys(b("b")); !errors.Is(err, ini.ErrNotFound) {
		t.Errorf("Keys of a deleted application: %v", err)
	}
	keys, err = f.Keys(b("c"))
	if err != nil || !slices.Equal(strs(keys), []string{"new"}) {
		t.Errorf("Keys(c) = %q, %v", strs(keys), err)
	}
	apps, err := f.Applications()
	if err != nil || !slices.Equal(strs(apps), []string{"a", "c"}) {
		t.Errorf("Applications = %q, %v", strs(apps), err)
	}
	want := fileOf("a", "k1", "x", "c", "new", "n")
	if g, err := s.Fetch(bg, "f.ini"); err != nil || !g.Equal(want) {
		t.Errorf("Fetch = %v, %v; want the simulated state", g, err)
	}
	// the last key of an application goes: the application goes too
	must(t, f.Delete(b("a"), b("k1")))
	apps, _ = f.Applications()
	if !slices.Equal(strs(apps), []string{"c"}) {
		t.Errorf("Applications after deleting the last key = %q", strs(apps))
	}

	// session commands are recorded only
	must(t, s.Mkdir(bg, "newdir"))
	must(t, s.Move(bg, "f.ini", "g.ini"))
	must(t, s.Remove(bg, "f.ini"))
	must(t, s.PostEvent(bg, `\SEM32\X`))
	must(t, s.Restart(bg))

	// a missing file is never selected or created
	wl.reset()
	n, err := s.Open(bg, "new.ini")
	must(t, err)
	must(t, n.Put(b("x"), b("y"), b("z")))
	get2, err := n.Get(b("x"), b("y"))
	if err != nil || string(get2) != "z" {
		t.Errorf("Get from a simulated new file = %q, %v", get2, err)
	}
	if apps, err := n.Applications(); err != nil || !slices.Equal(strs(apps), []string{"x"}) {
		t.Errorf("Applications of a simulated new file = %q, %v", strs(apps), err)
	}
	if g, err := s.Fetch(bg, "new.ini"); err != nil || !g.Equal(fileOf("x", "y", "z")) {
		t.Errorf("Fetch of a simulated new file = %v, %v", g, err)
	}
	if l := letters(wl.sent()); strings.Contains(l, "F") {
		t.Errorf("a missing file was selected: %q", wl.sent())
	}

	// an existing file in a subdirectory is found by L and read
	ts.writeFile(t, "sub/g.tni", fileOf("s", "k", "v"))
	wl.reset()
	g, err := s.Open(bg, `sub\g.tni`)
	must(t, err)
	get3, err := g.Get(b("s"), b("k"))
	if err != nil || string(get3) != "v" {
		t.Errorf("Get from sub\\g.tni = %q, %v", get3, err)
	}
	if l := letters(wl.sent()); !strings.Contains(l, "F") {
		t.Errorf("an existing file was not selected: %q", wl.sent())
	}

	// Push records only the changes
	local := fileOf("c", "new", "n", "d", "k", "v")
	must(t, s.Push(bg, "f.ini", local, PushOptions{Delete: true}))
	if g, err := s.Fetch(bg, "f.ini"); err != nil || !g.Equal(local) {
		t.Errorf("after a simulated Push: %v, %v", g, err)
	}

	for _, l := range wl.sent() {
		if strings.ContainsRune("WDMRXE^", rune(l[0])) {
			t.Errorf("check mode sent %q", l)
		}
	}
	after, err := os.ReadFile(filepath.Join(ts.dir, "f.ini"))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("check mode changed f.ini")
	}
	for _, p := range []string{"new.ini", "newdir", "g.ini"} {
		if _, err := os.Stat(filepath.Join(ts.dir, p)); !os.IsNotExist(err) {
			t.Errorf("check mode created %s", p)
		}
	}

	var got []string
	for _, r := range s.Recorded() {
		got = append(got, r.String())
	}
	wantRec := []string{
		"W f.ini [a] k1 = 78 (1 bytes)",
		"W f.ini [c] new = 6E (1 bytes)",
		"D f.ini [a] k2",
		"D f.ini [b]",
		"D f.ini [a] k1",
		"M newdir",
		"R f.ini -> g.ini",
		"X f.ini",
		`E \SEM32\X`,
		"^",
		"W new.ini [x] y = 7A (1 bytes)",
		"W f.ini [d] k = 76 (1 bytes)",
	}
	if !slices.Equal(got, wantRec) {
		t.Errorf("Recorded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRec, "\n"))
	}
	// the session is still usable after the recorded ^
	if _, err := s.List(bg, ""); err != nil {
		t.Errorf("List after a recorded Restart: %v", err)
	}
	// a normal session records nothing
	if r := ts.dial(t, Options{}).Recorded(); len(r) != 0 {
		t.Errorf("normal session recorded %v", r)
	}
}

func TestCheckModeTNIOrder(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "f.tni", fileOf("b", "k", "1"))
	s := ts.dial(t, Options{CheckMode: true})
	f, err := s.Open(bg, "f.tni")
	must(t, err)
	must(t, f.Put(b("a"), b("z"), b("1")))
	must(t, f.Put(b("a"), b("y"), b("1")))
	apps, _ := f.Applications()
	keys, _ := f.Keys(b("a"))
	if !slices.Equal(strs(apps), []string{"a", "b"}) || !slices.Equal(strs(keys), []string{"y", "z"}) {
		t.Errorf("simulated TNI order: %q %q", strs(apps), strs(keys))
	}
}

// TestCheckModeOnTheWire checks the dry run where it matters, at the
// server: every line a check-mode session sent is recorded as the server
// received it (not from the client's own trace), and none is W, D, M, R,
// X, E or ^, whichever method asked for a change, while reads still went
// to the host.
func TestCheckModeOnTheWire(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "f.ini", fileOf("a", "k1", "1", "a", "k2", "2", "b", "k", "3"))
	ts.writeFile(t, "big.tni", fileOf("a", "k", "v"))
	before := map[string][]byte{}
	for _, n := range []string{"f.ini", "big.tni"} {
		data, err := os.ReadFile(filepath.Join(ts.dir, n))
		must(t, err)
		before[n] = data
	}
	proxy := wiretest.StartProxy(t, ts.addr, 0)
	s, err := Dial(bg, proxy.Addr(), Options{Password: "secret", CheckMode: true, ChunkSize: 16})
	must(t, err)
	defer s.Close()
	must(t, s.Chdir(bg, `C:\`))

	f, err := s.Open(bg, "f.ini")
	must(t, err)
	must(t, f.Put(b("a"), b("k1"), b("x")))
	must(t, f.Put(b("new"), b("k"), pattern(100))) // over the chunk size
	must(t, f.Delete(b("a"), b("k2")))
	must(t, f.DeleteApplication(b("b")))
	if v, err := f.Get(b("a"), b("k1")); err != nil || string(v) != "x" {
		t.Errorf("Get after a simulated Put = %q, %v", v, err)
	}
	big, err := s.Open(bg, "big.tni")
	must(t, err)
	must(t, big.Put(b("a"), b("k"), pattern(1000)))
	n, err := s.Open(bg, "missing.ini")
	must(t, err)
	must(t, n.Put(b("x"), b("y"), b("z")))
	must(t, s.Push(bg, "f.ini", fileOf("p", "q", "r"), PushOptions{Delete: true}))
	must(t, s.Push(bg, "pushed.tni", fileOf("p", "q", "r"), PushOptions{}))
	must(t, s.Mkdir(bg, "dir"))
	must(t, s.Move(bg, "f.ini", "g.ini"))
	must(t, s.Remove(bg, "f.ini"))
	must(t, s.PostEvent(bg, `\SEM32\X`))
	must(t, s.Restart(bg))
	if _, err := s.Fetch(bg, "f.ini"); err != nil {
		t.Errorf("Fetch after a recorded Restart: %v", err)
	}
	must(t, s.Close())

	got := proxy.Received()
	reads := 0
	for _, l := range got {
		switch c := strings.ToUpper(l[:1]); {
		case strings.Contains("WDMRXE^", c):
			t.Errorf("the server received %q from a check-mode session", l)
		case c == "V" || c == "L":
			reads++
		}
	}
	if reads == 0 {
		t.Errorf("no reads reached the server: %q", got)
	}
	for name, data := range before {
		after, err := os.ReadFile(filepath.Join(ts.dir, name))
		if err != nil || !bytes.Equal(after, data) {
			t.Errorf("check mode changed %s (%v)", name, err)
		}
	}
	for _, p := range []string{"missing.ini", "pushed.tni", "dir", "g.ini"} {
		if _, err := os.Stat(filepath.Join(ts.dir, p)); !os.IsNotExist(err) {
			t.Errorf("check mode created %s", p)
		}
	}
	if len(s.Recorded()) < 10 {
		t.Errorf("recorded only %v", s.Recorded())
	}
}

// TestCheckModeMissingDirectory: a new file in a directory that does not
// exist is refused in check mode as F refuses it in a real run; a new file
// in an existing (empty) directory is fine in both.
func TestCheckModeMissingDirectory(t *testing.T) {
	ts := startServer(t, nil)
	must(t, os.Mkdir(filepath.Join(ts.dir, "empty"), 0o755))
	real := ts.dial(t, Options{})
	check := ts.dial(t, Options{CheckMode: true})
	for _, name := range []string{`nodir\x.ini`, `empty\nodir\x.ini`} {
		if _, err := real.Open(bg, name); err == nil {
			t.Fatalf("real Open(%s) succeeded", name)
		}
		_, err := check.Open(bg, name)
		mustErrIs(t, err, ErrNoDirectory)
		_, err = check.Fetch(bg, name)
		mustErrIs(t, err, ErrNoDirectory)
	}
	for _, name := range []string{`empty\new.ini`, `new.ini`, `C:\new.ini`, `\new.ini`} {
		if _, err := real.Open(bg, name); err != nil {
			t.Errorf("real Open(%s): %v", name, err)
		}
		f, err := check.Open(bg, name)
		if err != nil {
			t.Errorf("check Open(%s): %v", name, err)
			continue
		}
		must(t, f.Put(b("a"), b("k"), b("v")))
	}
}
