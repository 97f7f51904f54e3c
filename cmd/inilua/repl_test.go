//go:build linux || darwin

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/internal/screentest"
	"github.com/inilua/inilua/internal/wiretest"
)

// replWait bounds every wait of the REPL tests.
const replWait = 15 * time.Second

// replTerm is inilua running on a pseudo-terminal.
type replTerm struct {
	t    *testing.T
	ptmx *os.File
	out  *screentest.Screen
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has ended
}

// startInilua runs the inilua command (this test binary, see TestMain) with
// args on a new pseudo-terminal that is its controlling terminal, with the
// history in histFile.
func startInilua(t *testing.T, histFile string, args ...string) *replTerm {
	t.Helper()
	bin, err := exec.LookPath("inilua")
	if err != nil {
		t.Fatalf("inilua command of the test binary: %v", err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "INILUA_HISTORY="+histFile, "HOME="+home, "XDG_STATE_HOME="+home)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	rt := &replTerm{t: t, ptmx: ptmx, out: screentest.New(replWait), cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(rt.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-rt.done
	})
	go io.Copy(rt.out, ptmx)
	return rt
}

func (r *replTerm) send(s string) {
	r.t.Helper()
	if _, err := r.ptmx.WriteString(s); err != nil {
		r.t.Fatal(err)
	}
}

// wait waits for inilua to exit and returns its exit status. On a
// timeout it asks for a goroutine dump (SIGQUIT) and fails with the
// output.
func (r *replTerm) wait() int {
	r.t.Helper()
	select {
	case <-r.done:
		return r.cmd.ProcessState.ExitCode()
	case <-time.After(replWait):
		r.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-r.done:
		case <-time.After(replWait):
		}
		r.t.Fatalf("inilua did not exit; output:\n%s", r.out.String())
		return -1
	}
}

// slowHost is a fake INIServe host on loopback: it greets, accepts any
// password, answers every command with "+" except those starting with
// mute (L: listings), which it never answers, and reports each command
// line it reads.
type slowHost struct {
	addr  string
	lines chan string // every command line received, "EOF" when a session ends
}

func startSlowHost(t *testing.T, mute string) *slowHost {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	h := &slowHost{addr: ln.Addr().String(), lines: make(chan string, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.WriteString(c, "+\r\n")
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						h.lines <- "EOF"
						return
					}
					line = strings.TrimRight(line, "\r\n")
					h.lines <- line
					switch {
					case strings.HasPrefix(line, mute): // never answered
					case strings.HasPrefix(line, "Q"):
						io.WriteString(c, "+\r\n")
						return
					default:
						io.WriteString(c, "+\r\n")
					}
				}
			}()
		}
	}()
	return h
}

// await waits for the host to receive a line starting with prefix.
func (h *slowHost) await(t *testing.T, prefix string) {
	t.Helper()
	deadline := time.After(replWait)
	for {
		select {
		case l := <-h.lines:
			if strings.HasPrefix(l, prefix) {
				return
			}
		case <-deadline:
			t.Fatalf("the host never received %q", prefix)
		}
	}
}

// TestREPLOnTerminal drives inilua with no script through a pty: values,
// completion of applications, keys and remote paths against an embedded
// server on loopback, Ctrl-C during a command that waits on a slow host,
// history without secrets, and Ctrl-D closing the sessions.
func TestREPLOnTerminal(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "APPS"), 0o755); err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(t.TempDir(), "history")
	slow := startSlowHost(t, "L")
	r := startInilua(t, hist)
	r.out.Expect(t, ":help for help")
	r.out.Expect(t, "> ")

	r.send("s = iniserve.serve(" + luaQuote(dir) + ")\r")
	r.out.Expect(t, "> ")
	r.send("f = s:open('TEST.INI')\r")
	r.out.Expect(t, "> ")
	r.send(`f["My App"]["a key"] = "hello"; f['Q"uote'].k = ini.u16(3560)` + "\r")
	r.out.Expect(t, "> ")
	r.send("f\r")
	r.out.Expect(t, `<INI file "C:\\TEST.INI" (ini, 2 applications) on 127.0.0.1:`)

	// application, then key, completed; the result printed
	r.send(`f["My` + "\t")
	r.out.Expect(t, `f["My App"]`)
	r.send(`["a` + "\t")
	r.out.Expect(t, `f["My App"]["a key"]`)
	r.send("\r")
	r.out.Expect(t, "\"hello\"\r\n")
	// a name with a quote stays a valid literal; binary values print as hex
	r.send(`f["Q` + "\t")
	r.out.Expect(t, `f["Q\"uote"]`)
	r.send(".k\r")
	r.out.Expect(t, "0000  E8 0D  |..|  -- u16 3560")
	// remote paths
	r.send(`s:open("TE` + "\t")
	r.out.Expect(t, `s:open("TEST.INI")`) // the quote and the call closed
	r.send("\r")
	r.out.Expect(t, `<INI file "C:\\TEST.INI"`)
	// a directory keeps the separator typed
	r.send(`s:cd("C:\\AP` + "\t")
	r.out.Expect(t, `s:cd("C:\\APPS\\`)
	r.send("\")\r")
	r.out.Expect(t, "> ")
	// an application that does not exist shows as absent
	r.send("f.DISK\r")
	r.out.Expect(t, `<application "DISK" (absent) of INI file "C:\\TEST.INI" on `)
	// fields and methods
	r.send("ini.stri\t")
	r.out.Expect(t, "ini.strings")
	r.send("\x03")
	r.out.Expect(t, "> ")

	// Ctrl-C interrupts a command waiting on a slow host
	r.send("h = iniserve.connect(" + luaQuote(slow.addr) + ")\r")
	r.out.Expect(t, "> ")
	r.send("h:ls()\r")
	slow.await(t, "L")
	r.send("\x03")
	r.out.Expect(t, "interrupted")
	r.out.Expect(t, "> ")
	r.send("20 + 22\r")
	r.out.Expect(t, "42\r\n")

	// a statement with a password stays out of the history
	r.send("opts = {password = 'hunter2'}\r")
	r.out.Expect(t, "> ")
	r.send("idle = iniserve.connect(" + luaQuote(slow.addr) + ")\r")
	r.out.Expect(t, "> ")

	// Ctrl-D leaves and closes the sessions
	r.send("\x04")
	if code := r.wait(); code != 0 {
		t.Fatalf("exit status %d; output:\n%s", code, r.out.String())
	}
	slow.await(t, "Q")

	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `f["My App"]["a key"]`) || !strings.Contains(string(data), "20 + 22") {
		t.Errorf("history lacks the statements typed:\n%s", data)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Errorf("history holds a password:\n%s", data)
	}
}

// TestREPLAfterScript checks -i: the script runs, then the REPL sees its
// globals; -e runs first.
func TestREPLAfterScript(t *testing.T) {
	script := filepath.Join(t.TempDir(), "s.lua")
	if err := os.WriteFile(script, []byte("greeting = prefix .. 'lo'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startInilua(t, "", "-e", "prefix = 'hel'", "-i", script)
	r.out.Expect(t, "> ")
	r.send("greeting\r")
	r.out.Expect(t, "\"hello\"")
	r.send("os.exit(3)\r")
	if code := r.wait(); code != 3 {
		t.Errorf("exit status %d after os.exit(3)", code)
	}
}

// TestREPLFromPipe checks "inilua < script.lua": no prompts, multi-line
// statements, locals kept across statements, the first error ends the run.
func TestREPLFromPipe(t *testing.T) {
	dir := t.TempDir()
	src := "local s = iniserve.serve(" + luaQuote(dir) + ")\n" +
		"local f = s:open('X.INI')\n" +
		"f.App.Key = ini.u32(7)\n" +
		"for app, a in pairs(f) do\n" +
		"  print(app, #a)\n" +
		"end\n" +
		"=f.App.Key\n"
	var out, errs bytes.Buffer
	code := run(context.Background(), nil, env{stdin: strings.NewReader(src), stdout: &out, stderr: &errs})
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, errs.String())
	}
	want := "App\t1\n0000  07 00 00 00  |....|  -- u32 7\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}

	out.Reset()
	errs.Reset()
	code = run(context.Background(), nil, env{stdin: strings.NewReader("x = 1\nerror('bad')\nprint('after')\n"), stdout: &out, stderr: &errs})
	if code != 1 || !strings.Contains(errs.String(), "stdin:2:") || strings.Contains(out.String(), "after") {
		t.Errorf("exit status %d, stdout %q, stderr %q", code, out.String(), errs.String())
	}
}

// luaQuote returns s as a Lua string literal.
func luaQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestREPLHelpNamesEveryMethod keeps the :help summary in step with the
// methods the runtime really has.
func TestREPLHelpNamesEveryMethod(t *testing.T) {
	rt, err := newRuntime(context.Background(), cliOptions{}, nil, env{stdout: io.Discard, stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if err := runChunk(context.Background(), rt, "f = ini.new(); s = iniserve.serve("+luaQuote(t.TempDir())+")", "=test", nil); err != nil {
		t.Fatal(err)
	}
	L := rt.State()
	// and every value type of f:get/f:set
	types, ok := L.GetField(L.GetGlobal("ini"), "types").(*lua.LTable)
	if !ok || types.Len() == 0 {
		t.Fatal("ini.types is not a list")
	}
	line := apiHelp[strings.Index(apiHelp, "types:"):]
	line = line[:strings.IndexByte(line, '\n')]
	for i := 1; i <= types.Len(); i++ {
		if name := types.RawGetInt(i).String(); !slices.Contains(strings.Fields(line), name) {
			t.Errorf(":help does not list the value type %s: %q", name, line)
		}
	}
	for _, obj := range []string{"f", "s"} {
		for _, m := range rt.Methods(L.GetGlobal(obj)) {
			if !strings.Contains(apiHelp, ":"+m+"(") {
				t.Errorf(":help does not mention %s:%s", obj, m)
			}
		}
	}
}

// TestDescribeQuotesNames: summaries quote names as Lua literals (\001, not
// Go's \x01), so they can be typed back.
func TestDescribeQuotesNames(t *testing.T) {
	rt, err := newRuntime(context.Background(), cliOptions{}, nil, env{stdout: io.Discard, stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if err := runChunk(context.Background(), rt, `f = ini.new(); f["\1bin"].k = "v"; a = f["\1bin"]`, "=test", nil); err != nil {
		t.Fatal(err)
	}
	got, ok := replHost{rt}.Describe(context.Background(), rt.State().GetGlobal("a"))
	if want := `<application "\001bin" (ini, 1 key) of INI file (new)>`; !ok || got != want {
		t.Errorf("Describe = %q, %v; want %q", got, ok, want)
	}
}

// TestREPLAfterScriptLeavesMuteHost: with -i, leaving the REPL gives up
// on a host that never answers the closing Q after closeTimeout instead of
// waiting for the session's own timeout, as the REPL without a script does.
func TestREPLAfterScriptLeavesMuteHost(t *testing.T) {
	mute := startSlowHost(t, "Q")
	script := filepath.Join(t.TempDir(), "s.lua")
	if err := os.WriteFile(script, []byte("h = iniserve.connect("+luaQuote(mute.addr)+")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startInilua(t, "", "-i", script)
	r.out.Expect(t, "> ")
	r.send("\x04")
	if code := r.wait(); code != 1 {
		t.Errorf("exit status %d, want 1 (closing failed)", code)
	}
	mute.await(t, "Q")
	r.out.Expect(t, "closing sessions: gave up after 1s")
}

// TestREPLSlowCompletionKeepsSession: Tab against a host that answers value
// reads after 1 s completes nothing at the completion timeout, and the
// session stays usable: the late reply is drained and the next statement
// reads from the host.
func TestREPLSlowCompletionKeepsSession(t *testing.T) {
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(line string, w io.Writer) bool {
			if line == "V" {
				time.Sleep(time.Second) // a slow host (injected latency, not synchronisation)
				io.WriteString(w, "+4170700000\r\n")
				return true
			}
			io.WriteString(w, "+\r\n")
			return true
		}
	})
	r := startInilua(t, "")
	r.out.Expect(t, "> ")
	// the echo of a typed line starts with "> " too: wait for output of
	// the statement itself before Ctrl-C, which would interrupt it
	r.send("h = iniserve.connect(" + luaQuote(addr) + "); g = h:open('A.INI'); print('op' .. 'ened')\r")
	r.out.Expect(t, "opened\r\n")
	// the next prompt: the line editor is back in raw mode, so Ctrl-C is
	// a key for it, not a SIGINT for the statement still returning
	r.out.Expect(t, "> ")
	r.send(`g["` + "\t\x03")
	// the line editor's echo of Ctrl-C (then "\r\n", or a redraw when it
	// cut the completion short): the next line is typed after it
	r.out.Expect(t, "^C")
	r.out.Expect(t, "> ")
	r.send("#g.App.Key\r")
	r.out.Expect(t, "5\r\n")
	r.send("\x04")
	if code := r.wait(); code != 0 {
		t.Fatalf("exit status %d; output:\n%s", code, r.out.String())
	}
}

// TestDemoOnTerminal: on a terminal inilua demo prints the same per-host
// result lines as when piped (notified included), says why a host had
// nothing to change, and mentions --keep as the directory is removed; it
// does not warn about the sample servers' empty password.
func TestDemoOnTerminal(t *testing.T) {
	r := startInilua(t, filepath.Join(t.TempDir(), "history"), "demo", "--hosts", "3")
	if code := r.wait(); code != 0 {
		t.Fatalf("exit status %d; output:\n%s", code, r.out.String())
	}
	out := r.out.String()
	for _, want := range []string{
		`host1: changed (3 changes; notified \SEM32\MAILSRV\RELOAD)`,
		`host2: changed (3 changes; notified \SEM32\MAILSRV\RELOAD)`,
		"host3: ok (nothing to change, already migrated: $SYS TimeOut is 300 in every file)",
		"is removed at exit (inilua demo --keep keeps it",
		"ok=1 changed=2 failed=0 unreachable=0 skipped=0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// the sample servers have no password on purpose: no warning
	if strings.Contains(out, "empty password") {
		t.Errorf("the demo warns about the empty password:\n%s", out)
	}
}

// TestHistoryFileDirectory: INILUA_HISTORY naming a directory gives no
// history, with a warning saying why (not silence).
func TestHistoryFileDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("INILUA_HISTORY", dir)
	var stderr strings.Builder
	if got := historyFile(&stderr); got != "" {
		t.Errorf("historyFile = %q, want none", got)
	}
	if want := "inilua: no history: INILUA_HISTORY=" + dir + " is a directory"; !strings.Contains(stderr.String(), want) {
		t.Errorf("warning %q, want %q", stderr.String(), want)
	}
	file := filepath.Join(dir, "h")
	t.Setenv("INILUA_HISTORY", file)
	stderr.Reset()
	if got := historyFile(&stderr); got != file || stderr.Len() != 0 {
		t.Errorf("historyFile = %q (%q), want %q and no warning", got, stderr.String(), file)
	}
}
