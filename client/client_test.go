package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
	"github.com/inilua/inilua/server"
)

var bg = context.Background()

func b(s string) []byte { return []byte(s) }

func TestDialAndAuth(t *testing.T) {
	ts := startServer(t, nil)
	var wl wireLog
	s, err := Dial(bg, ts.addr, Options{Password: "secret", Logger: wl.logger()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() != ts.addr {
		t.Errorf("Addr = %q, want %q", s.Addr(), ts.addr)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.List(bg, ""); !errors.Is(err, ErrClosed) {
		t.Errorf("List after Close: %v, want ErrClosed", err)
	}
	if got := letters(wl.sent()); got != "PQ" {
		t.Errorf("sent %q, want PQ", got)
	}

	_, err = Dial(bg, ts.addr, Options{Password: "wrong-password", Logger: wl.logger()})
	mustErrIs(t, err, ErrAuth)
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Cmd != "P***" {
		t.Errorf("error %v: want *CommandError with Cmd P***", err)
	}
	for _, text := range []string{err.Error(), wl.text()} {
		if strings.Contains(text, "secret") || strings.Contains(text, "wrong-password") {
			t.Errorf("password leaked: %s", text)
		}
	}
	if !strings.Contains(wl.text(), "P***") {
		t.Errorf("trace does not show P***:\n%s", wl.text())
	}
}

func TestDialErrors(t *testing.T) {
	// greeting refused
	ts := startServer(t, func(s *server.Server) { s.MaxSessions = 1 })
	s1 := ts.dial(t, Options{})
	_, err := Dial(bg, ts.addr, Options{Password: "secret"})
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Cmd != "(greeting)" {
		t.Errorf("Dial over the session cap: %v; want a greeting CommandError", err)
	}
	s1.Close()

	// nothing listening
	if _, err := Dial(bg, "127.0.0.1:1", Options{}); err == nil {
		t.Error("Dial to a closed port succeeded")
	}
	if _, err := Dial(bg, ts.addr, Options{Password: "a\nb"}); err == nil {
		t.Error("password with LF accepted")
	}
	if _, err := Dial(bg, ts.addr, Options{ChunkSize: -1}); err == nil {
		t.Error("negative chunk size accepted")
	}
}

func TestWithPort(t *testing.T) {
	for in, want := range map[string]string{
		"host":          "host:3560",
		"host:99":       "host:99",
		"127.0.0.1":     "127.0.0.1:3560",
		"[::1]":         "[::1]:3560",
		"[::1]:7":       "[::1]:7",
		"::1":           "[::1]:3560",
		"os2.example:3": "os2.example:3",
	} {
		if got := withPort(in); got != want {
			t.Errorf("withPort(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDialRefusesHalfBrackets: "[::1" or "::1]" is refused before any
// dial, not read as [::1]:3560.
func TestDialRefusesHalfBrackets(t *testing.T) {
	for _, addr := range []string{"[::1", "::1]", "[::1:7", "host]:7"} {
		dialed := false
		_, err := Dial(context.Background(), addr, Options{DialContext: func(context.Context, string, string) (net.Conn, error) {
			dialed = true
			return nil, errors.New("dialled")
		}})
		if err == nil || dialed || !strings.Contains(err.Error(), addr+": not an address") {
			t.Errorf("Dial(%q): %v (dialled: %v)", addr, err, dialed)
		}
	}
}

func TestEmptyPasswordWarning(t *testing.T) {
	ts := startServer(t, func(s *server.Server) { empty := ""; s.Password = &empty })
	var wl wireLog
	s, err := Dial(bg, ts.addr, Options{Logger: wl.logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.Contains(wl.text(), "server accepts the empty password") {
		t.Errorf("no warning logged:\n%s", wl.text())
	}
}

func TestSessionCommands(t *testing.T) {
	var posted []string
	ts := startServer(t, func(s *server.Server) {
		s.Events = map[string]server.Event{`\SEM32\TEST`: {Func: func(_ context.Context, name string) error {
			posted = append(posted, name)
			return nil
		}}}
	})
	s := ts.dial(t, Options{})
	ctx := bg

	if err := s.Mkdir(ctx, "sub"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(ts.dir, "sub")); err != nil || !fi.IsDir() {
		t.Fatalf("Mkdir made nothing: %v", err)
	}
	var ce *CommandError
	if err := s.Mkdir(ctx, "sub"); !errors.As(err, &ce) || ce.Cmd != "Msub" {
		t.Errorf("Mkdir of an existing directory: %v", err)
	}
	ts.writeFile(t, "a.ini", fileOf("app", "k", "v"))
	ts.writeFile(t, "sub/b.tni", fileOf("app", "k", "v"))

	names, err := s.List(ctx, "")
	if err != nil || !slices.Equal(names, []string{"a.ini", "sub/"}) {
		t.Errorf("List = %q, %v", names, err)
	}
	names, err = s.List(ctx, "*.INI")
	if err != nil || !slices.Equal(names, []string{"a.ini"}) {
		t.Errorf("List *.INI = %q, %v", names, err)
	}
	names, err = s.List(ctx, `nosuchdir\`)
	if err != nil || len(names) != 0 {
		t.Errorf("List of a missing directory = %q, %v", names, err)
	}

	if err := s.Chdir(ctx, "sub"); err != nil {
		t.Fatal(err)
	}
	names, err = s.List(ctx, "")
	if err != nil || !slices.Equal(names, []string{"b.tni"}) {
		t.Errorf("List in sub = %q, %v", names, err)
	}
	if err := s.Chdir(ctx, "nosuch"); !errors.As(err, &ce) || ce.Cmd != "Cnosuch" {
		t.Errorf("Chdir to a missing directory: %v", err)
	}
	if err := s.Chdir(ctx, ".."); err != nil {
		t.Fatal(err)
	}

	if err := s.Move(ctx, "a.ini", `sub\c.ini`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ts.dir, "sub", "c.ini")); err != nil {
		t.Errorf("Move: %v", err)
	}
	if err := s.Move(ctx, "a.ini", "d.ini"); !errors.As(err, &ce) || ce.Cmd != "Rd.ini" {
		t.Errorf("Move of a missing file: %v", err)
	}
	if err := s.Remove(ctx, `sub\c.ini`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ts.dir, "sub", "c.ini")); !os.IsNotExist(err) {
		t.Errorf("Remove left the file: %v", err)
	}
	if err := s.Remove(ctx, "sub"); !errors.As(err, &ce) {
		t.Errorf("Remove of a non-empty directory: %v", err)
	}

	if err := s.PostEvent(ctx, `\sem32\test`); err != nil || len(posted) != 1 {
		t.Errorf("PostEvent: %v, posted %q", err, posted)
	}
	if err := s.PostEvent(ctx, `\SEM32\NOSUCH`); !errors.As(err, &ce) {
		t.Errorf("PostEvent of an unknown name: %v", err)
	}
	if err := s.Chdir(ctx, "a\nb"); err == nil {
		t.Error("Chdir with LF accepted")
	}

	if err := s.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if err := s.Chdir(ctx, `C:\`); !errors.Is(err, ErrClosed) {
		t.Errorf("after Restart: %v, want ErrClosed", err)
	}
}

func fileOf(kv ...string) *ini.File {
	f := ini.New()
	for i := 0; i+2 < len(kv)+1; i += 3 {
		f.Put(b(kv[i]), b(kv[i+1]), b(kv[i+2]))
	}
	return f
}

func TestRemoteFile(t *testing.T) {
	for _, name := range []string{"test.ini", "test.tni"} {
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, nil)
			s := ts.dial(t, Options{})
			f, err := s.Open(bg, name)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name() != name || f.Session() != s {
				t.Errorf("Name %q", f.Name())
			}
			apps, err := f.Applications()
			if err != nil || len(apps) != 0 {
				t.Fatalf("Applications of a new file = %q, %v", apps, err)
			}
			if _, err := os.Stat(filepath.Join(ts.dir, name)); !os.IsNotExist(err) {
				t.Fatalf("Open of a missing file created it")
			}
			mustErrIs(t, errOf(f.Get(b("x"), b("y"))), ini.ErrNotFound)
			mustErrIs(t, errOf(f.Keys(b("x"))), ini.ErrNotFound)
			_, err = f.Size(b("x"), b("y"))
			mustErrIs(t, err, ini.ErrNotFound)
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Errorf("Size of a missing key: %v, want a *CommandError", err)
			}

			must(t, f.Put(b("Zeta"), b("one"), b("1")))
			must(t, f.Put(b("Alpha"), b("two"), b("22")))
			must(t, f.Put(b("Alpha"), b("empty"), nil))
			must(t, f.Put(b("Alpha"), b("two"), b("222")))
			v, err := f.Get(b("Alpha"), b("two"))
			if err != nil || string(v) != "222" {
				t.Errorf("Get = %q, %v", v, err)
			}
			v, err = f.Get(b("Alpha"), b("empty"))
			if err != nil || v == nil || len(v) != 0 {
				t.Errorf("Get of an empty value = %#v, %v", v, err)
			}
			n, err := f.Size(b("Alpha"), b("two"))
			if err != nil || n != 3 {
				t.Errorf("Size = %d, %v", n, err)
			}
			// the server's order: file order, sorted for a TNI file
			apps, _ = f.Applications()
			want := []string{"Zeta", "Alpha"}
			if got := strs(apps); !sameNames(got, want, name) {
				t.Errorf("Applications = %q, want %q", got, want)
			}
			keys, err := f.Keys(b("Alpha"))
			want = []string{"two", "empty"}
			if err != nil || !sameNames(strs(keys), want, name) {
				t.Errorf("Keys = %q, %v; want %q", strs(keys), err, want)
			}
			disk := ts.readFile(t, name)
			if v, ok := disk.Lookup(b("Alpha"), b("two")); !ok || string(v) != "222" {
				t.Errorf("on disk: %q %v", v, ok)
			}

			// names as ini.File treats them
			mustErrIs(t, f.Put(nil, b("k"), b("v")), ini.ErrInvalidName)
			mustErrIs(t, f.Put(b("a"), nil, b("v")), ini.ErrInvalidName)
			mustErrIs(t, f.Put(b("a"), b("k\x00"), b("v")), ini.ErrInvalidName)
			mustErrIs(t, f.Put(b("a\nb"), b("k"), b("v")), ini.ErrInvalidName)
			mustErrIs(t, errOf(f.Get(nil, b("k"))), ini.ErrNotFound)
			mustErrIs(t, errOf(f.Get(b("Alpha"), nil)), ini.ErrNotFound)
			mustErrIs(t, errOf(f.Keys(nil)), ini.ErrNotFound)
			mustErrIs(t, errOf(f.Get(b("Alpha\x00"), b("two"))), ini.ErrNotFound)
			must(t, f.Delete(b("Alpha"), b("two\x00")))
			must(t, f.Delete(b("Alpha"), nil)) // must not delete the application
			must(t, f.Delete(nil, nil))
			must(t, f.DeleteApplication(nil))
			if n, _ := f.Keys(b("Alpha")); len(n) != 2 {
				t.Fatalf("Delete with an empty key changed the application: %q", strs(n))
			}

			must(t, f.Delete(b("Alpha"), b("two")))
			must(t, f.Delete(b("Alpha"), b("two"))) // missing: not an error
			mustErrIs(t, errOf(f.Get(b("Alpha"), b("two"))), ini.ErrNotFound)
			must(t, f.DeleteApplication(b("Alpha")))
			must(t, f.DeleteApplication(b("NoSuch")))
			apps, _ = f.Applications()
			if got := strs(apps); !slices.Equal(got, []string{"Zeta"}) {
				t.Errorf("after deletes: %q", got)
			}
			if !ts.readFile(t, name).Equal(fileOf("Zeta", "one", "1")) {
				t.Errorf("on disk after deletes: %v", ts.readFile(t, name))
			}

			// WithContext: a cancelled context sends nothing, the session stays usable
			ctx, cancel := context.WithCancel(bg)
			cancel()
			mustErrIs(t, errOf(f.WithContext(ctx).Get(b("Zeta"), b("one"))), context.Canceled)
			if v, err := f.Get(b("Zeta"), b("one")); err != nil || string(v) != "1" {
				t.Errorf("after a cancelled call: %q, %v", v, err)
			}
		})
	}
}

func TestOpenRefused(t *testing.T) {
	ts := startServer(t, nil)
	if err := os.WriteFile(filepath.Join(ts.dir, "bad.ini"), []byte("not an ini file"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := ts.dial(t, Options{})
	_, err := s.Open(bg, "bad.ini")
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Cmd != "Fbad.ini" {
		t.Fatalf("Open of a corrupt file: %v", err)
	}
	if _, err := s.Open(bg, `nodir\x.ini`); !errors.As(err, &ce) {
		t.Errorf("Open in a missing directory: %v", err)
	}
	if _, err := s.Open(bg, ""); err == nil {
		t.Error("Open of an empty name succeeded")
	}
	if _, err := s.Fetch(bg, "bad.ini"); !errors.As(err, &ce) || ce.Cmd != "Fbad.ini" {
		t.Errorf("Fetch of a corrupt file: %v", err)
	}

	// a file that goes bad after Open: every method reports the refusal
	ts.writeFile(t, "good.ini", fileOf("a", "k", "v"))
	f, err := s.Open(bg, "good.ini")
	must(t, err)
	if err := os.WriteFile(filepath.Join(ts.dir, "good.ini"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"Applications":      errOf(f.Applications()),
		"Keys":              errOf(f.Keys(b("a"))),
		"Get":               errOf(f.Get(b("a"), b("k"))),
		"Size":              errOf(f.Size(b("a"), b("k"))),
		"Put":               f.Put(b("a"), b("k"), b("w")),
		"Delete":            f.Delete(b("a"), b("k")),
		"DeleteApplication": f.DeleteApplication(b("a")),
	} {
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "good.ini") {
			t.Errorf("%s on a corrupted file: %v", what, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(ts.dir, "good.ini")); string(data) != "garbage" {
		t.Errorf("the corrupted file was rewritten: %q", data)
	}
}

func TestChdirKeepsOpenFile(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "one/f.ini", fileOf("a", "k", "one"))
	ts.writeFile(t, "two/f.ini", fileOf("a", "k", "two"))
	var wl wireLog
	s := ts.dial(t, Options{Logger: wl.logger()})
	must(t, s.Chdir(bg, "one"))
	f1, err := s.Open(bg, "f.ini")
	must(t, err)
	must(t, s.Chdir(bg, `..\two`))
	if got := s.AbsPath("f.ini"); got != `C:\two\f.ini` {
		t.Errorf("AbsPath = %q", got)
	}
	f2, err := s.Open(bg, "f.ini")
	must(t, err)
	wl.reset()
	for i := 0; i < 2; i++ {
		for _, c := range []struct {
			f    *RemoteFile
			want string
		}{{f1, "one"}, {f2, "two"}} {
			v, err := c.f.Get(b("a"), b("k"))
			if err != nil || string(v) != c.want {
				t.Errorf("Get = %q, %v; want %q", v, err, c.want)
			}
		}
	}
	sent := strings.Join(wl.sent(), " ")
	if !strings.Contains(sent, `FC:\one\f.ini`) {
		t.Errorf("f1 not reselected by its absolute path: %s", sent)
	}
	// Fetch by a relative name goes to the current directory
	g, err := s.Fetch(bg, "f.ini")
	if err != nil || !g.Equal(fileOf("a", "k", "two")) {
		t.Errorf("Fetch = %v, %v", g, err)
	}
}

// sameNames compares name lists: want is in file order, which a TNI file
// keeps sorted by bytes (spec §4 "Order of names").
func sameNames(got, want []string, file string) bool {
	if strings.HasSuffix(file, ".tni") {
		want = slices.Sorted(slices.Values(want))
	}
	return slices.Equal(got, want)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func errOf[T any](_ T, err error) error { return err }

func strs(names [][]byte) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}

func TestChunkedValues(t *testing.T) {
	ts := startServer(t, nil)
	var wl wireLog
	other := ts.dial(t, Options{ChunkSize: 4096}) // reads with another chunk size
	const C = DefaultChunkSize
	for _, tc := range []struct {
		chunk int
		sizes []int
	}{
		{C, []int{0, 1, C - 1, C, C + 1, 1 << 20}},
		{1000, []int{0, 1, 999, 1000, 1001, 3007}},
	} {
		s := ts.dial(t, Options{ChunkSize: tc.chunk, Logger: wl.logger()})
		for _, name := range []string{fmt.Sprintf("big%d.tni", tc.chunk), fmt.Sprintf("big%d.ini", tc.chunk)} {
			f, err := s.Open(bg, name)
			must(t, err)
			f2, err := other.Open(bg, name)
			must(t, err)
			for _, n := range append(tc.sizes, 65535) {
				if strings.HasSuffix(name, ".ini") && n > 65535 {
					continue
				}
				val := pattern(n)
				key := b(fmt.Sprintf("k%d", n))
				wl.reset()
				must(t, f.Put(b("app"), key, val))
				wantW := max(1, (n+tc.chunk-1)/tc.chunk)
				if got := strings.Count(letters(wl.sent()), "W"); got != wantW {
					t.Errorf("%s: Put of %d bytes sent %d W, want %d", name, n, got, wantW)
				}
				wl.reset()
				got, err := f.Get(b("app"), key)
				if err != nil || !bytes.Equal(got, val) {
					t.Fatalf("%s: Get of %d bytes: %d bytes, %v", name, n, len(got), err)
				}
				wantV := 1 // the first chunk; a full one is followed by S and the second
				if n >= tc.chunk {
					// every chunk, and the first again before and after the
					// others of each window, to check for a change: the
					// second chunk's window, then one for the rest
					chunks := max(2, (n+tc.chunk-1)/tc.chunk)
					wantV = chunks + 2
					if chunks > 2 {
						wantV += 2
					}
					// then the whole value once more in one window,
					// the first chunk before and after the others, to
					// confirm it
					wantV += chunks + 1
				}
				if got, want := strings.Count(letters(wl.sent()), "V"), wantV; got != want {
					t.Errorf("%s: Get of %d bytes sent %d V, want %d", name, n, got, want)
				}
				if v, ok := ts.readFile(t, name).Lookup(b("app"), key); !ok || !bytes.Equal(v, val) {
					t.Fatalf("%s: on disk %d bytes differ", name, n)
				}
				if got, err := f2.Get(b("app"), key); err != nil || !bytes.Equal(got, val) {
					t.Fatalf("%s: Get (chunk 4096) of %d bytes: %d, %v", name, n, len(got), err)
				}
			}
			// overwrite a long value with a short one: no old tail may stay
			must(t, f.Put(b("app"), b("k65535"), b("x")))
			if got, _ := f2.Get(b("app"), b("k65535")); string(got) != "x" {
				t.Fatalf("%s: after shrinking: %d bytes", name, len(got))
			}
			must(t, f.Put(b("app"), b("k65535"), pattern(65535)))
			// Fetch reads the long values too
			g, err := s.Fetch(bg, name)
			must(t, err)
			if !g.SameContent(ts.readFile(t, name)) {
				t.Errorf("%s: Fetch differs from the file on disk", name)
			}
		}
	}
	s := ts.dial(t, Options{Logger: wl.logger()})

	// too large for a binary INI file: refused before anything is sent
	f, err := s.Open(bg, "limit.ini")
	must(t, err)
	wl.reset()
	err = f.Put(b("app"), b("key"), make([]byte, 65536))
	mustErrIs(t, err, ErrValueTooLarge)
	if sent := wl.sent(); len(sent) != 0 {
		t.Errorf("sent %q for a refused value", sent)
	}
	if _, err := os.Stat(filepath.Join(ts.dir, "limit.ini")); !os.IsNotExist(err) {
		t.Errorf("refused Put created the file")
	}
	err = s.Push(bg, "limit.ini", fileOf("a", "k", string(make([]byte, 70000))), PushOptions{})
	mustErrIs(t, err, ErrValueTooLarge)
	if sent := wl.sent(); len(sent) != 0 {
		t.Errorf("sent %q for a refused Push", sent)
	}
}

// pattern returns n bytes that differ at every chunk boundary.
func pattern(n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(i*7 + i/251)
	}
	return v
}

func TestFetchAndPush(t *testing.T) {
	ts := startServer(t, nil)
	src := ini.New()
	for a := 0; a < 5; a++ {
		for k := 0; k < 40; k++ {
			src.Put(b(fmt.Sprintf("app%d", a)), b(fmt.Sprintf("key%02d", k)), b(fmt.Sprintf("value %d/%d", a, k)))
		}
	}
	ts.writeFile(t, "f.ini", src)
	var wl wireLog
	s := ts.dial(t, Options{Logger: wl.logger()})
	got, err := s.Fetch(bg, "f.ini")
	if err != nil || !got.Equal(src) {
		t.Fatalf("Fetch: %v (equal %v)", err, got != nil && got.Equal(src))
	}
	missing, err := s.Fetch(bg, "missing.ini")
	if err != nil || len(missing.Apps) != 0 {
		t.Errorf("Fetch of a missing file = %v, %v", missing, err)
	}

	// Push: change 2 values, add 1 key and 1 application
	local := src.Clone()
	local.Put(b("app1"), b("key03"), b("changed"))
	local.Put(b("app4"), b("key39"), b("changed too"))
	local.Put(b("app2"), b("new"), b("n"))
	local.Put(b("appX"), b("k"), nil)
	local.DeleteApplication(b("app3"))
	local.Delete(b("app0"), b("key00"))
	wl.reset()
	must(t, s.Push(bg, "f.ini", local, PushOptions{}))
	if n := strings.Count(letters(wl.sent()), "W"); n != 4 {
		t.Errorf("Push sent %d W, want 4: %q", n, wl.sent())
	}
	if n := strings.Count(letters(wl.sent()), "D"); n != 0 {
		t.Errorf("Push without Delete sent D")
	}
	disk := ts.readFile(t, "f.ini")
	if v, _ := disk.Lookup(b("app3"), b("key00")); string(v) != "value 3/0" {
		t.Errorf("Push without Delete removed data")
	}
	wl.reset()
	must(t, s.Push(bg, "f.ini", local, PushOptions{Delete: true}))
	if got := letters(wl.sent()); strings.Count(got, "W") != 0 || strings.Count(got, "D") != 2 {
		t.Errorf("Push with Delete sent %q", wl.sent())
	}
	if disk := ts.readFile(t, "f.ini"); !disk.SameContent(local) {
		t.Errorf("after Push the remote file differs")
	}
	wl.reset()
	must(t, s.Push(bg, "f.ini", local, PushOptions{Delete: true}))
	if got := letters(wl.sent()); strings.ContainsAny(got, "WD") {
		t.Errorf("Push of an equal file sent %q", wl.sent())
	}

	// Push creates a missing file, TNI chosen by name
	must(t, s.Push(bg, `sub2.tni`, local, PushOptions{}))
	if disk := ts.readFile(t, "sub2.tni"); !disk.SameContent(local) {
		t.Errorf("pushed TNI file differs")
	}
	// invalid names are refused before anything is sent
	bad := ini.New()
	bad.Apps = append(bad.Apps, &ini.Application{Name: b("a"), Entries: []ini.Entry{{Key: b("x\ny"), Value: b("v")}}})
	wl.reset()
	mustErrIs(t, s.Push(bg, "f.ini", bad, PushOptions{}), ini.ErrInvalidName)
	if len(wl.sent()) != 0 {
		t.Errorf("sent %q for a refused Push", wl.sent())
	}
}

func TestPushRefusedWrite(t *testing.T) {
	ts := startServer(t, func(s *server.Server) { s.ReadOnly = true })
	s := ts.dial(t, Options{})
	err := s.Push(bg, "f.ini", fileOf("a", "k", "v"), PushOptions{})
	var ce *CommandError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Cmd, "W") || !strings.Contains(err.Error(), `application "a" key "k"`) {
		t.Errorf("Push to a read-only server: %v", err)
	}
}

// TestConcurrentUse: calls from several goroutines on one session are
// serialised; each still gets its own file's values.
func TestConcurrentUse(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "one.ini", fileOf("a", "k", "one"))
	ts.writeFile(t, "two.tni", fileOf("a", "k", "two"))
	s := ts.dial(t, Options{})
	f1, err := s.Open(bg, "one.ini")
	must(t, err)
	f2, err := s.Open(bg, "two.tni")
	must(t, err)
	errc := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			f, want := f1, "one"
			if g%2 == 1 {
				f, want = f2, "two"
			}
			for i := 0; i < 50; i++ {
				v, err := f.Get(b("a"), b("k"))
				if err != nil || string(v) != want {
					errc <- fmt.Errorf("Get = %q, %v; want %q", v, err, want)
					return
				}
			}
			errc <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}

// TestDialTimeoutNamesLimit: a server that accepts but never replies (to
// the greeting or to P) makes Dial fail after DialTimeout with one clause
// naming the address once and the limit, still wrapping
// context.DeadlineExceeded and ErrConnectionLost, not a bare "context
// deadline exceeded".
func TestDialTimeoutNamesLimit(t *testing.T) {
	for _, greet := range []bool{false, true} {
		addr := silentServer(t, greet)
		_, err := Dial(bg, addr, Options{Password: "pw", DialTimeout: 100 * time.Millisecond})
		mustErrIs(t, err, context.DeadlineExceeded)
		mustErrIs(t, err, ErrConnectionLost)
		want := addr + ": no greeting within 100ms"
		if greet {
			want = addr + ": no login reply within 100ms"
		}
		if err.Error() != want {
			t.Errorf("greeting %v: error %q, want %q", greet, err, want)
		}
	}
}

// TestConnectErrorsOneClause: each way of failing to open a session reads
// "ADDR: what", the address once, no "connection lost" and no wrapped
// repeats; the sentinels stay reachable.
func TestConnectErrorsOneClause(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	// the other listeners first, so none of them can get closed's port
	hangup := wiretest.Listen(t, func(c net.Conn) { c.Close() }).Addr().String()
	refuse := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(_ string, w io.Writer) bool { io.WriteString(w, "-Bad password\r\n"); return true }
	})
	l.Close()
	for _, c := range []struct {
		addr, want string
		is         error
	}{
		{closed, closed + ": connection refused", syscall.ECONNREFUSED},
		{hangup, hangup + ": server closed the connection before its greeting", ErrConnectionLost},
		{refuse, refuse + `: login refused (server replied "-Bad password")`, ErrAuth},
	} {
		_, err := Dial(bg, c.addr, Options{Password: "pw", DialTimeout: 5 * time.Second})
		if err == nil || err.Error() != c.want {
			t.Errorf("Dial %s: %v, want %q", c.addr, err, c.want)
			continue
		}
		mustErrIs(t, err, c.is)
		var ce *ConnectError
		if !errors.As(err, &ce) || ce.Addr != c.addr {
			t.Errorf("%v: not a *ConnectError for %s", err, c.addr)
		}
	}
}

// silentServer accepts connections, sends the greeting when greet is true,
// then reads and never replies; the connections close with the test.
func silentServer(t *testing.T, greet bool) string {
	t.Helper()
	return wiretest.Listen(t, func(c net.Conn) {
		defer c.Close()
		if greet {
			io.WriteString(c, "+\r\n")
		}
		io.Copy(io.Discard, c)
	}).Addr().String()
}

func TestCwd(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "one/f.ini", fileOf("a", "k", "one"))
	s, err := Dial(bg, ts.addr, Options{Password: "secret"})
	must(t, err)
	t.Cleanup(func() { s.Close() })
	check := func(what, wantDir string, wantKnown bool) {
		t.Helper()
		if dir, known := s.Cwd(); dir != wantDir || known != wantKnown {
			t.Errorf("%s: Cwd() = %q, %v; want %q, %v", what, dir, known, wantDir, wantKnown)
		}
	}
	check("at login", "", true)
	must(t, s.Chdir(bg, `c:\one`))
	check("after C c:\\one", `C:\one\`, true)
	must(t, s.Chdir(bg, `..\..`))
	check("after C ..\\..", "", true)
	if err := s.Chdir(bg, "one"); err == nil {
		t.Fatal("C one at the root pseudo-directory succeeded")
	}
	check("after a refused C", "", true)
}
