package luaapi

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// tailCalls makes 1e6 tail calls, then raises "deep": gopher-lua's own
// traceback of that error is a million lines long.
const tailCalls = `local function f(n) if n > 1e6 then error("deep") end return f(n + 1) end `

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestTracebackAfterTailCalls: an error raised after a million tail calls
// (a script's timeout in `return f(n + 1)` is one) gets a one-line
// traceback giving where and how deep, built without a line per tail call
// (gopher-lua's list of them took GBs and seconds after a few seconds of
// running); the same through pcall and debug.traceback. A shallow error
// keeps gopher-lua's traceback, line by line.
func TestTracebackAfterTailCalls(t *testing.T) {
	rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	var se *ScriptError
	n := allocated(func() { err = runCode(context.Background(), rt, tailCalls+"f(1)", "t") })
	if !errors.As(err, &se) || se.Msg != "t:1: deep" {
		t.Fatalf("error %v", err)
	}
	if want := "stack traceback:\n\tt:1 (100000"; !strings.HasPrefix(se.Traceback, want) || !strings.HasSuffix(se.Traceback, " levels, tail calls counted one by one: not listed)") {
		t.Errorf("traceback %q, want %q... levels, ...", se.Traceback, want)
	}
	if n > 8<<20 {
		t.Errorf("the failing run allocated %d bytes, want under 8 MiB", n)
	}

	n = allocated(func() {
		err = runCode(context.Background(), rt, tailCalls+`
			local ok, e = pcall(f, 1)
			assert(not ok and e == "t:1: deep", tostring(e))
			local tb = debug.traceback("msg")
			assert(tb:find("^msg\nstack traceback:\n\tt:4: in main chunk"), tb)
			f = function(n) if n > 1e6 then return debug.traceback("m") end return f(n + 1) end
			local tb = f(1)
			assert(tb:find("levels, tail calls counted one by one: not listed", 1, true), tb)`, "t")
	})
	if err != nil {
		t.Fatal(err)
	}
	if n > 16<<20 {
		t.Errorf("pcall and debug.traceback allocated %d bytes, want under 16 MiB", n)
	}

	err = runCode(context.Background(), rt, "local function g() error('shallow') end\nlocal function h() g() end\nh()", "s")
	if !errors.As(err, &se) {
		t.Fatalf("error %v", err)
	}
	want := "stack traceback:\n\t[G]: in function 'error'\n\ts:1: in function 'g'\n\ts:2: in function 'h'\n\ts:3: in main chunk\n\t[G]: ?"
	if strings.TrimSpace(se.Traceback) != want {
		t.Errorf("shallow traceback %q, want %q", se.Traceback, want)
	}
	// an error that fills the value stack (an error handler alone would
	// let it panic out of PCall, the call stack lost) is reported, and the
	// runtime refuses to run anything more
	err = runCode(context.Background(), rt, "unpack({}, 1, 1e8)", "u")
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "registry overflow") || !strings.HasSuffix(se.Traceback, "\tu:1: in main chunk\n\t[G]: ?") {
		t.Fatalf("registry overflow: %v\n%s", err, se.Traceback)
	}
	if err := runCode(context.Background(), rt, "x = 1", "again"); err == nil || !strings.Contains(err.Error(), "cannot be used after an error that filled its value stack") {
		t.Errorf("a run after the overflow: %v", err)
	}
}

// TestClosuresAfterCaughtError: a closure made in a function whose error
// pcall (or the script's own handler) caught keeps the value of its
// upvalue; the handler closes the upvalues as gopher-lua does without one
// (with one it does not, and the closure read a reused stack slot).
func TestClosuresAfterCaughtError(t *testing.T) {
	out, err := run(t, `
		print(pcall(function() local y = 7; g = function() return y end; error("e") end))
		print(g())
		local h
		print(pcall(function() local c = 0; h = function() c = c + 1; return c end; error("x") end))
		print(h(), h(), h())
		local co = coroutine.wrap(function()
			pcall(function() local z = "z"; k = function() return z end; error({}) end)
			return k()
		end)
		print(co())
		print(debug.getinfo(1, "S").what)`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "false\t=t:2: e\n7\nfalse\t=t:5: x\n1\t2\t3\nz\nmain\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}
