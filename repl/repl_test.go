package repl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestExpressionPrinting(t *testing.T) {
	s := startREPL(t, nil)
	s.send("20+22\r")
	s.out.Expect(t, "\n42\n")
	s.out.Expect(t, Prompt)
	s.send("='ab' .. 'c'\r")
	s.out.Expect(t, "\n\"abc\"\n")
	s.send("string.char(232, 13, 0, 0)\r")
	s.out.Expect(t, "\n0000  E8 0D 00 00  |....|  -- u32 3560\n")
	s.send("{z=1, a={b=true}, 'x'}\r")
	s.out.Expect(t, "\n{\n  [1] = \"x\",\n  a = {\n    b = true,\n  },\n  z = 1,\n}\n")
	s.send("1, 'two', nil\r")
	s.out.Expect(t, "\n1\t\"two\"\tnil\n")
}

func TestContinuationLines(t *testing.T) {
	s := startREPL(t, nil)
	s.send("function double(x)\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("  return x * 2\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("end\r")
	s.out.Expect(t, Prompt)
	s.send("double(21)\r")
	s.out.Expect(t, "\n42\n")
	// an unfinished table constructor and expression continue too
	s.send("t = {\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("17 +\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("4 }\r")
	s.out.Expect(t, Prompt)
	s.send("t[1] * 2\r")
	s.out.Expect(t, "\n42\n")
}

func TestLocalsPersist(t *testing.T) {
	s := startREPL(t, nil)
	s.send("local a, b = 40, 2\r")
	s.out.Expect(t, Prompt)
	s.send("a + b\r")
	s.out.Expect(t, "\n42\n")
	s.send("local function inc(x) return x + 1 end\r")
	s.out.Expect(t, Prompt)
	s.send("inc(41)\r")
	s.out.Expect(t, "\n42\n")
}

func TestErrorRecovery(t *testing.T) {
	errs := newScreen()
	s := startREPL(t, func(L *lua.LState, cfg *Config) { cfg.Stderr = errs })
	s.send("error('boom')\r")
	errs.Expect(t, "boom")
	s.out.Expect(t, Prompt)
	s.send("x = = 1\r")
	errs.Expect(t, "stdin:1: syntax error near '='") // worded as lua words it
	s.out.Expect(t, Prompt)
	s.send("nosuch.field\r")
	errs.Expect(t, "attempt to index")
	s.send(":traceback on\r")
	s.out.Expect(t, "tracebacks on")
	s.send("error('again')\r")
	errs.Expect(t, "again")
	errs.Expect(t, "stack traceback")
	s.send("20+22\r")
	s.out.Expect(t, "\n42\n")
	if strings.Contains(s.out.String(), ": boom") {
		t.Error("error message written to stdout")
	}
}

func TestCtrlCCancelsLine(t *testing.T) {
	s := startREPL(t, nil)
	s.send("1 +\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("2 +\x03")
	s.out.Expect(t, "^C")
	s.out.Expect(t, Prompt)
	s.send("40 + 2\r") // would be "1 + 2 + 40 + 2" had the statement survived
	s.out.Expect(t, "\n42\n")
}

func TestInterruptRunningStatement(t *testing.T) {
	var started <-chan struct{}
	s := startREPL(t, func(L *lua.LState, cfg *Config) { started = blockingFuncs(L) })
	for _, stmt := range []string{"started() while true do end", "started() wait()"} {
		s.send(stmt + "\r")
		<-started
		s.r.Interrupt()
		s.out.Expect(t, "interrupted\n")
		s.out.Expect(t, Prompt)
		s.send("40 + 2\r")
		s.out.Expect(t, "\n42\n")
	}
}

func TestCtrlDExits(t *testing.T) {
	s := startREPL(t, nil)
	s.send("x = 1\r")
	s.out.Expect(t, Prompt)
	s.send("\x04")
	if err := s.wait(); err != nil {
		t.Fatalf("Run after Ctrl-D: %v", err)
	}
}

func TestQuitCommand(t *testing.T) {
	s := startREPL(t, nil)
	s.send(":help\r")
	s.out.Expect(t, ":quit")
	s.send(":quit\r")
	if err := s.wait(); err != nil {
		t.Fatalf("Run after :quit: %v", err)
	}
}

func TestExitCode(t *testing.T) {
	s := startREPL(t, func(L *lua.LState, cfg *Config) {
		L.SetGlobal("bye", L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("bye")
			return 0
		}))
		cfg.ExitCode = func(err error) (int, bool) {
			if strings.Contains(err.Error(), "bye") {
				return 3, true
			}
			return 0, false
		}
	})
	s.send("bye()\r")
	var ee *ExitError
	if err := s.wait(); !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("Run = %v, want exit status 3", err)
	}
}

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	s := startREPL(t, func(L *lua.LState, cfg *Config) { cfg.HistoryFile = path })
	s.send("x = 1\r")
	s.out.Expect(t, Prompt)
	s.send("s = {password = 'hunter2'}\r")
	s.out.Expect(t, Prompt)
	s.send("for i = 1, 2 do\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("  y = i end\r")
	s.out.Expect(t, Prompt)
	s.send("opts = {Password_Env =\r")
	s.out.Expect(t, ContinuePrompt)
	s.send("'PW'}\r")
	s.out.Expect(t, Prompt)
	// the arrow key must not bring the secret back either
	s.send("\x1b[A\r")
	s.out.Expect(t, Prompt)
	s.send(":quit\r")
	if err := s.wait(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "x = 1\nfor i = 1, 2 do y = i end\n:quit\n"
	if string(data) != want {
		t.Errorf("history file:\n%q\nwant\n%q", data, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	// a new REPL loads the history: Up recalls the last statement
	s2 := startREPL(t, func(L *lua.LState, cfg *Config) { cfg.HistoryFile = path })
	s2.send("\x1b[A\x1b[A\r")
	s2.out.Expect(t, Prompt)
	s2.send("y * 21\r")
	s2.out.Expect(t, "\n42\n")
}

func TestPlainInput(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	out := newScreen()
	src := "#!/usr/bin/env inilua\nlocal t = {\n  40,\n}\nfunction f()\n  return t[1] + 2\nend\n=f()\nprint('done')\n"
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		out.Write([]byte(L.ToString(1) + "\n"))
		return 0
	}))
	r, err := New(Config{Host: plainHost{L}, Stdin: strings.NewReader(src), Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "42\ndone\n" {
		t.Errorf("output %q, want %q", got, "42\ndone\n")
	}
	if strings.Contains(out.String(), Prompt) {
		t.Error("prompt printed without a terminal")
	}

	// the first error stops the run and names the line
	out = newScreen()
	src = "x = 1\n\nerror('stop here')\nprint('not reached')\n"
	r, _ = New(Config{Host: plainHost{L}, Stdin: strings.NewReader(src), Stdout: out, Stderr: out})
	if err := r.Run(context.Background()); err == nil {
		t.Fatal("Run succeeded despite the error")
	}
	if got := out.String(); !strings.Contains(got, "stdin:3:") || !strings.Contains(got, "stop here") || strings.Contains(got, "not reached") {
		t.Errorf("output %q", got)
	}

	// an unfinished statement at end of input is a syntax error
	r, _ = New(Config{Host: plainHost{L}, Stdin: strings.NewReader("function g()\n"), Stdout: out, Stderr: out})
	if err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "unexpected end") {
		t.Errorf("Run = %v, want unexpected end of input", err)
	}
}
