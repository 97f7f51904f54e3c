package luaapi

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/server"
)

// startServer starts a package server over dir (volume C:, empty password,
// events in events accepted) on loopback and returns its address. The
// server is shut down when the test ends.
func startServer(t testing.TB, dir string, events ...string) string {
	t.Helper()
	evs := map[string]server.Event{}
	for _, e := range events {
		evs[e] = server.Event{Func: func(context.Context, string) error { return nil }}
	}
	return startServerWith(t, dir, evs)
}

// startServerCount is startServer with one event that counts its posts.
func startServerCount(t testing.TB, dir, event string, n *atomic.Int32) string {
	t.Helper()
	return startServerWith(t, dir, map[string]server.Event{event: {Func: func(context.Context, string) error {
		n.Add(1)
		return nil
	}}})
}

func startServerWith(t testing.TB, dir string, events map[string]server.Event) string {
	t.Helper()
	pw := ""
	srv := &server.Server{Volumes: map[byte]string{'C': dir}, Password: &pw, PasswordDelay: -1, Events: events}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return l.Addr().String()
}

// dial connects to addr with the empty password, changes to C:\ and closes
// the session at the end of the test.
func dial(t testing.TB, addr string, check bool) *client.Session {
	t.Helper()
	ctx := context.Background()
	s, err := client.Dial(ctx, addr, client.Options{CheckMode: check})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Chdir(ctx, `C:\`); err != nil {
		t.Fatal(err)
	}
	return s
}

// writeFiles creates each file of files in dir, in the format its name
// implies.
func writeFiles(t testing.TB, dir string, files map[string]*ini.File) {
	t.Helper()
	for name, f := range files {
		data, err := f.Marshal(ini.FormatForName(name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readDir returns the raw bytes of every file in dir.
func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			out[e.Name()+"/"] = nil
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// runResult is what one run of a script produced.
type runResult struct {
	out     string // printed output, normalised
	err     error
	changes []Change
	files   map[string][]byte
	dir     string
}

// mode is how a script's OPEN(name) reaches a file: "local" opens
// DIR/name with ini.open (SAVE(f) saves it), "remote" opens name on a
// session to package server over DIR (SAVE(f) does nothing: remote
// writes are on disk already).
type mode string

const (
	local  mode = "local"
	remote mode = "remote"
)

// runScript runs script in mode m over a fresh directory holding files,
// with opts, and returns the result. The global DIR is the directory, S
// the session (remote mode).
func runScript(t *testing.T, m mode, files map[string]*ini.File, script string, opts Options) runResult {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	var out bytes.Buffer
	opts.Stdout = &out
	if opts.Stderr == nil {
		opts.Stderr = &out
	}
	rt, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rt.SetGlobal("DIR", dir)
	var host string
	if m == remote {
		addr := startServer(t, dir, `\SEM32\TEST`)
		s := dial(t, addr, opts.CheckMode)
		host = s.Addr()
		rt.SetGlobal("S", rt.WrapSession(s, ""))
		if err := runCode(context.Background(), rt, `
			function OPEN(name) return S:open(name) end
			function SAVE(f) f:save() end`, "=harness"); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := runCode(context.Background(), rt, `
			function OPEN(name) return ini.open(DIR.."/"..name, {create = true}) end
			function SAVE(f) f:save() end`, "=harness"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runErr := runCode(ctx, rt, script, "=script")
	res := runResult{err: runErr, changes: rt.Changes(), dir: dir}
	if err := rt.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	res.out = normalise(out.String(), dir, host)
	if runErr != nil {
		res.err = errors.New(normalise(runErr.Error(), dir, host))
	}
	res.files = readDir(t, dir)
	for i := range res.changes {
		res.changes[i].Host = ""
		res.changes[i].File = filepath.Base(res.changes[i].File)
	}
	return res
}

// normalise removes what legitimately differs between local and remote
// runs: the directory prefix of local paths and the host prefix of remote
// errors.
func normalise(s, dir, host string) string {
	s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
	if host != "" {
		s = strings.ReplaceAll(s, "host "+host+": ", "")
		s = strings.ReplaceAll(s, " on "+host, "")
	}
	return s
}

// bothCase is a script run locally and remotely with identical results.
type bothCase struct {
	name    string
	files   map[string]*ini.File
	script  string
	want    string // expected output (after normalise)
	wantErr string // substring of the error; "" for success
}

// runBoth runs each case locally and remotely and checks the output, the
// error, the recorded changes and the files left on disk are the same and
// as expected.
func runBoth(t *testing.T, cases []bothCase, opts Options) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results [2]runResult
			for i, m := range []mode{local, remote} {
				results[i] = runScript(t, m, c.files, c.script, opts)
				r := results[i]
				if c.wantErr == "" && r.err != nil {
					t.Fatalf("%s: %v\noutput:\n%s", m, r.err, r.out)
				}
				if c.wantErr != "" && (r.err == nil || !strings.Contains(r.err.Error(), c.wantErr)) {
					t.Fatalf("%s: error %v, want one containing %q\noutput:\n%s", m, r.err, c.wantErr, r.out)
				}
				if r.out != c.want {
					t.Errorf("%s output:\n%s\nwant:\n%s", m, r.out, c.want)
				}
			}
			l, rm := results[0], results[1]
			if !sameChanges(l.changes, rm.changes) {
				t.Errorf("changes differ:\nlocal  %v\nremote %v", l.changes, rm.changes)
			}
			if !sameFiles(t, l.files, rm.files) {
				t.Errorf("files differ:\nlocal  %v\nremote %v", names(l.files), names(rm.files))
			}
		})
	}
}

func sameChanges(a, b []Change) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if baseName(x.File) != baseName(y.File) || x.Application != y.Application || x.Key != y.Key || x.Op != y.Op ||
			!bytes.Equal(x.Old, y.Old) || !bytes.Equal(x.New, y.New) || (x.Old == nil) != (y.Old == nil) || (x.New == nil) != (y.New == nil) {
			return false
		}
	}
	return true
}

// baseName is the last element of a local or OS/2 path: changes name local
// files by their absolute path, remote ones by their OS/2 path.
func baseName(p string) string { return p[strings.LastIndexAny(p, `/\`)+1:] }

// sameFiles compares two directories' files by content (parsed: the
// binary layout may legitimately differ, e.g. by free space).
func sameFiles(t *testing.T, a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for name, da := range a {
		db, ok := b[name]
		if !ok {
			return false
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		fa, err := ini.Parse(name, da, ini.FormatForName(name))
		if err != nil {
			t.Errorf("local %s: %v", name, err)
			return false
		}
		fb, err := ini.Parse(name, db, ini.FormatForName(name))
		if err != nil {
			t.Errorf("remote %s: %v", name, err)
			return false
		}
		if !fa.SameContent(fb) {
			return false
		}
	}
	return true
}

func names(m map[string][]byte) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// mkfile builds a file from app, key, value triples.
func mkfile(t testing.TB, kv ...string) *ini.File {
	t.Helper()
	f := ini.New()
	for i := 0; i+2 < len(kv); i += 3 {
		if err := f.Put([]byte(kv[i]), []byte(kv[i+1]), []byte(kv[i+2])); err != nil {
			t.Fatal(err)
		}
	}
	return f
}
