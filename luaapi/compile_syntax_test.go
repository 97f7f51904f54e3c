package luaapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"
)

// Compile words syntax errors as the lua interpreter does (the batch runner
// and the script runner show them as they are) and keeps the parser's error
// reachable.
func TestCompileSyntaxError(t *testing.T) {
	_, err := Compile("x = 1\ny = = 2\n", "s.lua")
	if err == nil || err.Error() != "s.lua:2: syntax error near '='" {
		t.Fatalf("err = %v", err)
	}
	var pe *parse.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%T does not unwrap to *parse.Error", err)
	}
	_, err = Compile("#!/usr/bin/env inilua\nfunction f()\n", "t.lua")
	if err == nil || err.Error() != "t.lua:2: syntax error near <eof>" {
		t.Fatalf("at EOF: err = %v", err)
	}
}

// f:nosuch() names the missing method instead of gopher-lua's "attempt to
// call a non-function object".
func TestCallMissingMethod(t *testing.T) {
	rt, err := New(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	err = runCode(t.Context(), rt, `local f = ini.new(); f:nosuch(1)`, "m.lua")
	if err == nil || !strings.Contains(err.Error(), `attempt to call application view "nosuch": INI files have no method of that name (methods: `) ||
		!strings.Contains(err.Error(), "save") {
		t.Fatalf("err = %v", err)
	}
}

// error{...} with a table is reported as lua.c reports it, and a table
// with __tostring through it.
func TestErrorObjectMessage(t *testing.T) {
	rt, err := New(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	err = runCode(t.Context(), rt, `error({code = 1})`, "e.lua")
	if err == nil || err.Error() != "(error object is a table value)" {
		t.Fatalf("table: err = %q", err)
	}
	err = runCode(t.Context(), rt, `error(setmetatable({}, {__tostring = function() return "custom" end}))`, "e.lua")
	if err == nil || err.Error() != "custom" {
		t.Fatalf("__tostring: err = %q", err)
	}
}

// A __tostring that fails does not take the host down.
func TestErrorObjectBadToString(t *testing.T) {
	rt, err := New(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	err = runCode(t.Context(), rt, `error(setmetatable({}, {__tostring = function() error("boom") end}))`, "e.lua")
	if err == nil || err.Error() != "(error object is a table value)" {
		t.Fatalf("err = %q", err)
	}
	if err := runCode(t.Context(), rt, `x = 1`, "ok.lua"); err != nil {
		t.Fatalf("runtime unusable afterwards: %v", err)
	}
}

// CHECK is true in check mode (for every runner: script, REPL, batch).
func TestCheckGlobal(t *testing.T) {
	for _, check := range []bool{false, true} {
		var out strings.Builder
		rt, err := New(t.Context(), Options{CheckMode: check, Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		if err := runCode(t.Context(), rt, `print(CHECK)`, "c.lua"); err != nil {
			t.Fatal(err)
		}
		rt.Close()
		if want := fmt.Sprintln(check); out.String() != want {
			t.Errorf("CheckMode %v: CHECK printed %q", check, out.String())
		}
	}
}
