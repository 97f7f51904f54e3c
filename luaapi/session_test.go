package luaapi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// remoteRun runs script with a session S to a server over a fresh
// directory holding files; it returns the output, the error, the runtime
// (closed) and the directory.
func remoteRun(t *testing.T, files map[string]*ini.File, script string, opts Options) (string, *Runtime, string, error) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	addr := startServer(t, dir, `\SEM32\TEST`)
	s := dial(t, addr, opts.CheckMode)
	var out bytes.Buffer
	opts.Stdout = &out
	if opts.Stderr == nil {
		opts.Stderr = &out
	}
	rt, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rt.SetGlobal("S", rt.WrapSession(s, "host1"))
	rt.SetGlobal("DIR", dir)
	runErr := runCode(context.Background(), rt, script, "=script")
	if err := rt.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	return out.String(), rt, dir, runErr
}

func TestSessionFunctions(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v"), "B.TNI": mkfile(t, "X", "Y", "z")}
	out, rt, dir, err := remoteRun(t, files, `
		print(S, S:host())
		print(table.concat(S:ls(), ","))
		S:mkdir("SUB")
		S:cd("SUB")
		print(table.concat(S:ls(), ","))
		S:cd("..")
		S:move("B.TNI", "SUB")
		print(table.concat(S:ls(), ","), table.concat(S:ls("SUB\\"), ","))
		print(S:remove("SUB\\B.TNI"), S:remove("SUB\\B.TNI"))
		local f = S:fetch("A.INI")
		print(f:name(), f:host(), f.App.Key, #f)
		f.App.Key = "changed locally"
		print(S:push("C.INI", f), S:push("C.INI", f))
		local c = S:open("C.INI")
		print(c.App.Key, c:host(), c:name())
		local g = ini.new(); g.App.Other = "1"
		print(S:push("C.INI", g), S:push("C.INI", g, {delete = true}), table.concat(c.App:keys(), ","))
		S:post("\\SEM32\\TEST")
		S:notify("\\SEM32\\TEST"); S:notify("\\sem32\\test")
		print(S:choose("A"), S:choose("NONE"))
		S:close(); S:close()
		print(S)
	`, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "session host1\thost1\n" +
		"A.INI,B.TNI\n" +
		"\n" +
		"A.INI,SUB/\tB.TNI\n" +
		"true\tfalse\n" +
		"nil\tnil\tv\t1\n" +
		"1\t0\n" +
		"changed locally\thost1\tC.INI\n" +
		"1\t1\tOther\n" +
		"A.INI\tNONE.INI\n" +
		"session host1 (closed)\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	// changes: mkdir, move, remove, push (App.Key new), push g (Other),
	// push with delete (Key)
	var ops []string
	for _, c := range rt.Changes() {
		if c.Host == "" {
			if c.File != "" {
				t.Errorf("local change %+v names a file", c)
			}
			continue // the local snapshots changed by the script
		}
		if c.Host != "host1" {
			t.Errorf("change %+v: host %q", c, c.Host)
		}
		ops = append(ops, c.Op+":"+c.File+":"+c.Application+":"+c.Key)
	}
	wantOps := []string{`mkdir:C:\SUB::`, `move:C:\B.TNI::C:\SUB`, `remove:C:\SUB\B.TNI::`, `:C:\C.INI:App:Key`, `:C:\C.INI:App:Other`, `:C:\C.INI:App:Key`}
	if strings.Join(ops, " ") != strings.Join(wantOps, " ") {
		t.Errorf("changes %v, want %v", ops, wantOps)
	}
	if n := rt.Notifications(); len(n) != 1 || n[0] != (Notification{Host: "host1", Semaphore: `\SEM32\TEST`}) {
		t.Errorf("notifications %v", n)
	}
	got, err := os.ReadFile(filepath.Join(dir, "C.INI"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ini.ParseBinary(got)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Equal(mkfile(t, "App", "Other", "1")) {
		t.Errorf("C.INI holds %v", f.Apps)
	}
}

func TestSessionErrors(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v")}
	cases := []struct{ name, script, want string }{
		{"cd missing", `S:cd("NOPE")`, `host host1: path "NOPE": cd: `},
		{"mkdir existing", `S:mkdir("D"); S:mkdir("D")`, `host host1: path "D": mkdir: `},
		{"move missing", `S:move("NOPE", "X")`, `host host1: path "NOPE": move: to "X": `},
		{"open refused", `S:open("..\\..\\..\\etc\\passwd")`, `host host1: file "..\\..\\..\\etc\\passwd": open: `},
		{"post unknown", `S:post("\\SEM32\\NOPE")`, `host host1: path "\\SEM32\\NOPE": post: `},
		{"fetch corrupt", `S:fetch("BAD.INI")`, `host host1: file "BAD.INI": fetch: `},
		{"closed session", `S:close(); S:ls()`, `host host1: ls: session is closed`},
		{"file of a closed session", `local f = S:open("A.INI"); S:close(); print(f.App.Key)`, `host host1: file "C:\\A.INI": application "App": key "Key": get: session is closed`},
		{"wrong self", `S.ls(5)`, `bad argument #1 to ls (session expected, got number)`},
		{"push wrong file", `S:push("X.INI", "text")`, `bad argument #3 to push (INI file expected, got string)`},
		{"wrong arg type", `S:cd(5)`, `bad argument #2 to cd (path must be a string, got number)`},
		{"set on session", `S.x = 1`, `sessions have no fields to set`},
		{"push refused", `S:push("..\\..\\..\\x.INI", ini.new())`, `host host1: file "..\\..\\..\\x.INI": push: `},
		{"push bad options", `S:push("X.INI", ini.new(), 5)`, `bad argument #4 to push (options table expected, got number)`},
		{"remove non-empty directory", `S:mkdir("D"); S:open("D\\X.INI").A.B = "c"; S:remove("D")`, `host host1: path "D": remove: `},
		{"restart closes the session", `S:restart(); S:ls()`, `host host1: ls: session is closed`},
		{"notify needs a name", `S:notify()`, `bad argument #2 to notify (semaphore must be a string, got nil)`},
		{"open needs a name", `S:open()`, `bad argument #2 to open (file name must be a string, got nil)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			_ = dir
			out, _, d, err := remoteRun(t, files, `
				local f = io.open(DIR .. "/BAD.INI", "wb"); f:write("\255\255\255\255garbage"); f:close()
				`+c.script, Options{})
			_ = d
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q\n%s", err, c.want, out)
			}
			var se *ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("error %T, want *ScriptError", err)
			}
			if strings.HasPrefix(c.want, "host") {
				var e *Error
				if !errors.As(err, &e) || e.Host != "host1" {
					t.Errorf("cause %v is not an *Error for host1", se.Cause)
				}
			}
		})
	}
}

// TestServe uses the embedded server: iniserve.serve over a directory.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]*ini.File{"WEASEL.INI": ini.Sample()})
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	rt.SetGlobal("DIR", dir)
	err = runCode(context.Background(), rt, `
		local s = iniserve.serve(DIR, {events = {"\\SEM32\\WEASEL"}})
		print(table.concat(s:ls(), ","))
		local f = s:open("WEASEL.INI")
		print(f:get("$SYS", "ServerPort", "u32"))
		f:set("$SYS", "ServerPort", 2525, "u32")
		s:notify("\\SEM32\\WEASEL")
		SESSION = s
	`, "=script")
	if err != nil {
		t.Fatal(err)
	}
	if want := "WEASEL.INI\n3560\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	f, _, err := ini.ReadFile(filepath.Join(dir, "WEASEL.INI"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Lookup([]byte("$SYS"), []byte("ServerPort")); !bytes.Equal(v, []byte{0xDD, 0x09, 0, 0}) {
		t.Errorf("ServerPort on disk %x", v)
	}
}

func TestServeErrors(t *testing.T) {
	for _, c := range []struct{ script, want string }{
		{`iniserve.serve("/nonexistent/dir")`, `file "/nonexistent/dir": serve: `},
		{`iniserve.serve(DIR .. "/F")`, `serve: not a directory`},
		{`iniserve.serve(5)`, `bad argument #1 to serve (directory must be a string, got number)`},
		{`iniserve.serve(DIR, 5)`, `bad argument #2 to serve (options table expected, got number)`},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "F"), nil, 0o644)
		rt, err := New(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		rt.SetGlobal("DIR", dir)
		err = runCode(context.Background(), rt, c.script, "=s")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.script, err, c.want)
		}
		rt.Close()
	}
}

// TestNotifyOwned: a session the runtime opened posts its notifications at
// close, only when the host changed; check mode reports instead.
func TestNotifyOwned(t *testing.T) {
	for _, c := range []struct {
		name   string
		change bool
		check  bool
		fail   bool
		want   string // expected stderr
	}{
		{"changed", true, false, false, ""},
		{"unchanged", false, false, false, ""},
		{"failed", true, false, true, ""},
		{"check", true, true, false, "check mode: would post \\SEM32\\X on "},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var posted atomic.Int32
			var stderr bytes.Buffer
			rt, err := New(context.Background(), Options{Stdout: &stderr, Stderr: &stderr, CheckMode: c.check})
			if err != nil {
				t.Fatal(err)
			}
			addr := startServerCount(t, dir, `\SEM32\X`, &posted)
			rt.SetGlobal("ADDR", addr)
			script := `local s = iniserve.connect(ADDR); s:cd("C:\\"); s:notify("\\SEM32\\X")`
			if c.change {
				script += `; s:open("N.INI").A.B = "c"`
			}
			if c.fail {
				script += `; error("failed")`
			}
			if err := runCode(context.Background(), rt, script, "=s"); (err != nil) != c.fail {
				t.Fatal(err)
			}
			if err := rt.Close(); err != nil {
				t.Fatal(err)
			}
			wantPosted := 0
			if c.change && !c.check && !c.fail {
				wantPosted = 1
			}
			if int(posted.Load()) != wantPosted {
				t.Errorf("posted %d times, want %d", posted.Load(), wantPosted)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q, want %q", stderr.String(), c.want)
			}
		})
	}
}

// TestConnect covers iniserve.connect: options, the empty-password
// warning, a wrong password (never shown), password_env.
func TestConnect(t *testing.T) {
	dir := t.TempDir()
	addr := startServer(t, dir)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt, err := New(context.Background(), Options{Logger: logger, Stdout: &logs})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("ADDR", addr)
	t.Setenv("INILUA_TEST_PW", "hunter2-secret")
	err = runCode(context.Background(), rt, `
		local s = iniserve.connect(ADDR, {timeout = 5})
		print(s:host() == ADDR)
		local ok, err = pcall(iniserve.connect, ADDR, {password = "wrong-secret", timeout = "2s"})
		print(ok, err)
		local ok2, err2 = pcall(iniserve.connect, ADDR, {password_env = "INILUA_TEST_PW"})
		print(ok2, err2)
		print(pcall(iniserve.connect, ADDR, {password_env = "INILUA_NOT_SET_ANYWHERE"}))
		print(pcall(iniserve.connect, ADDR, {timeout = "soon"}))
		print(pcall(iniserve.connect, ADDR, {tls = 5}))
		print(pcall(iniserve.connect, "127.0.0.1:1"))
		print(pcall(iniserve.connect, ADDR, {password = 5}))
	`, "=s")
	if err != nil {
		t.Fatal(err)
	}
	text := logs.String()
	for _, secret := range []string{"wrong-secret", "hunter2-secret"} {
		if strings.Contains(text, secret) {
			t.Errorf("password %q appears in output or logs:\n%s", secret, text)
		}
	}
	for _, want := range []string{"true\n", "empty password", "false\t=s:4: connect: " + addr + `: login refused (server replied "-`, "environment variable INILUA_NOT_SET_ANYWHERE is not set", "opts.timeout: ", "opts.tls must be a boolean or a table", "connect: 127.0.0.1:1: connection refused\n", "opts.password must be a string"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

// TestSessionCheckMode: in check mode mkdir, move, remove, post, restart
// and writes are recorded (and visible to later reads) but never reach the
// host.
func TestSessionCheckMode(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v"), "B.INI": mkfile(t, "X", "Y", "z")}
	out, rt, dir, err := remoteRun(t, files, `
		S:mkdir("SUB")
		S:move("B.INI", "C.INI")
		print(S:remove("A.INI"))
		S:post("\\SEM32\\NOPE")     -- not sent, so not refused
		local f = S:open("N.INI")
		f.A.B = "c"
		print(f.A.B, #f)
		local g = ini.new(); g.P.Q = "r"
		print(S:push("P.INI", g))
		S:restart()
		print(#S:ls())
	`, Options{CheckMode: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "true\nc\t1\n1\n"; !strings.HasPrefix(out, want) {
		t.Errorf("output %q, want prefix %q", out, want)
	}
	got := readDir(t, dir)
	if len(got) != 2 || got["A.INI"] == nil || got["B.INI"] == nil {
		t.Errorf("check mode changed the directory: %v", names(got))
	}
	var ops []string
	for _, c := range rt.Changes() {
		if c.Host != "" {
			ops = append(ops, c.Op+":"+c.File)
		}
	}
	if want := `mkdir:C:\SUB move:C:\B.INI remove:C:\A.INI :C:\N.INI :C:\P.INI`; strings.Join(ops, " ") != want {
		t.Errorf("changes %v, want %s", ops, want)
	}
}

// TestLsBeforeCd: before any s:cd the session is at the root
// pseudo-directory, where INIServe answers L of a relative path with the
// drive list; s:ls raises an error naming the path instead, and still
// lists the drives for no argument and a path with a drive letter.
func TestLsBeforeCd(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "SUB"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, filepath.Join(dir, "SUB"), map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v")})
	addr := startServer(t, dir)
	s, err := client.Dial(context.Background(), addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("S", rt.WrapSession(s, "host1"))
	for _, c := range []struct{ script, want string }{
		{`print(table.concat(S:ls(), ","))`, "C:/\n"},
		{`print(table.concat(S:ls("."), ","))`, "C:/\n"},
		{`print(table.concat(S:ls("C:\\SUB\\"), ","))`, "A.INI\n"},
		{`print(table.concat(S:ls("c:SUB\\*.INI"), ","))`, "A.INI\n"},
		{`print(pcall(S.ls, S, "SUB\\"))`, `host host1: path "SUB\\": ls: relative path with no current directory`},
		{`print(pcall(S.ls, S, "*.INI"))`, `host host1: path "*.INI": ls: relative path with no current directory`},
		{`print(pcall(S.ls, S, "\\SUB\\"))`, `host host1: path "\\SUB\\": ls: relative path with no current directory`},
		{`print(pcall(S.ls, S, ".."))`, `host host1: path "..": ls: relative path with no current directory`},
		{`S:cd("C:\\"); print(table.concat(S:ls("SUB\\"), ","))`, "A.INI\n"},
		{`S:cd(".."); print(pcall(S.ls, S, "SUB\\"))`, `host host1: path "SUB\\": ls: relative path with no current directory`},
	} {
		out.Reset()
		if err := runCode(context.Background(), rt, c.script, "=script"); err != nil {
			t.Errorf("%s: %v", c.script, err)
			continue
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("%s printed %q, want %q in it", c.script, out.String(), c.want)
		}
	}
	err = runCode(context.Background(), rt, `S:ls("SUB")`, "=script")
	if !errors.Is(err, ErrNoCurrentDir) {
		t.Errorf("S:ls(\"SUB\") at the pseudo-directory: %v, want ErrNoCurrentDir", err)
	}
}

// TestRemoteSaveWithPath: f:save() of a remote file does nothing (its
// writes are on the host), but a path or options ask for a copy it cannot
// make, which is an error pointing to s:fetch; nothing is written locally.
func TestRemoteSaveWithPath(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v")}
	out, _, dir, err := remoteRun(t, files, `
		local f = S:open("A.INI")
		f:save()
		print(pcall(f.save, f, DIR .. "/copy.INI"))
		print(select(2, pcall(f.save, f, {backup = true})) ~= nil)`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "false\t") || !strings.Contains(out, "save: a remote file is saved on the host by every write: to keep a local copy, use s:fetch(name)") || !strings.HasSuffix(out, "true\n") {
		t.Fatalf("got %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "copy.INI")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("copy.INI: %v, want none", err)
	}
}
