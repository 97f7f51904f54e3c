package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/luaapi"
)

// newRuntime creates the Lua runtime for a script or REPL run, with the
// global arg set from the command line cmdline (see newRuntime).
func newRuntime(ctx context.Context, o cliOptions, cmdline []string, e env) (*luaapi.Runtime, error) {
	rt, err := luaapi.New(ctx, luaapi.Options{
		Stdout:    e.stdout,
		Stderr:    e.stderr,
		Safe:      o.safe,
		CheckMode: o.check,
		GoStack:   o.goStack,
	})
	if err != nil {
		return nil, err
	}
	// the global arg as lua sets it: the whole command line (prog, then
	// cmdline) numbered so that the script, at cmdline[scriptAt-1], is
	// arg[0]; without a script (scriptAt 0) prog is arg[0]
	prog := e.prog
	if prog == "" {
		prog = "inilua"
	}
	rt.SetArg(append([]string{prog}, cmdline...), o.scriptAt)
	return rt, nil
}

// runScript runs the -e chunks and the script of o, then the REPL with -i,
// and returns the exit status. cmdline is the command line after the
// command's name.
func runScript(ctx context.Context, o cliOptions, cmdline []string, e env) (code int) {
	rt, err := newRuntime(ctx, o, cmdline, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "inilua: %v\n", err)
		return 1
	}
	defer func() {
		// leaving the REPL (-i) must not hang on a host that does not
		// answer; a script's sessions are closed however long it takes
		// (closing posts their s:notify events)
		var err error
		if o.interactive {
			err = closeWithin(rt, closeTimeout)
		} else {
			err = rt.Close()
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "inilua: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	// the -e chunks and the script share one deadline (--script-timeout);
	// the REPL of -i has none
	sctx := ctx
	if o.scriptTimeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, o.scriptTimeout)
		defer cancel()
	}
	fail := func(err error) int {
		if d, ok := sctx.Deadline(); ctx.Err() == nil && (sctx.Err() != nil || ok && !time.Now().Before(d)) {
			err = &timedOut{o.scriptTimeout, err}
		}
		return reportError(e.stderr, err)
	}
	for _, chunk := range o.exec {
		if err := runChunk(sctx, rt, chunk, "(command line)", nil); err != nil {
			return fail(err)
		}
	}
	if o.script != "" {
		if err := runMain(sctx, rt, o, e.stdin); err != nil {
			return fail(err)
		}
	}
	if o.interactive {
		return runREPL(ctx, o, cmdline, rt, e)
	}
	return 0
}

// runMain reads and runs the script of o (from stdin for "-") with its
// arguments as "...".
func runMain(ctx context.Context, rt *luaapi.Runtime, o cliOptions, stdin io.Reader) error {
	name := o.script
	var code []byte
	var err error
	if name == "-" {
		name = "stdin"
		code, err = io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
	} else if code, err = os.ReadFile(name); err != nil {
		return err
	}
	args := make([]lua.LValue, len(o.args))
	for i, a := range o.args {
		args[i] = lua.LString(a)
	}
	return runChunk(ctx, rt, string(code), name, args)
}

// runChunk compiles code (named chunkname in messages; a first line
// starting with # is skipped) and runs it with args as "...". Syntax
// errors are worded as lua words them (luaapi.SyntaxError).
func runChunk(ctx context.Context, rt *luaapi.Runtime, code, chunkname string, args []lua.LValue) error {
	prog, err := luaapi.Compile(code, chunkname)
	if err != nil {
		return err
	}
	_, err = rt.Run(ctx, prog, args...)
	return err
}

// timedOut is a script error after --script-timeout expired: its message
// is batch's "script timed out after D"; the script's error (with its
// traceback) is kept for reportError.
type timedOut struct {
	d   time.Duration
	err error
}

func (e *timedOut) Error() string { return batch.TimedOut("script", e.d) }
func (e *timedOut) Unwrap() error { return e.err }

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
