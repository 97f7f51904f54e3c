package luaapi

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestArgErrorsNameTheFunction: a wrong argument to a metamethod (f[app],
// f[app][key] = v, #s) names it instead of "(anonymous)", and #s on a
// session says what to do instead of "__len undefined".
func TestArgErrorsNameTheFunction(t *testing.T) {
	out, err := run(t, `
		local f = ini.new()
		print(pcall(function() return f[{}] end))
		print(pcall(function() f.App[{}] = "x" end))
		print(pcall(function() return f.App[true] end))
		print(pcall(function() return f:get({}) end))
		local s = iniserve.serve(DIR)
		print(pcall(function() return #s end))
		s:close()`, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"bad argument #2 to 'index' (application name must be a string, got table)",
		"bad argument #2 to 'newindex' (key name must be a string, got table)",
		"bad argument #2 to 'index' (key name must be a string, got boolean)",
		"bad argument #2 to get (application name must be a string, got table)",
		"has no length (it is a connection, not a table): s:ls() lists a directory",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output:\n%s\nwant it to contain %q", out, want)
		}
	}
	if strings.Contains(out, "(anonymous)") || strings.Contains(out, "__len undefined") {
		t.Errorf("output:\n%s", out)
	}
}

// TestConnectPortZero: iniserve.connect refuses port 0 before dialling.
func TestConnectPortZero(t *testing.T) {
	out, err := run(t, `print(pcall(iniserve.connect, "127.0.0.1:0"))`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "127.0.0.1:0: connect: 127.0.0.1:0: port 0 is not a port a server listens on (INIServe's is 3560)") {
		t.Errorf("output %q", out)
	}
}

// TestGoStack: with Options.GoStack, the traceback of an error raised by
// a Go panic holds the Go stack at the panic (its function named);
// without, only the panic's message and no Go frames.
func TestGoStack(t *testing.T) {
	for _, goStack := range []bool{false, true} {
		rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard, GoStack: goStack})
		if err != nil {
			t.Fatal(err)
		}
		rt.SetGlobal("boom", rt.State().NewFunction(panickyAPICall))
		err = runCode(context.Background(), rt, "boom()", "=t")
		rt.Close()
		var se *ScriptError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "index out of range") {
			t.Fatalf("GoStack %v: %v", goStack, err)
		}
		if has := strings.Contains(se.Traceback, "luaapi.panickyAPICall"); has != goStack {
			t.Errorf("GoStack %v: traceback names the panicking function: %v\n%s", goStack, has, se.Traceback)
		}
	}
}

// panickyAPICall stands for an API function with a bug.
func panickyAPICall(L *lua.LState) int {
	var s []int
	return s[L.GetTop()+3]
}
