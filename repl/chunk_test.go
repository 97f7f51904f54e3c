package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/inilua/inilua/luaapi"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// TestLuaSyntaxError: syntax errors (luaapi.LuaSyntaxError) read as the lua interpreter's do, and
// still unwrap to the parser's error.
func TestLuaSyntaxError(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	_, err := compile(L, "x = 1\ny = = 2", false, 1)
	if err == nil || err.Error() != "stdin:2: syntax error near '='" {
		t.Errorf("compile error %q", err)
	}
	var pe *parse.Error
	if !errors.As(err, &pe) || pe.Pos.Line != 2 {
		t.Errorf("error %v does not unwrap to the parser's", err)
	}
	code := "function f()\n  x = 1\n"
	_, err = parse.Parse(strings.NewReader(code), "s.lua")
	if got := luaapi.LuaSyntaxError(err, code).Error(); got != "s.lua:2: syntax error near <eof>" {
		t.Errorf("at end of input: %q", got)
	}
	other := errors.New("not a syntax error")
	if luaapi.LuaSyntaxError(other, "") != other {
		t.Error("another error was rewritten")
	}
}

// TestNesting: what is certainly unfinished stays open line after line,
// whatever strings and comments hold; what is complete never is.
func TestNesting(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		open  []bool // after each line
	}{
		{[]string{"t = {", "  1, 2,", "}"}, []bool{true, true, false}},
		{[]string{"function f(x)", "  if x then return 'end' end", "end"}, []bool{true, true, false}},
		{[]string{"while true do", "  break", "end"}, []bool{true, true, false}},
		{[]string{"repeat", "  x = x + 1", "until x > 3"}, []bool{true, true, false}},
		{[]string{"for i = 1, 2 do x = i end"}, []bool{false}},
		{[]string{"if a then b() elseif c then d() else e() end"}, []bool{false}},
		{[]string{"f = function() end"}, []bool{false}},
		{[]string{"s = [==[ end ]] (", "{ ]==]"}, []bool{true, false}},
		{[]string{"x = 1 --[[ function", "]] y = 2"}, []bool{true, false}},
		{[]string{"x = 1 -- function (", "y = '-- end' .. \"\\\"do\""}, []bool{false, false}},
		{[]string{`s = "a\`, `b" x = (`, `1)`}, []bool{true, true, false}},
		{[]string{"t[ [[k]] ] = 1e-5 x = 0x1F", "y = t.k1.v"}, []bool{false, false}},
		{[]string{"x = 1 +", "2"}, []bool{false, false}}, // left to the parser
		{[]string{"end end"}, []bool{false}},
	} {
		n := newNesting()
		for i, l := range tc.lines {
			n.scan(l)
			if n.open() != tc.open[i] {
				t.Errorf("%q: open after line %d = %v, want %v", tc.lines, i+1, n.open(), tc.open[i])
			}
		}
	}
}

// TestPlainInputLongStatement: piped input with a long table and tricky
// strings and comments runs statement by statement, "=expr" included
// right after (it only works as the first line of a statement).
func TestPlainInputLongStatement(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	var src strings.Builder
	src.WriteString("t = {\n")
	for i := range 2000 {
		fmt.Fprintf(&src, "  {name = %q, note = [[end ]] .. \"(\"}, -- function {\n", fmt.Sprint("n", i))
	}
	src.WriteString("}\n=#t\nfunction f()\n  return t[2000].name .. ' end'\nend\n=f()\n")
	out := newScreen()
	r, err := New(Config{Host: plainHost{L}, Stdin: strings.NewReader(src.String()), Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v; output %q", err, out.String())
	}
	if got, want := out.String(), "2000\n\"n1999 end\"\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// TestPlainErrorsLikeScript: without a terminal, errors come with the
// configured prefix and a traceback, as a script's do; at the prompt they
// have neither until :traceback on.
func TestPlainErrorsLikeScript(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	out := newScreen()
	src := "local function f()\n  error('deep')\nend\nf()\n"
	r, err := New(Config{Host: plainHost{L}, Stdin: strings.NewReader(src), Stdout: out, Stderr: out, ErrorPrefix: "inilua: "})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background()); err == nil {
		t.Fatal("Run succeeded despite the error")
	}
	got := out.String()
	if !strings.HasPrefix(got, "inilua: stdin:2: deep\n") || !strings.Contains(got, "stack traceback") {
		t.Errorf("output %q", got)
	}

	errs := newScreen()
	s := startREPL(t, func(L *lua.LState, cfg *Config) { cfg.Stderr = errs; cfg.ErrorPrefix = "inilua: " })
	s.send("error('plain')\r")
	errs.Expect(t, "stdin:1: plain\n")
	s.send("20 + 22\r")
	s.out.Expect(t, "\n42\n")
	if got := errs.String(); strings.Contains(got, "inilua: ") || strings.Contains(got, "traceback") {
		t.Errorf("error at the prompt %q", got)
	}
}

// TestPlainInterrupt: interrupting a piped statement ends the run with
// the message a script gives ("inilua: interrupted: stdin:N: ...").
func TestPlainInterrupt(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	started := blockingFuncs(L)
	out := newScreen()
	r, err := New(Config{Host: plainHost{L}, Stdin: strings.NewReader("x = 1\nwait()\nprint('after')\n"),
		Stdout: out, Stderr: out, ErrorPrefix: "inilua: "})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	<-started
	r.Interrupt()
	if err := <-done; err == nil {
		t.Fatal("Run succeeded after an interrupt")
	}
	if got := out.String(); !strings.HasPrefix(got, "inilua: interrupted: stdin:2: wait: context canceled\n") || strings.Contains(got, "after") {
		t.Errorf("output %q", got)
	}
}
