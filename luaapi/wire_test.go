package luaapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

// runWire runs script with S a session connected through a recording proxy
// (iniserve.connect, so the runtime's own options apply) and returns the
// output and the lines the server received.
func runWire(t *testing.T, files map[string]*ini.File, script string, opts Options) (string, []string, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	w := wiretest.StartProxy(t, startServer(t, dir, `\SEM32\TEST`), 0)
	var out bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &out
	rt, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rt.SetGlobal("ADDR", w.Addr())
	if err := runCode(context.Background(), rt, `S = iniserve.connect(ADDR); S:cd("C:\\")`+"\n"+script, "=script"); err != nil {
		t.Fatalf("script: %v\noutput:\n%s", err, out.String())
	}
	if err := rt.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	return out.String(), w.Received(), dir
}

// TestCheckModeOnTheWire: in check mode the server never receives W, D, M,
// R, X, E or ^, whatever the script does, and reads still reach it.
func TestCheckModeOnTheWire(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v", "App", "K2", "w", "Old", "X", "1")}
	out, lines, dir := runWire(t, files, `
		local f = S:open("A.INI")
		f.App.Key = "new"
		f.App.K2 = nil
		f.Added.K = "x"
		f.Old = nil
		f.Repl = {a = "1", b = "2"}
		f:set("App", "N", 5, "u32")
		f:delete("Repl", "a")
		print(f:rename_app("Added", "Renamed"), f:rename_key("App", "Key", "Key3"))
		f:save()
		local g = S:open("NEW.TNI")
		g.A.B = "c"
		print(S:push("P.INI", f, {delete = true}), S:push("A.INI", ini.new(), {delete = true}))
		S:mkdir("D")
		S:move("A.INI", "B.INI")
		print(S:remove("A.INI"))
		S:post("\\SEM32\\TEST")
		S:notify("\\SEM32\\TEST")
		S:restart()
		print(f.Renamed.K, f.App.Key3, #f:changes())
		S:close()`, Options{CheckMode: true})
	// the last push deleted every key of A.INI (simulated), and the
	// notification is reported, not posted
	if want := "1\ttrue\n4\t4\ntrue\nnil\tnil\t12\ncheck mode: would post"; !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	reads := 0
	for _, l := range lines {
		c := strings.ToUpper(l[:1])
		if strings.Contains("WDMRXE^", c) {
			t.Errorf("check mode: the server received %q", l)
		}
		if c == "V" {
			reads++
		}
	}
	if reads == 0 {
		t.Errorf("no V reached the server: %q", lines)
	}
	got := readDir(t, dir)
	if len(got) != 1 || got["A.INI"] == nil {
		t.Errorf("files after the check run: %v", names(got))
	}
	if f, err := ini.Parse("A.INI", got["A.INI"], ini.FormatINI); err != nil || !f.SameContent(files["A.INI"]) {
		t.Errorf("check mode changed A.INI: %v", err)
	}
}

// TestWritesOnTheWire checks, at the server, that a write of the bytes
// already stored is not sent, that f[app] sends nothing, and that renames
// write every new entry before deleting an old one (so an interrupted run
// loses nothing).
func TestWritesOnTheWire(t *testing.T) {
	files := map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v", "Old", "A", "1", "Old", "B", "2")}
	_, lines, _ := runWire(t, files, `
		local f = S:open("A.INI")
		f.App.Key = "v"                 -- the bytes already there
		f:set("App", "Key", "v", "string")
		f.App = {Key = "v"}
		local view = f.Nothing          -- sends nothing
		f:rename_app("Old", "New")
		f:rename_key("New", "A", "C")`, Options{})
	var ops []string
	for _, l := range lines {
		switch strings.ToUpper(l[:1]) {
		case "W", "D":
			ops = append(ops, l)
		}
	}
	want := []string{"W31", "W32", "D", "W31", "D"} // New.A, New.B, delete Old; New.C, delete New.A
	if strings.Join(ops, " ") != strings.Join(want, " ") {
		t.Errorf("writes and deletes received: %q, want %q\nall: %q", ops, want, lines)
	}
	for _, l := range lines {
		if strings.Contains(l, "Nothing") {
			t.Errorf("f[app] sent %q", l)
		}
	}
}

// TestMissingVersusRefused: a '-' to V is a missing item (nil); a refused F
// raises in s:open; a '-' meaning something else (not logged in) raises
// instead of passing for a missing item.
func TestMissingVersusRefused(t *testing.T) {
	addr := fakeHost(t, func() func(string) (string, bool) {
		key := ""
		return func(line string) (string, bool) {
			switch {
			case strings.HasPrefix(line, "K"):
				key = line[1:]
			case line == "FBAD.INI":
				return "-cannot use it", true
			case line == "V" && key == "missing":
				return "-", true
			case line == "V" && key == "nologin":
				return "-Not logged in ", true
			case line == "V":
				return "+41", true
			}
			return "+", true
		}
	})
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("ADDR", addr)
	if err := runCode(context.Background(), rt, `
		local s = iniserve.connect(ADDR)
		local f = s:open("A.INI")
		print(f.App.present, f.App.missing)
		print(pcall(function() return f.App.nologin end))
		print(pcall(s.open, s, "BAD.INI"))`, "=t"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A\tnil\n", "false\t=t:5: host ", `get: command V: server replied "-Not logged in ": not logged in`, `false	=t:6: host `, `file "BAD.INI": open: command FBAD.INI: server replied "-cannot use it"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output:\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}

// fakeHost is a scripted INIServe host on loopback: it greets, then
// answers each command line (without CR LF) with what the handler of its
// connection returns, or not at all when the handler says false.
// newHandler is called once per connection.
func fakeHost(t *testing.T, newHandler func() func(line string) (reply string, answer bool)) string {
	t.Helper()
	return wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		handle := newHandler()
		return func(line string, w io.Writer) bool {
			if reply, ok := handle(line); ok {
				io.WriteString(w, reply+"\r\n")
			}
			return true
		}
	})
}

// TestPartialWriteRecorded: a value written in chunks to a host that
// stores each chunk as it arrives, whose connection drops after the first
// chunk, raises an error saying that the value on the host may be partial
// and naming it, and f:changes() lists it as partial with its old value
// (what a restore puts back).
func TestPartialWriteRecorded(t *testing.T) {
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		ws := 0
		return func(line string, w io.Writer) bool {
			switch {
			case line == "V":
				io.WriteString(w, "+4F4C44\r\n") // "OLD"
				return true
			case strings.HasPrefix(line, "W"):
				if ws++; ws == 2 {
					return false
				}
			}
			io.WriteString(w, "+\r\n")
			return true
		}
	})
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("ADDR", addr)
	if err := runCode(context.Background(), rt, `
		local s = iniserve.connect(ADDR)
		local f = s:open("A.TNI")
		print(pcall(function() f.App.Key = string.rep("x", 40000) end))
		local c = f:changes()
		print(#c, c[1].application, c[1].key, c[1].old, c[1].new, c[1].partial)`, "=t"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"may be partial", `application "App": key "Key"`, "1\tApp\tKey\tOLD\tnil\ttrue\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output:\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}

// TestNamesTimeoutKeepsSession: completion's listing against a host that
// answers value reads after 1 s gives up at its short timeout without
// closing the connection: the late reply is read in the background and
// the next call on the session works.
func TestNamesTimeoutKeepsSession(t *testing.T) {
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(line string, w io.Writer) bool {
			if line == "V" {
				time.Sleep(time.Second)            // a slow host (injected latency, not synchronisation)
				io.WriteString(w, "+41707000\r\n") // "App\0\0" or a value
				return true
			}
			io.WriteString(w, "+\r\n")
			return true
		}
	})
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("ADDR", addr)
	if err := runCode(context.Background(), rt, `s = iniserve.connect(ADDR); f = s:open("A.INI")`, "=t"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = rt.Names(ctx, rt.State().GetGlobal("f"), "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Names: %v, want the deadline", err)
	}
	if err := runCode(context.Background(), rt, `print(#f.App.Key)`, "=t"); err != nil {
		t.Fatalf("the session after a timed-out completion: %v", err)
	}
	if out.String() != "4\n" {
		t.Errorf("output %q", out.String())
	}
}
