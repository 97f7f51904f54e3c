package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/inilua/inilua/luaapi"
)

// newRuntime creates the Lua runtime for a script or REPL run.
func newRuntime(ctx context.Context, o cliOptions, e env) (*luaapi.Runtime, error) {
	return luaapi.New(ctx, luaapi.Options{
		Stdout:    e.stdout,
		Stderr:    e.stderr,
		Safe:      o.safe,
		CheckMode: o.check,
	})
}

// runScript runs the -e chunks and the script of o, then the REPL with -i,
// and returns the exit status.
func runScript(ctx context.Context, o cliOptions, e env) (code int) {
	rt, err := newRuntime(ctx, o, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "inilua: %v\n", err)
		return 1
	}
	defer func() {
		if err := rt.Close(); err != nil {
			fmt.Fprintf(e.stderr, "inilua: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	for _, chunk := range o.exec {
		if err := rt.DoString(ctx, chunk, "(command line)"); err != nil {
			return reportError(e.stderr, err)
		}
	}
	switch o.script {
	case "":
	case "-":
		code, err := io.ReadAll(e.stdin)
		if err != nil {
			fmt.Fprintf(e.stderr, "inilua: reading stdin: %v\n", err)
			return 1
		}
		proto, err := luaapi.Compile(string(code), "stdin")
		if err != nil {
			return reportError(e.stderr, err)
		}
		if err := rt.DoProto(ctx, proto, "-", o.args, nil); err != nil {
			return reportError(e.stderr, err)
		}
	default:
		if err := rt.DoFile(ctx, o.script, o.args); err != nil {
			return reportError(e.stderr, err)
		}
	}
	if o.interactive {
		return runREPL(ctx, o, rt, e)
	}
	return 0
}

// reportError prints a failed run's error (and Lua traceback) and returns
// the exit status: the os.exit code, or 1.
func reportError(w io.Writer, err error) int {
	var exit *luaapi.ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	msg := strings.TrimSpace(err.Error()) // gopher-lua ends syntax errors with a newline
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "inilua: interrupted: %s\n", msg)
	} else {
		fmt.Fprintf(w, "inilua: %s\n", msg)
	}
	var se *luaapi.ScriptError
	if errors.As(err, &se) && se.Traceback != "" {
		fmt.Fprintln(w, se.Traceback)
	}
	return 1
}
