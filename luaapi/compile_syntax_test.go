package luaapi

import (
	"errors"
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
