package main

import (
	"context"
	"fmt"

	"github.com/inilua/inilua/luaapi"
)

// runREPL runs the interactive REPL (issue 6) with o's options. rt is the
// runtime of a script that ran before (-i), or nil: then the REPL creates
// one with newRuntime and closes it at the end; a runtime passed in is
// closed by the caller. STUB: owned by the REPL helper.
func runREPL(ctx context.Context, o cliOptions, rt *luaapi.Runtime, e env) int {
	fmt.Fprintln(e.stderr, "inilua: the REPL is not implemented yet; give a script")
	return 1
}
